"""Loaders find frames in each dataset's folder layout (SYNTHETIC fixtures in the real formats,
written by tests/fixtures/datasets/make_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from research.datasets import frame_number, load_dataset, parse_aus
from research.datasets.sample import normalise_emotion, to_class3
from research.datasets.sheets import SheetError, read_sheet
from research.datasets.smic import folder_clip, folder_subject

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "datasets"


def test_casme2_layout_quirks() -> None:
    samples = {s.clip_id: s for s in load_dataset("casme2", FIX / "casme2")}
    first = samples["EP01_01"]
    assert first.frame_dir == FIX / "casme2/Cropped/sub01/EP01_01"
    assert [frame_number(p) for p in first.frames] == list(range(2, 12))  # natural order
    assert first.frame_path(6).name == "reg_img6.jpg"
    assert samples["EP09_01"].apex is None  # '/' apex
    assert samples["EP10_01"].frames == () and "frame folder not found" in samples["EP10_01"].issues
    assert samples["EP02_01"].au_tokens == ("4", "L10") and samples["EP02_01"].aus == (4, 10)


def test_samm_preamble_and_zero_padded_frames() -> None:
    samples = load_dataset("samm", FIX / "samm")
    assert [s.subject for s in samples] == ["006", "006", "007", "007"]
    assert samples[0].frames[0].name == "006_05562.jpg"
    assert samples[0].class3 == "negative" and samples[1].class3 == "positive"
    assert any("outside" in i for i in samples[3].issues)


def test_smic_folder_naming() -> None:
    samples = load_dataset("smic", FIX / "smic")
    assert [s.clip_id for s in samples] == ["s01_ne_01", "s01_po_01", "s02_sur_01"]
    assert [s.class3 for s in samples] == ["negative", "positive", "surprise"]
    assert samples[0].frame_dir is not None and samples[0].frame_dir.name == "s1_ne_01"
    assert samples[0].apex is None and samples[0].onset == 1000 and samples[0].offset == 1008
    assert folder_subject("s01") == "s1" and folder_clip("s01_sur_05") == "s1_sur_05"
    with pytest.raises(ValueError, match="not a SMIC clip"):
        folder_clip("006_1_2")


def test_casme_sq_micro_only_with_video_folders() -> None:
    samples = load_dataset("casme_sq", FIX / "casme_sq")
    assert [s.class4 for s in samples] == ["negative", "positive"]
    assert samples[1].emotion == "happiness"  # 'happyiness' typo normalised
    assert samples[0].frame_dir == FIX / "casme_sq/rawpic/s15/15_0401girlcrashing"


def test_casme3_part_a_frame_is_file_name() -> None:
    samples = load_dataset("casme3", FIX / "casme3")
    b = next(s for s in samples if s.clip_id == "b")  # 'B' in the sheet
    assert b.frame_dir == FIX / "casme3/part_A/data/part_A/spNO.1/b/color"
    assert b.frame_path(170).name == "170.jpg"
    assert b.objective_class == 3 and b.class4 == "negative"
    zero = next(s for s in samples if s.clip_id == "d")
    assert zero.emotion == "others" and any("frame 0" in i for i in zero.issues)
    with pytest.raises(FileNotFoundError, match="frame 400"):
        b.frame_path(400)


def test_megc_composite_joins_components() -> None:
    samples = load_dataset("megc", FIX / "megc")
    assert len(samples) == 15
    assert {s.dataset for s in samples} == {"casme2", "samm", "smic"}
    assert all(s.frames for s in samples)
    assert len({s.subject_key for s in samples}) == 7


def test_bad_inputs_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown dataset format"):
        load_dataset("casme9", tmp_path)
    with pytest.raises(FileNotFoundError, match="no annotation sheet"):
        load_dataset("casme2", tmp_path)
    bad = tmp_path / "CASME2-coding-broken.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(SheetError, match="not a readable xlsx"):
        read_sheet(bad)
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "CASME2-coding-x.csv").write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SheetError, match="no header row"):
        load_dataset("casme2", tmp_path / "h")


def test_label_and_au_normalisation() -> None:
    assert parse_aus("4+L10") == (("4", "L10"), (4, 10))
    assert parse_aus("R4,5") == (("R4", "5"), (4, 5))
    assert parse_aus(12.0) == (("12",), (12,))
    assert parse_aus("?") == ((), ())
    assert normalise_emotion(" Others ") == "others" and normalise_emotion("sad") == "sadness"
    assert to_class3("sadness", dataset="casme2") is None
    assert to_class3("sadness", dataset="samm") == "negative"
    assert to_class3("others") is None
