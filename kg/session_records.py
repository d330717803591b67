"""Session-level records (alignments, assessment) and their mapping onto graph nodes and edges.

Raw media never enter the graph: only feature texts, their values (JSON), alignments and the
assessment do. One session becomes one list of nodes and edges, written in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kg.feature_text import Bilingual, FeatureText
from kg.graph_model import Edge, Node
from kg.schema import ASSESSMENT, CONCEPT, FEATURE_TEXT, SESSION, STUDENT

RiskLevel = Literal["none", "low", "moderate", "high"]
DepressionLevel = Literal["none", "mild", "moderate", "severe", "unknown"]


class Alignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feature_id: str
    concept_id: str
    score: float = Field(ge=-1.0, le=1.0)
    method: str
    rank: int = Field(ge=1)


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim: str
    modality: str
    feature_ids: list[str] = Field(default_factory=list)
    concept_ids: list[str] = Field(default_factory=list)
    path: list[str] = Field(default_factory=list, description="graph ids from feature to claim")
    claim_number: int | None = Field(
        default=None, ge=1,
        description="the claim's number as cited in the assessment text ([n]; kg/claims.py); "
                    "None for a claim that rests on no feature")


class Assessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Bilingual
    depression_level: DepressionLevel
    suicide_risk: RiskLevel
    evidence: list[EvidenceItem] = Field(default_factory=list)
    nbest: list[dict[str, Any]] = Field(default_factory=list)
    method: str
    disclaimer: Bilingual


class SessionKeys(BaseModel):
    student: str
    session: str

    @property
    def session_key(self) -> str:
        return f"{self.student}/{self.session}"

    def feature_key(self, feature: FeatureText) -> str:
        return f"{self.session_key}/{feature.local_key()}"

    @property
    def assessment_key(self) -> str:
        return f"{self.session_key}/assessment"


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
