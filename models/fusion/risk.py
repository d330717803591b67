"""Explicit suicide-risk signals from any modality, combined by max so nothing dilutes them.

A positive PHQ-9 item 9 / HAMD item 3 / SDS item 19 / BDI-II item 9 answer (scored into
`risk_level` by ingest/scales.py) or an explicit statement in the transcript (`suicide_risk`
of speech content) sets a floor: fusion and decoding may never report a lower level.
"""

from __future__ import annotations

from collections.abc import Sequence

from contracts.feature_text import FeatureText
from models.fusion.state import RISKS, RiskSignal


def channel_of(feature: FeatureText) -> str:
    if feature.modality == "video":
        return "video"
    if feature.modality == "scales":
        return "scales"
    return "speech"  # audio and text transcripts


def risk_signals(features: Sequence[FeatureText], feature_ids: Sequence[str]) -> list[RiskSignal]:
    out: list[RiskSignal] = []
    for feature, fid in zip(features, feature_ids, strict=True):
        for name in ("risk_level", "suicide_risk"):
            level = feature.values.get(name)
            if level in RISKS and level != "none":
                concepts = [
                    str(c)
                    for c in feature.values.get("concept_ids", [])
                    if str(c).startswith(("risk:", "scale_item:"))
                ]
                if f"risk:{level}" not in concepts:
                    concepts.insert(0, f"risk:{level}")
                if name == "risk_level":
                    items = ", ".join(str(i) for i in feature.values.get("risk_items", []) or [])
                    inst = feature.instance or str(feature.values.get("instrument", "scale"))
                    why = (f"{inst} 第{items}题阳性", f"{inst} item {items} positive")
                else:
                    why = ("言语中明确表达自杀意念", "explicit suicidal statement in speech")
                out.append(RiskSignal(str(level), channel_of(feature), fid, tuple(concepts), *why))
                break
    return out


def max_risk(signals: Sequence[RiskSignal]) -> str:
    return max((s.level for s in signals), key=RISKS.index, default="none")
