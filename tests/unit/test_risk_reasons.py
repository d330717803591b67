"""The suicide-risk sentence names the positive scale items, and never an empty item number."""

from __future__ import annotations

from contracts.feature_text import Bilingual, FeatureText
from ingest.scales import scale_feature_texts
from models.decoder import assess
from models.fusion.risk import risk_signals


def _sds(values: dict[str, object]) -> FeatureText:
    return FeatureText(modality="scales", kind="scale_score", instance="SDS",
                       text=Bilingual(zh="SDS 标准分 66，中度抑郁", en="SDS index 66, moderate"),
                       values={"level": "moderate", **values})


def test_a_scale_risk_without_items_says_so_instead_of_an_empty_number() -> None:
    # an app's own feature text may state only the level (the load bench's did)
    for items in (None, [], "", [0, True, "x", None], "19"):
        values: dict[str, object] = {"risk_level": "low"}
        if items is not None:
            values["risk_items"] = items
        (signal,) = risk_signals([_sds(values)], ["f/sds"])
        assert signal.level == "low"
        assert "第题" not in signal.reason_zh and "item  " not in signal.reason_en
        assert signal.reason_zh == "SDS 提示自杀风险（未注明阳性条目）"
        assert signal.reason_en == "SDS indicates suicide risk (no positive item named)"
    text = assess([_sds({"risk_level": "low"})], ["f/sds"], [], None).text
    assert "第题" not in text.zh and "item  positive" not in text.en
    assert "SDS 提示自杀风险（未注明阳性条目）" in text.zh


def test_scale_recognizer_output_names_its_positive_items() -> None:
    answers = [2] * 20
    answers[18] = 4  # SDS item 19 (suicidal thoughts) positive
    phq = [1] * 8 + [2]  # PHQ-9 item 9 positive
    features = scale_feature_texts({"SDS": answers, "PHQ9": phq})
    signals = risk_signals(features, [f"f/{f.instance}" for f in features])
    reasons = {s.reason_zh for s in signals} | {s.reason_en for s in signals}
    assert {"SDS 第19题阳性", "SDS item 19 positive", "PHQ9 第9题阳性",
            "PHQ9 item 9 positive"} <= reasons, reasons
    assert risk_signals([_sds({"risk_level": "moderate", "risk_items": [3, "9"]})],
                        ["f"])[0].reason_zh == "SDS 第3、9题阳性"


def test_no_risk_assessment_reads_not_assessed_in_both_decoders() -> None:
    """Absence of evidence is not "no risk": without any feature carrying a risk value both
    the decoder and the rule baseline say suicide risk was not assessed."""
    from models.rule_assessment import rule_assessment

    unassessed, assessed = _sds({}), _sds({"risk_level": "none"})
    text = assess([unassessed], ["f/sds"], [], None).text
    assert "Suicide risk: not assessed" in text.en and "自杀风险：未评估" in text.zh
    assert "no explicit suicide-risk signal" in assess([assessed], ["f/sds"], [], None).text.en
    assert "suicide risk not assessed" in rule_assessment([unassessed], ["f/sds"]).text.en
    assert "no suicide-risk signal" in rule_assessment([assessed], ["f/sds"]).text.en
    # The JSON says so too: an app must not read `suicide_risk` "none" as "no risk".
    for build in (lambda f: assess([f], ["f/sds"], [], None),
                  lambda f: rule_assessment([f], ["f/sds"])):
        assert build(unassessed).suicide_risk_assessed is False
        assert build(assessed).suicide_risk_assessed is True
