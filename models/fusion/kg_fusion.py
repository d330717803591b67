"""Knowledge-graph fusion: spreading activation from aligned concepts to state nodes.

Seeds are the concepts each feature text names (`values.concept_ids`) and its ALIGNED_TO
alignments, weighted by recogniser confidence and alignment score. Activation flows along
ontology edges (INDICATES, IS_A, ASSESSES, SIGNALS_RISK, ...) split by edge weight, with a
damping factor per hop (a truncated personalised PageRank). Reading it at the emotion,
severity and risk nodes gives the graph's opinion, and the activated paths are the evidence
the decoder attaches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from contracts.feature_text import FeatureText
from contracts.session_records import Alignment
from contracts.vocabulary import EMOTION_PREFIX, general_level_id, me_class_id
from kg.align.policy import feature_concepts
from models.fusion.graph import OntologyView
from models.fusion.state import EMOTION_CONCEPT, EMOTIONS, LEVELS, normalise

_EMOTION_NODES: dict[str, tuple[str, ...]] = {
    s: (EMOTION_CONCEPT[s], me_class_id(s)) for s in EMOTIONS
}


@dataclass
class KGOpinion:
    activation: dict[str, float]
    emotion: np.ndarray | None
    depression: np.ndarray | None
    emotion_detail: dict[str, float]
    seeds: dict[str, float]
    missing_concepts: list[str] = field(default_factory=list)


def seeds_of(
    features: Sequence[FeatureText],
    feature_ids: Sequence[str],
    alignments: Sequence[Alignment],
    view: OntologyView,
) -> tuple[dict[str, float], list[str]]:
    seeds: dict[str, float] = {}
    missing: list[str] = []
    conf = dict(zip(feature_ids, (f.confidence for f in features), strict=True))
    named: set[tuple[str, str]] = set()
    for f, fid in zip(features, feature_ids, strict=True):
        for cid in feature_concepts(f):
            named.add((fid, cid))
            if view.has(cid):
                seeds[cid] = seeds.get(cid, 0.0) + f.confidence
            elif cid not in missing:
                missing.append(cid)
    for al in alignments:  # the recognizer's own concepts are not counted twice
        if (al.feature_id, al.concept_id) in named:
            continue
        if al.feature_id in conf and al.score > 0 and view.has(al.concept_id):
            seeds[al.concept_id] = seeds.get(al.concept_id, 0.0) + conf[al.feature_id] * al.score
    return seeds, missing


def spread(seeds: dict[str, float], view: OntologyView, damping: float, hops: int) -> dict[str, float]:
    activation = dict(seeds)
    frontier = dict(seeds)
    for _ in range(hops):
        nxt: dict[str, float] = {}
        get = nxt.get
        for node, a in frontier.items():
            total, edges = view.weighted_out(node)  # remembered: no sums per request
            if total <= 0:
                continue
            passed = damping * a  # (damping * a) * w / total, as the expression reads
            for dst, w in edges:
                nxt[dst] = get(dst, 0.0) + passed * w / total
        for node, a in nxt.items():
            activation[node] = activation.get(node, 0.0) + a
        frontier = nxt
    return activation


def kg_opinion(
    features: Sequence[FeatureText],
    feature_ids: Sequence[str],
    alignments: Sequence[Alignment],
    view: OntologyView,
    damping: float = 0.6,
    hops: int = 3,
) -> KGOpinion:
    seeds, missing = seeds_of(features, feature_ids, alignments, view)
    act = spread(seeds, view, damping, hops)
    emo = np.array([sum(act.get(n, 0.0) for n in _EMOTION_NODES[s]) for s in EMOTIONS])
    sev = np.array([act.get(general_level_id(lv), 0.0) for lv in LEVELS])
    detail = {k: v for k, v in act.items() if k.startswith(EMOTION_PREFIX) and v > 0}
    total = sum(detail.values())
    return KGOpinion(
        activation=act,
        emotion=normalise(emo + 0.05) if emo.sum() > 0 else None,
        depression=normalise(sev + 0.02) if sev.sum() > 0 else None,
        emotion_detail={k: v / total for k, v in detail.items()} if total else {},
        seeds=seeds,
        missing_concepts=missing,
    )
