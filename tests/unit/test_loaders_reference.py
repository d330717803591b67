"""The loaders read every shipped real annotation sheet with the counts the README/FORMATS give.

The sheets live in ../shared/reference/datasets (licence-restricted, never copied into the
repo); set MINDKG_REFERENCE_DIR to point elsewhere.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from research.datasets import casme2, casme3, casme_sq, megc, samm, smic

REF = Path(
    os.environ.get(
        "MINDKG_REFERENCE_DIR",
        Path(__file__).resolve().parents[3] / "shared" / "reference" / "datasets",
    )
)
if not REF.is_dir():  # the only reason to skip: the reference folder is not beside the clone
    pytest.skip(f"reference datasets folder absent: {REF}", allow_module_level=True)


def test_casme2_2014_sheet() -> None:
    rows = casme2.read_coding_sheet(REF / "CASME2/CASME2-coding-20140508.xlsx")
    assert len(rows) == 255 and len({s.subject for s in rows}) == 26
    assert Counter(s.emotion for s in rows) == {
        "others": 99, "disgust": 63, "happiness": 32, "repression": 27,
        "surprise": 25, "sadness": 7, "fear": 2,
    }  # fmt: skip
    slash = next(s for s in rows if (s.subject, s.clip_id) == ("04", "EP12_01f"))
    assert slash.apex is None and "apex not annotated" in slash.issues[0]
    assert sum(s.class5 is not None for s in rows) == 246
    three = megc.megc_subset(rows)
    assert len(three) == 145 and len({s.subject for s in three}) == 24
    assert Counter(s.class3 for s in three) == {"negative": 88, "positive": 32, "surprise": 25}


def test_casme2_2019_and_objective_classes() -> None:
    rows = casme2.read_coding_sheet(REF / "CASME2/CASME2-coding-20190701.xlsx")
    emotions = Counter(s.emotion for s in rows)
    assert len(rows) == 255 and emotions["surprise"] == 28 and emotions["sadness"] == 4
    assert all(s.objective_class in range(1, 8) for s in rows)
    objective = casme2.read_objective_classes(REF / "CASME2/CASME2-ObjectiveClasses.xlsx")
    assert len(objective) == 255 and Counter(objective.values())[3] == 99


@pytest.mark.parametrize(
    "rel", ["SAMM/SAMM_Micro_FACS_Codes_v2.xlsx", "SAMM/corrected_copy_davidnvq/SAMM_Micro_FACS_Codes_v2.xlsx"]
)
def test_samm_micro_sheets(rel: str) -> None:
    rows = samm.read_micro_sheet(REF / rel)
    assert len(rows) == 159 and len({s.subject for s in rows}) == 29
    assert rows[0].subject == "006" and rows[0].clip_id == "006_1_2" and rows[0].onset == 5562
    assert Counter(s.emotion for s in rows)["anger"] == 57
    assert sum(s.class5 is not None for s in rows) == 136
    three = megc.megc_subset(rows)
    assert len(three) == 133 and len({s.subject for s in three}) == 28
    assert Counter(s.class3 for s in three) == {"negative": 92, "positive": 26, "surprise": 15}
    flagged = {s.clip_id for s in rows if s.issues}
    assert flagged == (set() if "corrected" in rel else {"028_4_1", "032_3_1"})


def test_samm_long_videos() -> None:
    rows = samm.read_long_video_sheet(REF / "SAMM/SAMM_LongVideos_V2_Release.csv")
    assert len(rows) == 502 and len({s.subject for s in rows}) == 30
    assert Counter(s.expression_type for s in rows) == {"macro": 343, "micro": 159}
    assert len({s.clip_id.rsplit("_", 1)[0] for s in rows}) == 147
    assert next(s for s in rows if s.clip_id == "006_1_2").onset == 3562


def test_casme_sq_code_sheet() -> None:
    rows = casme_sq.read_code_sheet(REF / "CASME_sq/CAS(ME)^2code_final(Updated).csv")
    assert len(rows) == 357 and len({s.subject for s in rows}) == 22
    assert Counter(s.expression_type for s in rows) == {"macro": 300, "micro": 57}
    micro = Counter(s.class4 for s in rows if s.expression_type == "micro")
    assert micro == {"negative": 21, "others": 19, "surprise": 9, "positive": 8}
    assert sum(s.offset == 0 for s in rows) == 44
    assert "happyiness" not in {s.emotion for s in rows}


def test_casme3_part_a_v2_labels() -> None:
    rows = casme3.read_part_a(REF / "CASME3/partA/cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx")
    assert len(rows) == 860 and len({s.subject for s in rows}) == 94
    assert Counter(s.emotion for s in rows)["others"] == 161  # 158 'others' + 3 'Others'
    assert Counter(s.class4 for s in rows) == {
        "positive": 55, "negative": 457, "surprise": 187, "others": 161
    }  # fmt: skip
    assert any(s.clip_id == "j" and s.subject == "spNO.14" for s in rows)  # 'J' lower-cased
    zero = next(s for s in rows if (s.subject, s.clip_id, s.onset) == ("spNO.216", "e", 0))
    assert any("frame 0" in i for i in zero.issues)


def test_casme3_part_a_other_sheets() -> None:
    for name, macro, micro in (("v2", 3346, 860), ("v1", 3285, 921)):
        path = REF / f"CASME3/partA/CAS(ME)3_part_A_{name}.xls"
        rows = casme3.read_part_a(path)
        assert Counter(s.expression_type for s in rows) == {"macro": macro, "micro": micro}
        assert len({s.subject for s in rows}) == 98
        assert len(casme3.read_eye_blinks(path)) == 841
    assert len(casme3.read_part_a(REF / "CASME3/partA/CAS(ME)3_part_A_v1.xls", "Sheet1")) == 918
    v1 = casme3.read_part_a(REF / "CASME3/partA/cas(me)3_part_A_ME_label_JpgIndex_v1.xls")
    assert len(v1) == 921
    # README counts 23 rows: 12 + 10 data rows around one blank separator row.
    wrong = casme3.read_part_a_errata(
        REF / "CASME3/partA/CAS(ME)3_part_A_wrongly_labeled_me_in_V1.xlsx"
    )
    assert len(wrong) == 22 and wrong[-1].emotion == "others"
    htnet = casme3.read_part_a(REF / "CASME3/cas(me)3_part_A_edited.csv")
    assert len(htnet) == 687 and len({s.subject for s in htnet}) == 87
    assert Counter(s.class3 for s in htnet) == {"negative": 449, "positive": 54, "surprise": 184}
    errata = casme3.read_part_a(REF / "CASME3/exception/casme3_partA_error_list_ZhouJu.text_only.csv")
    assert len(errata) == 16


def test_casme3_parts_b_c_and_exceptions() -> None:
    me = casme3.read_part_c(REF / "CASME3/partC/CAS(ME)3_part_C_ME.xlsx")
    assert len(me) == 165 and len({s.subject for s in me}) == 30
    assert Counter(s.emotion for s in me) == {
        "negative": 99, "surprise": 30, "others": 20, "positive": 16
    }  # fmt: skip
    intervals = casme3.read_part_c_intervals(REF / "CASME3/partC/CAS(ME)3_part_C.xls")
    assert len(intervals) == 463 and len({r[0] for r in intervals}) == 28
    assert Counter(r[4] for r in intervals) == {0: 303, 1: 160}
    reports = casme3.read_part_b_self_reports(
        REF / "CASME3/supplementary_file/part_B_self_report_by_subjects_per_video.xlsx"
    )
    # README's "1484 r (115 subjects)" for Sheet1 counts the title and header rows.
    sheet1 = [r for r in reports if r["sheet"] == "Sheet1"]
    sheet2 = [r for r in reports if r["sheet"] == "Sheet2"]
    assert (len(sheet1), len({r["subject"] for r in sheet1})) == (1482, 114)
    assert (len(sheet2), len({r["subject"] for r in sheet2})) == (195, 15)
    for name, count in (("error_info_damaged_image_partA.txt", 130), ("image_with_bad_quality_partA.txt", 964)):
        assert len(casme3.read_exception_frames(REF / "CASME3/exception" / name)) == count


@pytest.mark.parametrize(
    ("name", "hs", "hs_classes"),
    [
        ("SMIC-HS-E_annotation_orig.xlsx", 162, {"negative": 70, "positive": 51, "surprise": 41}),
        ("SMIC-HS-E_annotation.xlsx", 157, {"negative": 66, "positive": 51, "surprise": 40}),
    ],
)
def test_smic_e_sheets(name: str, hs: int, hs_classes: dict[str, int]) -> None:
    rows = smic.read_e_sheet(REF / "SMIC" / name, "HS")
    assert len(rows) == hs and len({s.subject for s in rows}) == 16
    assert Counter(s.emotion for s in rows) == hs_classes
    vis = smic.read_e_sheet(REF / "SMIC" / name, "VIS")
    assert len(vis) == 71 and len({s.subject for s in vis}) == 8


@pytest.mark.parametrize("name", ["combined_3class_gt.csv", "combined_3_class2_for_optical_flow.csv"])
def test_megc_ground_truth(name: str) -> None:
    rows = megc.read_ground_truth(REF / "MEGC" / name)
    assert len(rows) == 442 and len({(r.dataset, r.subject) for r in rows}) == 68
    assert Counter(r.label for r in rows) == {"negative": 250, "positive": 109, "surprise": 83}
    assert Counter(r.dataset for r in rows) == {"casme2": 145, "samm": 133, "smic": 164}
    assert {r.subject for r in rows if r.dataset == "samm"} >= {"006", "037"}


def test_megc_list_equals_rule_applied_to_casme2_and_samm_sheets() -> None:
    gt = megc.read_ground_truth(REF / "MEGC/combined_3class_gt.csv")
    for dataset, sheet, reader in (
        ("casme2", "CASME2/CASME2-coding-20140508.xlsx", casme2.read_coding_sheet),
        ("samm", "SAMM/SAMM_Micro_FACS_Codes_v2.xlsx", samm.read_micro_sheet),
    ):
        ours = {(s.subject, s.clip_id, s.class3) for s in megc.megc_subset(reader(REF / sheet))}
        theirs = {(r.subject, r.clip_id, r.label) for r in gt if r.dataset == dataset}
        assert ours == theirs
