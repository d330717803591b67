"""The product side of the depression estimate: a FeatureText, the fused level, the sentence.

Level rule (no scale present): mild exactly when the probability is above the model's
cross-validated threshold, otherwise none. Higher levels are not assigned: with 19 positive
volunteers the model cannot separate mild from moderate or severe (MODEL_CARD.md).
When a scale is present it is the instrument of record: the scale decides the level and the
estimate is only reported beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from contracts.feature_text import Bilingual, FeatureText
from models.depression.features import person_input

ESTIMATE_KIND = "depression_estimate"
# Level distributions (over none, mild, moderate, severe) the decision is carried in; their
# argmax is the decision, the rest keeps the beam's n-best meaningful.
_ABOVE = np.array([0.2, 0.6, 0.15, 0.05])
_BELOW = np.array([0.7, 0.2, 0.07, 0.03])


def depression_feature_text(feature_texts: Sequence[FeatureText], language: str = "zh"
                            ) -> FeatureText | None:
    """The estimate for one session's speech; None when there is neither audio nor text, or
    the language is not Mandarin (the model learned Mandarin answers only)."""
    from models.depression.model import shipped_model

    if language != "zh":
        return None
    speech = [f for f in feature_texts if f.modality in ("audio", "text")
              and f.kind != ESTIMATE_KIND]
    person = person_input([speech])
    if not person.has_audio and not person.transcript.strip():
        return None
    est = shipped_model().estimate(person)
    values = est.as_values()
    cues_zh = "、".join(c["zh"] for c in values["cues"]) or "无突出线索"
    cues_en = ", ".join(c["en"] for c in values["cues"]) or "no salient cue"
    side = "高于" if est.above_threshold else "不高于"
    side_en = "above" if est.above_threshold else "not above"
    zh = (f"言语/文字抑郁模型：SDS 标准分 ≥ 53 的概率 {est.probability:.2f}"
          f"（{side}阈值 {est.threshold:.2f}）；线索：{cues_zh}")
    en = (f"Speech/text depression model: probability {est.probability:.2f} of SDS index ≥ 53 "
          f"({side_en} the threshold {est.threshold:.2f}); cues: {cues_en}")
    if not est.audio_used:
        zh += "（仅文字，无语音特征）"
        en += " (text only, no voice features)"
    values["concept_ids"] = []
    return FeatureText(modality="audio", kind=ESTIMATE_KIND, text=Bilingual(zh=zh, en=en),
                       values=values, confidence=1.0, source=est.model)


def _estimate_of(features: Sequence[FeatureText], feature_ids: Sequence[str]
                 ) -> tuple[FeatureText, str] | None:
    for f, fid in zip(features, feature_ids, strict=True):
        if f.kind == ESTIMATE_KIND and "depression_probability" in f.values:
            return f, fid
    return None


def _has_scale_level(features: Sequence[FeatureText]) -> bool:
    return any(f.modality == "scales" and f.values.get("level") for f in features)


def apply_to_state(state: Any, features: Sequence[FeatureText],
                   feature_ids: Sequence[str]) -> str | None:
    """Set `state.depression` from the estimate unless a scale leads; returns the feature id
    the level rests on (None when the estimate is absent or a scale leads)."""
    found = _estimate_of(features, feature_ids)
    if found is None:
        return None
    f, fid = found
    if _has_scale_level(features):
        state.notes.append("depression level from the scales; speech/text model shown beside")
        return None
    above = bool(f.values.get("above_threshold"))
    state.depression = (_ABOVE if above else _BELOW).copy()
    state.method += f"+{f.source}(p={f.values['depression_probability']})"
    state.notes.append("depression level from the speech/text model (no scale present)")
    return fid


def estimate_sentence(features: Sequence[FeatureText]) -> Bilingual | None:
    """The estimate's sentence for the assessment text (marked as secondary when scales lead)."""
    f = next((f for f in features if f.kind == ESTIMATE_KIND), None)
    if f is None:
        return None
    if _has_scale_level(features):
        return Bilingual(zh=f"（参考，量表为准）{f.text.zh}。",
                         en=f"(For reference; the scale is the instrument of record) {f.text.en}.")
    return Bilingual(zh=f"{f.text.zh}。", en=f"{f.text.en}.")
