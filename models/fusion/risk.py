"""Explicit suicide-risk signals from any modality, combined by max so nothing dilutes them.

A positive PHQ-9 item 9 / HAMD item 3 / SDS item 19 / BDI-II item 9 answer (scored into
`risk_level` by ingest/scales.py) or an explicit statement in the transcript (`suicide_risk`
of speech content) sets a floor: fusion and decoding may never report a lower level.
"""

from __future__ import annotations

from collections.abc import Sequence

from contracts.feature_text import FeatureText
from contracts.vocabulary import RISK_PREFIX, SCALE_ITEM_PREFIX, risk_id
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
                    if str(c).startswith((RISK_PREFIX, SCALE_ITEM_PREFIX))
                ]
                if risk_id(level) not in concepts:
                    concepts.insert(0, risk_id(level))
                if name == "risk_level":
                    inst = feature.instance or str(feature.values.get("instrument", "scale"))
                    why = _scale_reason(inst, feature.values.get("risk_items"))
                else:
                    why = ("言语中明确表达自杀意念", "explicit suicidal statement in speech")
                out.append(RiskSignal(str(level), channel_of(feature), fid, tuple(concepts), *why))
                break
    return out


def risk_assessed(features: Sequence[FeatureText]) -> bool:
    """Whether any feature text carries a suicide-risk assessment (a scale's `risk_level`, a
    transcript's `suicide_risk`, even "none"): without one, "none" means "not assessed"."""
    return any(f.values.get(name) in RISKS for f in features
               for name in ("risk_level", "suicide_risk"))


def _scale_reason(instrument: str, risk_items: object) -> tuple[str, str]:
    """Why a scale sets the floor: its positive items, when the feature text names them (the
    scale recognizer always does; an app's own feature text may give only `risk_level`)."""
    items = [str(i) for i in risk_items if _item_number(i)] if isinstance(
        risk_items, (list, tuple)) else []
    if not items:
        return (f"{instrument} 提示自杀风险（未注明阳性条目）",
                f"{instrument} indicates suicide risk (no positive item named)")
    return f"{instrument} 第{'、'.join(items)}题阳性", f"{instrument} item {', '.join(items)} positive"


def _item_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return (isinstance(value, int) and value > 0) or (
        isinstance(value, str) and value.isascii() and value.isdecimal() and int(value) > 0)


def max_risk(signals: Sequence[RiskSignal]) -> str:
    return max((s.level for s in signals), key=RISKS.index, default="none")
