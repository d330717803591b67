"""ASR hallucination guards and the CER evaluation (`mindkg eval asr`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.audio.asr import (
    collapse_loops,
    compression_ratio,
    is_loop,
    to_simplified,
)
from ingest.audio.asr_eval import edit_distance, normalise, normalise_lenient, pairs, summary

SPEECH = Path(__file__).resolve().parents[2] / "samples" / "speech"


def _reference_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@pytest.mark.parametrize("text", ["导" * 20, "今天去导人之公司" + "导" * 12, "我觉得" * 7,
                                  "我觉得挺好的" * 6])
def test_repetition_loops_are_detected_and_collapsed(text: str) -> None:
    assert is_loop(text)
    collapsed = collapse_loops(text)
    assert not is_loop(collapsed)
    assert len(collapsed) < len(text) / 2


@pytest.mark.parametrize("text", [
    "理论上来想应该是要希望能从事自己喜欢的工作，就是工作的时候能够获得乐趣。",
    "哈哈哈", "I have been sleeping badly and I feel tired every day.", ""])
def test_ordinary_text_is_not_a_loop(text: str) -> None:
    assert not is_loop(text)
    assert compression_ratio(text) <= 2.4


def test_mandarin_text_is_simplified_and_english_untouched() -> None:
    # traditional forms of the kind Whisper base writes now and then despite its prompt
    assert to_simplified("這個圖書館很舊", "zh") == "这个图书馆很旧"
    assert to_simplified("我們說過的話", "zh") == "我们说过的话"
    assert to_simplified("我觉得还好", "zh") == "我觉得还好"
    assert to_simplified("I feel tired", "en") == "I feel tired"


def test_a_block_of_several_answers_is_transcribed_to_its_end() -> None:
    """Whisper base on one 23.5 s block of four committed Mandarin recordings with short pauses:
    decoding seeks on through the whole block (timestamp mode), so every sentence, the last
    included, is in the text, in simplified characters without any prompt; segment and word
    times are absolute (block offset added) and in order."""
    import numpy as np
    import soundfile as sf

    from ingest.audio.asr import model_for, transcribe

    names = ["zh_01.flac", "zh_02.flac", "zh_03.flac", "zh_06.flac"]
    refs = dict(line.split("\t", 1) for line in
                (SPEECH / "transcripts.tsv").read_text(encoding="utf-8").splitlines() if line)
    parts = []
    for name in names:
        samples, rate = sf.read(SPEECH / name, dtype="float32")
        assert rate == 16_000
        parts += [samples, np.zeros(4_800, np.float32)]
    block = np.concatenate(parts[:-1])
    _label, model = model_for("base", "zh", threads=1)
    segments = transcribe(model, block, 100.0, "zh")
    hyp = normalise("".join(s.text for s in segments))
    for name in names:  # each sentence, the last one included, is (nearly) all there
        ref = normalise(refs[name])
        best = min(edit_distance(ref, hyp[i:i + len(ref)]) for i in range(len(hyp)))
        assert best / len(ref) < 0.2, (name, hyp)
    assert to_simplified(hyp, "zh") == hyp
    starts = [s.start_s for s in segments]
    assert starts == sorted(starts) and starts[0] >= 100.0
    assert segments[-1].end_s <= 100.0 + block.size / 16_000 + 0.5
    assert all(100.0 <= w.start_s <= w.end_s for s in segments for w in s.words)


def test_edit_distance_matches_the_textbook_recurrence() -> None:
    import random

    rng = random.Random(3)
    for _ in range(200):
        a = "".join(rng.choice("我你他好的") for _ in range(rng.randint(0, 12)))
        b = "".join(rng.choice("我你他好的") for _ in range(rng.randint(0, 12)))
        assert edit_distance(a, b) == _reference_distance(a, b)
    assert normalise("我，最近 睡不好。OK!") == "我最近睡不好ok"


@pytest.mark.parametrize(("text", "strict", "lenient"), [
    ("ＯＫ，１２个！", "ok12个", "ok十二个"),  # full-width folded to half-width first
    ("嗯，花了40多块钱，额", "嗯花了40多块钱额", "花了四十多块钱"),
    ("2019年的3.5倍", "2019年的35倍", "二零一九年的三点五倍"),
    ("第105名，10000人，110分，0571", "第105名10000人110分0571",
     "第一百零五名一万人一百一十分零五七一"),
])
def test_cer_normalisation(text: str, strict: str, lenient: str) -> None:
    assert normalise(text) == strict
    assert normalise_lenient(text) == lenient


def test_layout_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a folder"):
        pairs(tmp_path / "missing")
    (tmp_path / "t_1").mkdir()
    (tmp_path / "t_1" / "positive.flac").write_bytes(b"")
    with pytest.raises(ValueError, match="no speaker folders"):
        pairs(tmp_path)


def test_eval_asr_on_a_real_recording(tmp_path: Path) -> None:
    """The real speech path (decode, VAD, Whisper base) on one committed Mandarin sample."""
    from api.cli import app

    refs = dict(line.split("\t", 1) for line in
                (SPEECH / "transcripts.tsv").read_text(encoding="utf-8").splitlines() if line)
    speaker = tmp_path / "data" / "s_1"
    speaker.mkdir(parents=True)
    shutil.copy(SPEECH / "zh_01.flac", speaker / "positive.flac")
    (speaker / "positive.txt").write_text(refs["zh_01.flac"], encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "asr", "--root", str(tmp_path / "data"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "asr_report.json").read_text(encoding="utf-8"))
    assert report["files"] == 1 and report["files_with_loops"] == 0
    assert report["cer"] < 0.3
    assert report["rtf"] > 0 and report["cpu_per_audio_s"] > 0
    assert report["cer_lenient"] <= report["cer"] + 0.05
    lo, hi = report["cer_ci95"]
    assert lo <= report["cer"] <= hi


def test_summary_pools_characters_not_files() -> None:
    from ingest.audio.asr_eval import FileResult

    rows = [FileResult("a", "x", 10.0, 1.0, 1, 100, 0, "", 1, 98, 2.0),
            FileResult("b", "y", 10.0, 3.0, 9, 10, 1, "", 7, 10, 4.0)]
    s = summary(rows, n_boot=50)
    assert s["cer"] == pytest.approx(10 / 110)
    assert s["cer_lenient"] == pytest.approx(8 / 108)
    assert s["cer_lenient_ci95"][0] <= s["cer_lenient"] <= s["cer_lenient_ci95"][1]
    assert s["rtf"] == pytest.approx(0.2)
    assert s["cpu_per_audio_s"] == pytest.approx(0.3)
    assert s["files_with_loops"] == 1


def test_decode_settings_research_runs_the_product_path(tmp_path: Path) -> None:
    """research/asr/decode_settings.py on one committed recording, with an override."""
    from research.asr.decode_settings import evaluate

    refs = dict(line.split("\t", 1) for line in
                (SPEECH / "transcripts.tsv").read_text(encoding="utf-8").splitlines() if line)
    (tmp_path / "s_1").mkdir()
    shutil.copy(SPEECH / "zh_03.flac", tmp_path / "s_1" / "neutral.flac")
    (tmp_path / "s_1" / "neutral.txt").write_text(refs["zh_03.flac"], encoding="utf-8")
    report = evaluate(tmp_path, ["s_1"], {"beam_size": 1}, threads=1)
    assert report["options"] == {"beam_size": 1}
    assert len(report["per_file"]) == 1 and report["cer"] < 0.3
    assert report["cer_lenient"] <= report["cer"] + 0.05 and report["cpu_per_audio_s"] > 0
