"""The claim numbers of the assessment text (contracts/claims.py) and how the timeline reads them."""

from __future__ import annotations

from api.timeline import build_timeline
from contracts.claims import claim_sentence, marker, numbers_in, without_markers
from contracts.feature_text import Bilingual, FeatureText

TEXT = Bilingual(
    zh="情绪状态：无法判断（缺少表情与语音情感线索）。抑郁程度：中度抑郁（依据量表）[1]。"
       "自杀风险：高自杀风险——请优先处理（PHQ9 第9题阳性）[2]。建议：立即评估。"
       "本评估仅为辅助决策参考，不构成诊断。",
    en="Emotional state: undetermined (no facial or vocal affect evidence). Depression level: "
       "moderate depression (from scales) [1]. Suicide risk: high - act on this first (PHQ9 "
       "item 9 positive) [2]. Recommendation for the counselor: assess now. This assessment is "
       "decision support for a qualified professional, not a diagnosis.",
)


def test_marker_and_sentences() -> None:
    assert marker(3) == "[3]" and marker(None) == ""
    assert numbers_in(TEXT.zh) == numbers_in(TEXT.en) == [1, 2]
    first = claim_sentence(TEXT, 1)
    assert first == Bilingual(zh="抑郁程度：中度抑郁（依据量表）[1]。",
                              en="Depression level: moderate depression (from scales) [1].")
    second = claim_sentence(TEXT, 2)
    assert second is not None and second.en.startswith("Suicide risk: high")
    assert second.zh.startswith("自杀风险") and second.zh.endswith("[2]。")
    assert claim_sentence(TEXT, 3) is None
    assert without_markers(first.en) == "Depression level: moderate depression (from scales)."
    assert without_markers(first.zh) == "抑郁程度：中度抑郁（依据量表）。"


def _event(start: float) -> FeatureText:
    """SYNTHETIC micro-expression."""
    return FeatureText(modality="video", kind="micro_expression", start_s=start,
                       end_s=start + 0.3, text=Bilingual(zh="合成", en="SYNTHETIC"),
                       values={"me_class": "negative", "concept_ids": ["me_class:negative"]})


def test_timeline_reads_claim_numbers_and_keeps_fusion_claims_off_the_axis() -> None:
    features = [_event(1.0), _event(3.0)]
    ids = ["s/f0", "s/f1"]
    evidence = [
        {"claim": "emotional_state:negative", "modality": "video", "feature_ids": ["s/f1"],
         "path": ["s/f1", "me_class:negative", "valence:negative"], "claim_number": 1},
        {"claim": "suicide_risk:none", "modality": "fusion", "feature_ids": ids,
         "path": ["s/f0", "risk:none"], "claim_number": 2},
        {"claim": "modality_missing:scales", "modality": "scales", "feature_ids": [],
         "claim_number": None},
    ]
    tl = build_timeline("s", "", features, ids, evidence, TEXT)
    assert [(c.number, c.spans) for c in tl.claims] == [(1, [(3.0, 3.3)]), (2, [])]
    assert tl.evidence_spans() == {(3.0, 3.3): [1]}  # "no risk" is not drawn on every event
    assert tl.claims[0].sentence == claim_sentence(TEXT, 1)


def test_assessment_stored_before_numbering_gets_numbers_by_first_appearance() -> None:
    evidence = [
        {"claim": "emotional_state:negative", "modality": "video", "feature_ids": ["s/f0"]},
        {"claim": "modality_missing:speech", "modality": "speech"},
        {"claim": "observed:video", "modality": "video", "feature_ids": ["s/f1"]},
        {"claim": "emotional_state:negative", "modality": "video", "feature_ids": ["s/f1"]},
    ]
    tl = build_timeline("s", "", [_event(1.0), _event(3.0)], ["s/f0", "s/f1"], evidence,
                        Bilingual(zh="旧文本。", en="Old text."))
    assert [m.number for m in tl.evidence] == [1, None, 2, 1]
    assert [(c.number, c.sentence) for c in tl.claims] == [(1, None), (2, None)]
    assert tl.evidence_spans() == {(1.0, 1.3): [1], (3.0, 3.3): [1, 2]}
