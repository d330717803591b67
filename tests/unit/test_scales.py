"""Scale scoring against hand-computed textbook cases (FORMATS.md section 8).

Expected totals and bands below were worked out by hand from the published rules, not from the
code under test; the reverse-item set and item ranges are restated here on purpose so that a
wrong entry in kg/ontology/scale_definitions.py fails a test. All answer sets are synthetic.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ingest.scales import (
    ScaleAnswerError,
    ScaleFileError,
    load_scales_file,
    overall_risk,
    scale_feature_texts,
    score_all,
    score_instrument,
)
from kg.graph_model import check_props
from kg.ontology.scale_definitions import (
    INSTRUMENTS,
    concept_specs,
    relation_specs,
    scale_item_id,
    severity_band_id,
)
from kg.schema import LABELS, RELATIONSHIP_TYPES

SDS_REVERSE = {2, 5, 6, 11, 12, 14, 16, 17, 18, 20}
HAMD_0_TO_2 = {4, 5, 6, 12, 13, 14, 16, 17}


def sds_answers_for_raw(raw: int) -> list[int]:
    """Synthetic SDS answers whose raw score is `raw` (20-80), inverting reverse items by hand."""
    assert 20 <= raw <= 80
    points = [1] * 20
    extra = raw - 20
    for i in range(20):
        add = min(3, extra)
        points[i] += add
        extra -= add
    return [5 - p if n in SDS_REVERSE else p for n, p in enumerate(points, start=1)]


def answers_for_total(maxima: list[int], total: int, skip: int | None = None) -> list[int]:
    """Synthetic 0-based answers summing to `total`, filling items in order, leaving `skip` 0."""
    answers = [0] * len(maxima)
    left = total
    for i, top in enumerate(maxima):
        if i + 1 == skip:
            continue
        answers[i] = min(top, left)
        left -= answers[i]
    assert left == 0, "total not reachable"
    return answers


HAMD_MAX = [2 if n in HAMD_0_TO_2 else 4 for n in range(1, 18)]


# --- definitions ------------------------------------------------------------------------------


def test_instrument_shapes_match_formats_md() -> None:
    assert {k: v.n_items for k, v in INSTRUMENTS.items()} == {
        "SDS": 20,
        "HAMD17": 17,
        "PHQ9": 9,
        "BDI2": 21,
    }
    assert set(INSTRUMENTS["SDS"].reverse_items) == SDS_REVERSE
    hamd = INSTRUMENTS["HAMD17"]
    assert [i.max_answer for i in hamd.items] == HAMD_MAX
    assert (hamd.raw_min, hamd.raw_max) == (0, 52)
    assert (INSTRUMENTS["PHQ9"].raw_max, INSTRUMENTS["BDI2"].raw_max) == (27, 63)
    assert INSTRUMENTS["SDS"].score_range == (25, 100)
    assert hamd.item(3).name_zh == "自杀" and hamd.item(3).name_en == "Suicide"
    assert INSTRUMENTS["SDS"].item(1).name_zh == "忧郁"
    assert INSTRUMENTS["SDS"].item(1).name_en == "Depressed affect"
    assert {k: [r.item for r in v.risk_items] for k, v in INSTRUMENTS.items()} == {
        "SDS": [19],
        "HAMD17": [3],
        "PHQ9": [9],
        "BDI2": [9],
    }


def test_every_item_has_zh_and_en_names() -> None:
    for inst in INSTRUMENTS.values():
        for item in inst.items:
            assert re.search(r"[\u4e00-\u9fff]", item.name_zh), (inst.id, item.number)
            assert re.fullmatch(r"[A-Za-z][A-Za-z ,:()\-]+", item.name_en), (inst.id, item.number)


def test_concept_specs_fit_the_graph_schema() -> None:
    specs = concept_specs()
    ids = [s.id for s in specs]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z_]+:[A-Za-z0-9_:]+", i) for i in ids)
    assert {"scale:SDS", "scale_item:SDS:19", "severity:SDS:moderate", "severity:moderate"} <= set(
        ids
    )
    assert {"risk:none", "risk:low", "risk:moderate", "risk:high"} <= set(ids)
    assert sum(s.type == "ScaleItem" for s in specs) == 20 + 17 + 9 + 21
    for spec in specs:
        assert spec.type in LABELS
        check_props(dict(spec.props), spec.id)
    rels = relation_specs()
    for rel in rels:
        assert rel.type in RELATIONSHIP_TYPES
        assert rel.src in ids and rel.dst in ids, rel
    assert ("scale_item:PHQ9:9", "SIGNALS_RISK", "risk:high") in {
        (r.src, r.type, r.dst) for r in rels
    }


def test_id_helpers_reject_what_does_not_exist() -> None:
    assert scale_item_id("HAMD17", 3) == "scale_item:HAMD17:3"
    assert severity_band_id("PHQ9", "moderately_severe") == "severity:PHQ9:moderately_severe"
    with pytest.raises(KeyError, match="HAMD17 has items 1-17"):
        scale_item_id("HAMD17", 18)
    with pytest.raises(KeyError, match="no severity band"):
        severity_band_id("SDS", "moderately_severe")


# --- SDS --------------------------------------------------------------------------------------


def test_sds_reverse_items_are_scored_five_minus_answer() -> None:
    # All "1": 10 forward items x 1 + 10 reverse items x (5-1) = 50 -> index int(62.5) = 62.
    score = score_instrument("SDS", [1] * 20)
    assert (score.raw_total, score.index, score.severity) == (50, 62, "mild")
    assert score.item_scores[1] == 4 and score.item_scores[0] == 1
    # Least depressed possible: forward 1, reverse 4 -> raw 20, index 25.
    lowest = [4 if n in SDS_REVERSE else 1 for n in range(1, 21)]
    assert score_instrument("SDS", lowest).index == 25
    highest = [1 if n in SDS_REVERSE else 4 for n in range(1, 21)]
    top = score_instrument("SDS", highest)
    assert (top.raw_total, top.index, top.severity, top.level) == (80, 100, "severe", "severe")


def test_sds_worked_example() -> None:
    # Forward items 1,3,4,7,8,9,10,13,15,19: 3+3+2+3+2+3+3+3+3+2 = 27;
    # reverse items all answered 2 -> 10 x 3 = 30; raw 57, index int(71.25) = 71 -> moderate.
    answers = [3, 2, 3, 2, 2, 2, 3, 2, 3, 3, 2, 2, 3, 2, 3, 2, 2, 2, 2, 2]
    score = score_instrument("SDS", answers)
    assert (score.raw_total, score.index, score.severity) == (57, 71, "moderate")
    assert score.label_zh == "中度抑郁"


@pytest.mark.parametrize(
    ("raw", "index", "band"),
    [
        (20, 25, "none"),
        (42, 52, "none"),  # 52.5 truncated: just below the Chinese cut-off 53
        (43, 53, "mild"),  # 53.75 -> 53
        (50, 62, "mild"),  # 62.5 -> 62
        (51, 63, "moderate"),  # 63.75 -> 63
        (58, 72, "moderate"),  # 72.5 -> 72
        (59, 73, "severe"),  # 73.75 -> 73
        (80, 100, "severe"),
    ],
)
def test_sds_chinese_cutoffs_53_63_73(raw: int, index: int, band: str) -> None:
    score = score_instrument("SDS", sds_answers_for_raw(raw))
    assert (score.raw_total, score.index, score.severity) == (raw, index, band)


# --- HAMD-17, PHQ-9, BDI-II bands at every boundary -------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (7, "none"),
        (8, "mild"),
        (16, "mild"),
        (17, "moderate"),
        (23, "moderate"),
        (24, "severe"),
        (48, "severe"),
    ],
)
def test_hamd17_zimmerman_bands(total: int, band: str) -> None:
    score = score_instrument("HAMD17", answers_for_total(HAMD_MAX, total, skip=3))
    assert (score.raw_total, score.severity, score.index, score.risk_level) == (
        total,
        band,
        None,
        "none",
    )


def test_hamd17_maximum_is_52() -> None:
    score = score_instrument("HAMD17", HAMD_MAX)
    assert (score.raw_total, score.severity, score.risk_level) == (52, "severe", "high")


@pytest.mark.parametrize(
    ("total", "band", "level"),
    [
        (0, "minimal", "none"),
        (4, "minimal", "none"),
        (5, "mild", "mild"),
        (9, "mild", "mild"),
        (10, "moderate", "moderate"),
        (14, "moderate", "moderate"),
        (15, "moderately_severe", "severe"),
        (19, "moderately_severe", "severe"),
        (20, "severe", "severe"),
        (24, "severe", "severe"),
    ],
)
def test_phq9_kroenke_cutpoints(total: int, band: str, level: str) -> None:
    score = score_instrument("PHQ9", answers_for_total([3] * 9, total, skip=9))
    assert (score.raw_total, score.severity, score.level) == (total, band, level)


def test_phq9_maximum_27() -> None:
    score = score_instrument("PHQ9", [3] * 9)
    assert (score.raw_total, score.severity, score.label_en) == (
        27,
        "severe",
        "severe depression",
    )


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (13, "minimal"),
        (14, "mild"),
        (19, "mild"),
        (20, "moderate"),
        (28, "moderate"),
        (29, "severe"),
        (60, "severe"),
    ],
)
def test_bdi2_manual_bands(total: int, band: str) -> None:
    score = score_instrument("BDI2", answers_for_total([3] * 21, total, skip=9))
    assert (score.raw_total, score.severity) == (total, band)


# --- suicide-risk items -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "n_items", "item", "answer", "risk"),
    [
        ("PHQ9", 9, 9, 0, "none"),
        ("PHQ9", 9, 9, 1, "moderate"),
        ("PHQ9", 9, 9, 2, "high"),
        ("PHQ9", 9, 9, 3, "high"),
        ("HAMD17", 17, 3, 1, "low"),
        ("HAMD17", 17, 3, 2, "moderate"),
        ("HAMD17", 17, 3, 3, "high"),
        ("HAMD17", 17, 3, 4, "high"),
        ("BDI2", 21, 9, 1, "moderate"),
        ("BDI2", 21, 9, 3, "high"),
    ],
)
def test_risk_item_answer_sets_risk_level_whatever_the_total(
    instrument: str, n_items: int, item: int, answer: int, risk: str
) -> None:
    answers = [0] * n_items
    answers[item - 1] = answer
    score = score_instrument(instrument, answers)
    assert score.risk_level == risk
    assert score.risk_items == (() if answer == 0 else (item,))
    assert score.raw_total == answer  # a low total does not hide the flag


@pytest.mark.parametrize(("answer", "risk"), [(1, "none"), (2, "moderate"), (3, "high")])
def test_sds_item_19(answer: int, risk: str) -> None:
    answers = sds_answers_for_raw(20)
    answers[18] = answer  # item 19 is forward-scored
    score = score_instrument("SDS", answers)
    assert score.risk_level == risk
    assert score.raw_total == 19 + answer


def test_overall_risk_is_the_highest() -> None:
    scores = score_all({"PHQ9": [0] * 8 + [1], "HAMD17": [0, 0, 3] + [0] * 14})
    assert overall_risk(scores) == "high"
    assert overall_risk([]) == "none"


# --- bad input --------------------------------------------------------------------------------

_BAD: list[tuple[str, Any, str, int | None]] = [
    ("PHQ9", [0] * 8 + [5], r"PHQ9 item 9: answer 5 is outside 0-3", 9),
    ("PHQ9", [0, -1] + [0] * 7, r"PHQ9 item 2: answer -1 is outside 0-3", 2),
    ("HAMD17", [0, 0, 0, 3] + [0] * 13, r"HAMD17 item 4: answer 3 is outside 0-2", 4),
    ("HAMD17", [0] * 16 + [4], r"HAMD17 item 17: answer 4 is outside 0-2", 17),
    ("SDS", [1] * 5 + [0] + [1] * 14, r"SDS item 6: answer 0 is outside 1-4", 6),
    ("BDI2", [0] * 20 + [4], r"BDI2 item 21: answer 4 is outside 0-3", 21),
    ("PHQ9", [0, 0, None] + [0] * 6, r"PHQ9 item 3: answer is missing", 3),
    ("PHQ9", [True] + [0] * 8, r"PHQ9 item 1: answer True is not an integer", 1),
    ("BDI2", [0] * 15 + [1.0] + [0] * 5, r"BDI2 item 16: answer 1\.0 is not an integer", 16),
    ("SDS", ["2"] + [1] * 19, r"SDS item 1: answer '2' is not an integer", 1),
    ("PHQ9", [0] * 8, r"PHQ9: expected 9 answers \(items 1-9\), got 8: item 9 onwards", 9),
    ("HAMD17", [0] * 18, r"HAMD17: expected 17 answers .* got 18: there is no item 18", 18),
    ("SDS", "1" * 20, r"SDS: answers must be a list of 20 integers, got str", None),
    ("PHQ-9", [0] * 9, r"unknown instrument 'PHQ-9'; known: SDS, HAMD17, PHQ9, BDI2", None),
]


@pytest.mark.parametrize(("instrument", "answers", "message", "item"), _BAD)
def test_bad_answers_name_instrument_and_item(
    instrument: str, answers: Any, message: str, item: int | None
) -> None:
    with pytest.raises(ScaleAnswerError, match=message) as info:
        score_instrument(instrument, answers)
    assert info.value.item == item
    assert isinstance(info.value, ValueError)


def test_nothing_is_emitted_when_any_instrument_is_bad() -> None:
    good = {"PHQ9": [1] * 9, "SDS": [2] * 20}
    assert len(scale_feature_texts(good)) == 2
    with pytest.raises(ScaleAnswerError, match="HAMD17 item 4") as info:
        scale_feature_texts({**good, "HAMD17": [0, 0, 0, 3] + [0] * 13})
    assert info.value.instrument == "HAMD17"
    with pytest.raises(ScaleAnswerError) as both:
        scale_feature_texts({**good, "BDI2": [9] * 21, "HAMD17": [0] * 16})
    assert "BDI2 item 1: answer 9" in str(both.value)
    assert "HAMD17: expected 17 answers" in str(both.value)
    assert [e.instrument for e in both.value.errors] == ["BDI2", "HAMD17"]


# --- feature texts ----------------------------------------------------------------------------


def test_feature_texts_are_bilingual_with_values() -> None:
    answers = [3, 2, 3, 2, 2, 2, 3, 2, 3, 3, 2, 2, 3, 2, 3, 2, 2, 2, 1, 2]  # raw 56 -> 70
    texts = {ft.instance: ft for ft in scale_feature_texts({"SDS": answers, "PHQ9": [0] * 9})}
    sds = texts["SDS"]
    assert (sds.modality, sds.kind) == ("scales", "scale_score")
    assert sds.text.zh == "SDS 标准分 70（粗分 56），中度抑郁"
    assert sds.text.en == "SDS index 70 (raw 56), moderate depression"
    assert sds.values["concept_ids"] == [
        "scale:SDS",
        "severity:SDS:moderate",
        "severity:moderate",
        "risk:none",
    ]
    assert sds.values["risk_items"] == [] and sds.values["answers"] == answers
    phq = texts["PHQ9"]
    assert phq.text.zh == "PHQ-9 总分 0，极轻微或无抑郁"
    assert phq.values["index"] is None and phq.values["level"] == "none"
    assert sds.local_key() != phq.local_key()


def test_positive_risk_item_is_spelled_out() -> None:
    (ft,) = scale_feature_texts({"PHQ9": [2, 2, 1, 2, 1, 1, 1, 1, 2]})  # total 13
    assert ft.text.zh.startswith("PHQ-9 总分 13，中度抑郁；第9题自杀意念阳性（2分）")
    assert "高自杀风险" in ft.text.zh
    assert "item 9 (suicidal ideation) positive (answer 2 of 0-3)" in ft.text.en
    assert "high suicide risk" in ft.text.en
    assert ft.values["risk_level"] == "high" and ft.values["risk_items"] == [9]
    assert ft.values["concept_ids"][-2:] == ["risk:high", "scale_item:PHQ9:9"]


# --- scales.json ------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scales.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_scales_file_round_trip(tmp_path: Path) -> None:
    data = {"SDS": [2] * 20, "HAMD17": [1] * 17, "PHQ9": [1] * 9}
    loaded = load_scales_file(_write(tmp_path, json.dumps(data)))
    assert loaded == data
    assert [ft.instance for ft in scale_feature_texts(loaded)] == ["SDS", "HAMD17", "PHQ9"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"PHQ9": [0, 0,', r"not valid JSON \(line 1, column"),
        ("[1, 2, 3]", "expected an object mapping instrument ids to answer lists, got list"),
        ('{"PHQ9": "000000000"}', "PHQ9 must be a list of answers, got str"),
        ('{"PHQ9": {"1": 0}}', "PHQ9 must be a list of answers, got dict"),
        ('{"ZUNG": [1]}', "unknown instrument 'ZUNG'"),
        ('{"PHQ9": [0], "PHQ9": [1]}', "instrument 'PHQ9' appears twice"),
        ('{"PHQ9": [NaN, 0, 0, 0, 0, 0, 0, 0, 0]}', "NaN is not a valid answer"),
    ],
)
def test_load_scales_file_rejects_bad_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ScaleFileError, match=message):
        load_scales_file(_write(tmp_path, text))


def test_load_scales_file_missing(tmp_path: Path) -> None:
    with pytest.raises(ScaleFileError, match="scales file not found"):
        load_scales_file(tmp_path / "nope.json")


def test_loaded_bad_answers_fail_at_scoring_with_item(tmp_path: Path) -> None:
    loaded = load_scales_file(_write(tmp_path, '{"PHQ9": [0, 0, 0, 0, 0, 0, 0, 0, null]}'))
    with pytest.raises(ScaleAnswerError, match="PHQ9 item 9: answer is missing"):
        scale_feature_texts(loaded)
