"""The timeline's speech series: decimated F0/energy contour, pauses and per-utterance values,
stored in the feature texts by the real speech path (ffmpeg decode, VAD, Praat)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from ingest.audio import analyze_speech
from ingest.audio.contour import MAX_POINTS, contour, pause_spans

ZH = Path(__file__).resolve().parents[2] / "samples" / "speech" / "zh_01.flac"


def test_contour_is_decimated_and_keeps_gaps() -> None:
    t = np.arange(0.0, 1800.0, 0.01)  # 30 minutes of 10 ms frames
    voiced = (t % 10) < 6
    f0 = np.where(voiced, 200.0, 0.0)
    energy = np.where(voiced, -20.0, -60.0)
    c = contour(t, f0, t, energy)
    assert len(c["t"]) == len(c["f0_hz"]) == len(c["energy_db"]) <= MAX_POINTS
    assert c["step_s"] == pytest.approx(0.9, abs=0.01)
    assert {v for v in c["f0_hz"] if v is not None} == {200.0}
    assert None in c["f0_hz"]  # unvoiced bins stay empty, not zero
    assert min(v for v in c["energy_db"] if v is not None) < -50
    assert len(json.dumps(c)) < 60_000
    short = contour(t[:300], f0[:300], t[:300], energy[:300])
    assert len(short["t"]) == 300  # shorter than the limit: one point per frame


def test_contour_rejects_no_points() -> None:
    with pytest.raises(ValueError, match="max_points"):
        contour(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1), max_points=0)
    empty = contour(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    assert empty["t"] == []


def test_pause_spans_follow_the_vad_rule() -> None:
    starts = np.arange(0.0, 3.0, 0.03)
    mask = (starts < 1.0) | (starts >= 1.5) & (starts < 1.6) | (starts >= 2.5)
    spans = pause_spans(starts, mask)
    assert [(round(a, 2), round(b, 2)) for a, b in spans] == [(1.02, 1.5), (1.62, 2.52)]
    assert pause_spans(starts, np.zeros(starts.size, dtype=bool)) == []


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs Debian's ffmpeg")
def test_real_speech_stores_the_timeline_series(tmp_path: Path) -> None:
    transcript = tmp_path / "t.json"
    transcript.write_text(json.dumps({"segments": [
        {"start": 0.0, "end": 2.0, "text": "我最近睡不好"},
        {"start": 2.0, "end": 4.0, "text": "每天都很累，对什么都提不起兴趣"}]},
        ensure_ascii=False), encoding="utf-8")
    result = analyze_speech(ZH, transcript_path=transcript, language="zh", progress=False)
    content, intonation, rate = result.feature_texts[:3]
    c = intonation.values["contour"]
    assert 0 < len(c["t"]) <= MAX_POINTS and c["t"][-1] <= result.duration_s + c["step_s"]
    voiced = [v for v in c["f0_hz"] if v is not None]
    assert voiced and abs(np.mean(voiced) - intonation.values["f0_mean_hz"]) < 40
    assert isinstance(rate.values["pauses"], list)
    assert all(b > a for a, b in rate.values["pauses"])
    segments = content.values["segments"]
    assert [s["text"] for s in segments] == ["我最近睡不好", "每天都很累，对什么都提不起兴趣"]
    assert segments[0]["syllables_per_s"] == pytest.approx(3.0)
    assert all("polarity" in s for s in segments)
