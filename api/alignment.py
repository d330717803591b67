"""Aligning feature texts to Concept nodes.

Recognizers name the concepts they observed (values["concept_ids"], e.g. a scale band); those
become ALIGNED_TO edges with method "recognizer". Concepts missing from the graph are reported
(run `mindkg kg seed`) instead of failing the session.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.feature_text import FeatureText
from kg.schema import CONCEPT
from kg.session_records import Alignment
from kg.store.base import GraphStore


def existing_concepts(store: GraphStore | None, concept_ids: set[str]) -> set[str]:
    if store is None:
        return set()
    return {cid for cid in concept_ids if store.get_node(CONCEPT, cid) is not None}


def align_features(
    features: Sequence[FeatureText], feature_ids: Sequence[str], store: GraphStore | None
) -> tuple[list[Alignment], list[str]]:
    alignments: list[Alignment] = []
    missing: set[str] = set()
    known: dict[str, bool] = {}
    for feature, fid in zip(features, feature_ids, strict=True):
        rank = 0
        for cid in dict.fromkeys(str(c) for c in feature.values.get("concept_ids", [])):
            if cid not in known:
                known[cid] = store is not None and store.get_node(CONCEPT, cid) is not None
            if not known[cid]:
                missing.add(cid)
                continue
            rank += 1
            alignments.append(
                Alignment(feature_id=fid, concept_id=cid, score=1.0, method="recognizer", rank=rank)
            )
    warnings = []
    if missing:
        warnings.append(
            f"{len(missing)} concept(s) named by recognizers are not in the graph "
            f"(e.g. {sorted(missing)[:3]}); run `mindkg kg seed` to load the ontology"
        )
    return alignments, warnings
