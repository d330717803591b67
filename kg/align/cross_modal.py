"""Cross-modal alignment: feature texts of one session from different modalities that reach
concepts of the same valence (e.g. a negative micro-expression, negative speech content and an
SDS band of moderate depression) are linked, so the agreement itself is in the graph. A pair is
linked once: its valence is "mixed" when it agrees on both negative and positive concepts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from contracts.feature_text import FeatureText
from contracts.session_records import Alignment
from contracts.vocabulary import RISK_LEVELS, SEVERITY_PREFIX, general_level_id, risk_id

# Severity and risk concepts carry no valence edge; an observed depression band or risk
# signal agrees with negative affect.
_NEGATIVE_PREFIXES = (SEVERITY_PREFIX, *(risk_id(r) for r in RISK_LEVELS if r != "none"))
_NEUTRAL_IDS = frozenset({general_level_id("none"), risk_id("none")})


class CrossModalLink(BaseModel):
    feature_a: str
    feature_b: str
    valence: str
    concepts_a: list[str]
    concepts_b: list[str]


def concept_valence_of(cid: str, valence: Mapping[str, str]) -> str | None:
    if cid in valence:
        return valence[cid]
    if cid in _NEUTRAL_IDS or cid.endswith((":none", ":minimal")):
        return "neutral"
    if cid.startswith(_NEGATIVE_PREFIXES):
        return "negative"
    return None


def cross_modal_links(
    features: Sequence[FeatureText],
    feature_ids: Sequence[str],
    alignments: Sequence[Alignment],
    valence: Mapping[str, str],
) -> list[CrossModalLink]:
    by_feature: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for al in alignments:
        v = concept_valence_of(al.concept_id, valence)
        if v in ("positive", "negative"):
            by_feature[al.feature_id][v].append(al.concept_id)
    modality = dict(zip(feature_ids, (f.modality for f in features), strict=True))
    links: list[CrossModalLink] = []
    ids = [fid for fid in feature_ids if fid in by_feature]
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if modality[a] == modality[b]:
                continue
            agree = [v for v in ("negative", "positive")
                     if by_feature[a].get(v) and by_feature[b].get(v)]
            if not agree:
                continue
            # One link (one graph edge) per pair: a pair agreeing on both valences is "mixed".
            links.append(CrossModalLink(
                feature_a=a, feature_b=b, valence=agree[0] if len(agree) == 1 else "mixed",
                concepts_a=sorted({c for v in agree for c in by_feature[a][v]}),
                concepts_b=sorted({c for v in agree for c in by_feature[b][v]}),
            ))
    return links
