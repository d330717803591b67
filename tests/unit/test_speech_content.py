"""Content analysis: suicidal-ideation flags, symptom mentions, syllables, transcripts,
and the mapping tables. Texts here are written for the tests (synthetic statements)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.audio import AudioInputError, analyze_speech
from ingest.audio.asr import Segment
from ingest.audio.content import analyse_content, count_syllables
from ingest.audio.tables import decide, normalise_baseline
from ingest.audio.transcript import read_transcript


def _seg(text: str) -> list[Segment]:
    return [Segment(1.0, 3.0, text, ())]


@pytest.mark.parametrize(
    ("text", "language", "phrase"),
    [
        ("有时候我觉得活着没有意思，甚至想过不如死了算了。", "zh", "活着没有意思"),
        ("我真的不想活了", "zh", "不想活"),
        ("Sometimes I think about how I could kill myself.", "en", "kill myself"),
        ("I feel like I'd be better off dead.", "en", "better off dead"),
        ("最近压力很大，有点想 end my life", "zh", "end my life"),
    ],
)
def test_suicidal_statement_is_high_risk(text: str, language: str, phrase: str) -> None:
    found = analyse_content(_seg(text), language)
    assert found.suicide_risk == "high"
    assert phrase in [m.phrase for m in found.risk]
    assert found.risk[0].start_s == 1.0


def test_negated_mention_is_flagged_for_review_not_high() -> None:
    found = analyse_content(_seg("我从来没想过自杀。"), "zh")
    assert found.suicide_risk == "moderate"
    assert found.risk[0].negated
    found_en = analyse_content(_seg("I have never been suicidal."), "en")
    assert found_en.suicide_risk == "moderate"


def test_words_that_negate_nothing_and_whisper_variants() -> None:
    """不如 ("might as well") negates nothing; Whisper's 活著 is 活着 for matching (the
    transcript of samples/speech/zh_04 after OpenCC t2s, which keeps 著)."""
    found = analyse_content(_seg("甚至想过不如死了算了。"), "zh")
    assert found.suicide_risk == "high"
    assert not any(m.negated for m in found.risk)
    found = analyse_content(_seg("有时候我觉得活著没有意思,甚至想过不如死了算了。"), "zh")
    assert found.suicide_risk == "high"
    assert "活着没有意思" in [m.phrase for m in found.risk]
    assert analyse_content(_seg("我不会去死的。"), "zh").suicide_risk == "moderate"


def test_risk_is_never_averaged_away() -> None:
    """One statement among many positive ones still sets high risk."""
    happy = [Segment(i, i + 1.0, "今天天气很好，我很开心，和朋友吃饭聊天。", ())
             for i in range(50)]
    found = analyse_content([*happy, Segment(60.0, 62.0, "我想死。", ())], "zh")
    assert found.suicide_risk == "high"
    assert [m.start_s for m in found.risk] == [60.0]


def test_no_risk_in_ordinary_speech() -> None:
    assert analyse_content(_seg("这周和室友一起去爬山了，心情不错。"), "zh").suicide_risk == "none"
    assert analyse_content(_seg("He might even have been made amiable."), "en").risk == []


def test_symptom_mentions() -> None:
    found = analyse_content(_seg("我最近睡不好，每天都很累，吃饭也没有胃口，觉得未来没有希望。"),
                            "zh")
    assert set(found.symptoms) == {"sleep", "fatigue", "appetite", "hopelessness"}
    en = analyse_content(_seg("I can't sleep and I feel worthless, I can't concentrate."), "en")
    assert set(en.symptoms) == {"sleep", "worthlessness", "concentration"}


def test_negated_symptom_is_not_counted() -> None:
    assert "sleep" not in analyse_content(_seg("我没有失眠"), "zh").symptoms


def test_syllable_counts() -> None:
    assert count_syllables("我最近睡不好，每天都很累。", "zh") == 11
    assert count_syllables("he was not an ill disposed young man", "en") == 9
    assert count_syllables("a more respectable woman", "en") == 8


def test_srt_json_and_text_transcripts(tmp_path: Path) -> None:
    srt = tmp_path / "t.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,500\n我最近睡不好\n\n2\n00:00:03,000 --> "
                   "00:00:04,000\n每天都很累\n", encoding="utf-8")
    segs, timed = read_transcript(srt)
    assert timed and [(s.start_s, s.end_s, s.text) for s in segs] == [
        (1.0, 2.5, "我最近睡不好"), (3.0, 4.0, "每天都很累")]
    js = tmp_path / "t.json"
    js.write_text(json.dumps({"segments": [{"start": 0, "end": 2, "text": "I want to die"}]}),
                  encoding="utf-8")
    assert read_transcript(js)[0][0].text == "I want to die"
    txt = tmp_path / "t.txt"
    txt.write_text("第一行\n第二行\n", encoding="utf-8")
    segs, timed = read_transcript(txt)
    assert not timed and segs[0].text == "第一行 第二行"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(AudioInputError, match="invalid JSON"):
        read_transcript(bad)


def test_transcript_only_gives_content_feature(tmp_path: Path) -> None:
    txt = tmp_path / "t.txt"
    txt.write_text("我觉得活着没有意义，晚上经常失眠。", encoding="utf-8")
    result = analyze_speech(None, transcript_path=txt, language="zh", progress=False)
    (content,) = result.feature_texts
    assert content.kind == "speech_content" and content.modality == "audio"
    assert content.values["suicide_risk"] == "high"
    assert "risk:high" in content.values["concept_ids"]
    assert "失眠" in content.values["symptom_mentions"]["sleep"]
    assert "自杀意念" in content.text.zh


def test_tables_population_norms_and_baseline() -> None:
    slow = {"articulation_rate_sps": 3.0, "pause_ratio": 0.45}
    assert decide("rate", slow, "zh", None).code == "slow_many_pauses"
    assert decide("rate", {"articulation_rate_sps": 5.0, "pause_ratio": 0.2}, "zh",
                  None).code == "normal"
    # The same 3.0 syll/s is ordinary for a speaker who always speaks that slowly.
    base = normalise_baseline({"articulation_rate_sps": [2.9, 3.1, 3.0],
                               "pause_ratio": {"mean": 0.4, "sd": 0.05}})
    d = decide("rate", slow, "zh", base)
    assert d.code == "normal" and d.reference == "baseline"
    # F0 level has no population norm (sex unknown): only a baseline can call it low.
    low = {"f0_mean_hz": 150.0, "f0_range_semitones": 11.0}
    assert decide("intonation", low, "zh", None).code == "normal"
    base_f0 = normalise_baseline({"f0_mean_hz": [200.0, 210.0, 190.0]})
    assert decide("intonation", low, "zh", base_f0).code == "low"


def test_bad_baseline() -> None:
    with pytest.raises(AudioInputError, match="baseline"):
        normalise_baseline({"pause_ratio": "high"})


def test_baseline_from_earlier_feature_values() -> None:
    from ingest.audio.tables import baseline_from_sessions

    earlier: list[dict[str, Any]] = [{"articulation_rate_sps": 3.0, "pause_ratio": 0.4, "transcript": "x"},
               {"articulation_rate_sps": 3.2, "pause_ratio": 0.42, "f0_mean_hz": None}]
    base = baseline_from_sessions(earlier)
    assert base == {"articulation_rate_sps": [3.0, 3.2], "pause_ratio": [0.4, 0.42]}
    d = decide("rate", {"articulation_rate_sps": 3.1, "pause_ratio": 0.41}, "zh",
               normalise_baseline(base))
    assert d.code == "normal" and d.reference == "baseline"


def test_content_text_shows_the_probability_its_label_came_from(tmp_path: Path) -> None:
    """An English transcript barely covered by the (Chinese) p/n/m vectors has cosines of 0;
    the label comes from P(positive), and that is the number the text shows."""
    txt = tmp_path / "t.txt"
    txt.write_text("I have been so tired lately and nothing seems to matter anymore.",
                   encoding="utf-8")
    (content,) = analyze_speech(None, transcript_path=txt, language="en",
                                progress=False).feature_texts
    pol = content.values["polarity"]
    shown = f"{pol['probability_positive']:.2f}"
    assert f"(P(positive) {shown})" in content.text.en
    assert f"（正面概率 {shown}）" in content.text.zh
