"""One analysed session as graph nodes and edges, written in one transaction.

Raw media never enter the graph: only feature texts, their values (JSON), alignments and the
assessment do (the record types are in contracts/session_records.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from contracts.feature_text import FeatureText
from contracts.session_records import Alignment, Assessment, SessionKeys
from kg.graph_model import Edge, Node
from kg.schema import ASSESSMENT, CONCEPT, FEATURE_TEXT, SESSION, STUDENT


def session_graph(
    keys: SessionKeys,
    *,
    recorded_at: datetime,
    language: str,
    modalities_used: list[str],
    feature_texts: list[FeatureText],
    alignments: list[Alignment],
    assessment: Assessment | None,
    synthetic: bool,
    cross_modal: Sequence[Any] = (),
) -> tuple[list[Node], list[Edge]]:
    """Nodes and edges for one analysed session; concepts must already be in the graph."""
    session_key = keys.session_key
    nodes = [
        Node(STUDENT, keys.student, {"pseudonymous": True}),
        Node(
            SESSION,
            session_key,
            {
                "session": keys.session,
                "student": keys.student,
                "recorded_at": recorded_at.isoformat(),
                "language": language,
                "modalities": modalities_used,
                "synthetic": synthetic,
            },
        ),
    ]
    edges = [Edge("HAS_SESSION", STUDENT, keys.student, SESSION, session_key)]
    for feature in feature_texts:
        fkey = keys.feature_key(feature)
        nodes.append(
            Node(
                FEATURE_TEXT,
                fkey,
                {
                    "modality": feature.modality,
                    "kind": feature.kind,
                    "instance": feature.instance,
                    "text_zh": feature.text.zh,
                    "text_en": feature.text.en,
                    "values_json": json.dumps(feature.values, ensure_ascii=False, sort_keys=True),
                    "confidence": feature.confidence,
                    "start_s": feature.start_s,
                    "end_s": feature.end_s,
                    "source": feature.source,
                    "session": session_key,
                },
            )
        )
        edges.append(Edge("HAS_FEATURE", SESSION, session_key, FEATURE_TEXT, fkey))
    for al in alignments:
        edges.append(
            Edge(
                "ALIGNED_TO",
                FEATURE_TEXT,
                al.feature_id,
                CONCEPT,
                al.concept_id,
                {"score": al.score, "method": al.method, "rank": al.rank},
            )
        )
    for link in cross_modal:
        edges.append(
            Edge(
                "CROSS_MODAL", FEATURE_TEXT, link.feature_a, FEATURE_TEXT, link.feature_b,
                {"valence": link.valence, "concepts_a": link.concepts_a, "concepts_b": link.concepts_b},
            )
        )
    if assessment is not None:
        akey = keys.assessment_key
        nodes.append(
            Node(
                ASSESSMENT,
                akey,
                {
                    "text_zh": assessment.text.zh,
                    "text_en": assessment.text.en,
                    "depression_level": assessment.depression_level,
                    "suicide_risk": assessment.suicide_risk,
                    "suicide_risk_assessed": assessment.suicide_risk_assessed,
                    "method": assessment.method,
                    "session": session_key,
                    "recorded_at": recorded_at.isoformat(),
                    "evidence_json": json.dumps(
                        [e.model_dump() for e in assessment.evidence], ensure_ascii=False
                    ),
                },
            )
        )
        edges.append(Edge("HAS_ASSESSMENT", SESSION, session_key, ASSESSMENT, akey))
        linked: set[tuple[str, str]] = set()
        for item in assessment.evidence:
            for fid in item.feature_ids:
                if (FEATURE_TEXT, fid) not in linked:
                    linked.add((FEATURE_TEXT, fid))
                    edges.append(
                        Edge(
                            "EVIDENCE_FOR",
                            FEATURE_TEXT,
                            fid,
                            ASSESSMENT,
                            akey,
                            {"claim": item.claim},
                        )
                    )
            for cid in item.concept_ids:
                if (CONCEPT, cid) not in linked:
                    linked.add((CONCEPT, cid))
                    edges.append(
                        Edge("EVIDENCE_FOR", CONCEPT, cid, ASSESSMENT, akey, {"claim": item.claim})
                    )
    return nodes, edges
