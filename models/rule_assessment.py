"""A transparent rule-based assessment from scale scores and explicit risk signals.

It is the baseline the beam-search decoder (issue 5) must beat and the fallback when no
decoder model is available. Suicide-risk signals are taken as the maximum over every source,
never averaged. Output is decision support for a professional, never a diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence

from contracts.feature_text import Bilingual, FeatureText
from contracts.session_records import Assessment, EvidenceItem
from contracts.vocabulary import (
    DISCLAIMER,
    RISK_PREFIX,
    SCALE_ITEM_PREFIX,
    SCALE_PREFIX,
    SEVERITY_PREFIX,
    DepressionLevel,
    RiskLevel,
    risk_id,
)
from models.fusion.risk import risk_assessed

_LEVEL_ORDER: dict[str, int] = {"unknown": -1, "none": 0, "mild": 1, "moderate": 2, "severe": 3}
_RISK_ORDER: dict[str, int] = {"none": 0, "low": 1, "moderate": 2, "high": 3}
_LEVEL_TEXT = {
    "none": ("无明显抑郁", "no notable depression"),
    "mild": ("轻度抑郁", "mild depression"),
    "moderate": ("中度抑郁", "moderate depression"),
    "severe": ("重度抑郁", "severe depression"),
    "unknown": (
        "抑郁程度无法判断（缺少量表数据）",
        "depression level undetermined (no scale data)",
    ),
}
_RISK_TEXT = {
    "none": ("未见自杀风险信号", "no suicide-risk signal"),
    "low": ("存在低度自杀风险信号", "a low suicide-risk signal"),
    "moderate": ("存在中度自杀风险信号", "a moderate suicide-risk signal"),
    "high": ("存在高度自杀风险信号", "a HIGH suicide-risk signal"),
}
_NOT_ASSESSED = ("未评估自杀风险（不代表无风险）", "suicide risk not assessed (this does not mean no risk)")
_ADVICE = {
    "high": (
        "建议立即进行面对面风险评估并启动危机干预流程。",
        "Recommend an immediate face-to-face risk assessment and the crisis protocol.",
    ),
    "moderate": (
        "建议本周内复评自杀风险并加强随访。",
        "Recommend re-assessing suicide risk this week and closer follow-up.",
    ),
    "severe": ("建议转介精神科进一步评估。", "Recommend referral for psychiatric evaluation."),
    "default": ("建议按常规咨询计划继续随访。", "Recommend continuing follow-up as planned."),
}


def _risk_of(feature: FeatureText) -> RiskLevel:
    for name in ("risk_level", "suicide_risk"):
        value = feature.values.get(name)
        if value in _RISK_ORDER:
            return value
    return "none"


def rule_assessment(features: Sequence[FeatureText], feature_ids: Sequence[str]) -> Assessment:
    level: DepressionLevel = "unknown"
    risk: RiskLevel = "none"
    evidence: list[EvidenceItem] = []
    for feature, fid in zip(features, feature_ids, strict=True):
        concept_ids = [str(c) for c in feature.values.get("concept_ids", [])]
        if feature.kind == "scale_score":
            flevel = str(feature.values.get("level", "unknown"))
            if _LEVEL_ORDER.get(flevel, -1) > _LEVEL_ORDER[level]:
                level = flevel  # type: ignore[assignment]
            evidence.append(
                EvidenceItem(
                    claim=f"depression_level:{flevel}",
                    modality=feature.modality,
                    feature_ids=[fid],
                    concept_ids=[c for c in concept_ids if c.startswith((SEVERITY_PREFIX, SCALE_PREFIX))],
                    path=[fid, *[c for c in concept_ids if c.startswith(SEVERITY_PREFIX)]],
                )
            )
        frisk = _risk_of(feature)
        if frisk != "none":
            if _RISK_ORDER[frisk] > _RISK_ORDER[risk]:
                risk = frisk
            evidence.append(
                EvidenceItem(
                    claim=f"suicide_risk:{frisk}",
                    modality=feature.modality,
                    feature_ids=[fid],
                    concept_ids=[c for c in concept_ids
                                 if c.startswith((RISK_PREFIX, SCALE_ITEM_PREFIX))],
                    path=[fid, risk_id(frisk)],
                )
            )
    lz, le = _LEVEL_TEXT[level]
    rz, re_ = _RISK_TEXT[risk] if risk != "none" or risk_assessed(features) else _NOT_ASSESSED
    advice = _ADVICE[
        "high"
        if risk == "high"
        else "moderate"
        if risk == "moderate"
        else "severe"
        if level == "severe"
        else "default"
    ]
    sources_zh = "、".join(sorted({f.instance or f.kind for f in features})) or "无"
    sources_en = ", ".join(sorted({f.instance or f.kind for f in features})) or "none"
    text = Bilingual(
        zh=f"依据{sources_zh}：{lz}；{rz}。{advice[0]}{DISCLAIMER.zh}",
        en=f"Based on {sources_en}: {le}; {re_}. {advice[1]} {DISCLAIMER.en}",
    )
    return Assessment(
        text=text,
        depression_level=level,
        suicide_risk=risk,
        suicide_risk_assessed=risk_assessed(features),
        evidence=evidence,
        nbest=[],
        method="rules-v1 (scale bands + max risk signal)",
        disclaimer=DISCLAIMER,
    )
