"""Speech-rate and pitch measures follow known manipulations of real speech.

One Mandarin utterance (samples/speech/zh_01.flac, 22 syllables: one per hanzi of its
reference text) is time-stretched with sox `tempo` (pitch kept) and pitch-shifted with sox
`pitch` (tempo kept), then analysed end to end (ffmpeg, VAD, Praat, Whisper).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.audio import analyze_speech
from ingest.audio.content import count_syllables

SPEECH = Path(__file__).resolve().parents[2] / "samples" / "speech"
UTTERANCE = SPEECH / "zh_01.flac"
FACTORS = (0.7, 0.85, 1.0, 1.2, 1.4)

pytestmark = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("sox")),
    reason="needs Debian packages ffmpeg and sox",
)


def _reference(name: str) -> str:
    for line in (SPEECH / "transcripts.tsv").read_text(encoding="utf-8").splitlines():
        file, text = line.split("\t")
        if file == name:
            return text
    raise AssertionError(f"{name} not in transcripts.tsv")


def _sox(src: Path, dst: Path, *effect: str) -> Path:
    subprocess.run(["sox", "-V1", str(src), "-r", "16000", str(dst), *effect], check=True)
    return dst


def _values(path: Path, kind: str) -> dict[str, object]:
    result = analyze_speech(path, language="zh", progress=False)
    return next(ft.values for ft in result.feature_texts if ft.kind == kind)


@pytest.fixture(scope="module")
def stretched(tmp_path_factory: pytest.TempPathFactory) -> dict[float, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("tempo")
    return {f: _values(_sox(UTTERANCE, tmp / f"t{f}.wav", "tempo", "-s", str(f)), "speech_rate")
            for f in FACTORS}


def test_reference_syllable_count() -> None:
    text = _reference(UTTERANCE.name)
    assert count_syllables(text, "zh") == len(re.findall(r"[\u4e00-\u9fff]", text)) == 22


def test_time_stretch_rate_is_increasing_and_within_15_percent(
    stretched: dict[float, dict[str, object]],
) -> None:
    truth_syllables = count_syllables(_reference(UTTERANCE.name), "zh")
    span_1 = float(stretched[1.0]["speech_span_s"])  # type: ignore[arg-type]
    rates = [float(stretched[f]["syllables_per_second"]) for f in FACTORS]  # type: ignore[arg-type]
    assert all(a < b for a, b in zip(rates, rates[1:], strict=False)), rates
    for f, rate in zip(FACTORS, rates, strict=True):
        truth = truth_syllables / (span_1 / f)
        assert abs(rate - truth) / truth <= 0.15, (f, rate, truth)


def test_time_stretch_nuclei_rate_is_increasing(
    stretched: dict[float, dict[str, object]],
) -> None:
    """The ASR-free estimate (de Jong & Wempe nuclei) must also follow the tempo."""
    rates = [float(stretched[f]["syllables_per_second_nuclei"]) for f in FACTORS]  # type: ignore[arg-type]
    assert all(a < b for a, b in zip(rates, rates[1:], strict=False)), rates
    truth_syllables = count_syllables(_reference(UTTERANCE.name), "zh")
    span_1 = float(stretched[1.0]["speech_span_s"])  # type: ignore[arg-type]
    for f, rate in zip(FACTORS, rates, strict=True):
        truth = truth_syllables / (span_1 / f)
        assert abs(rate - truth) / truth <= 0.25, (f, rate, truth)


def test_pitch_shift_moves_f0_the_right_way(tmp_path: Path) -> None:
    base = float(_values(UTTERANCE, "intonation")["f0_mean_hz"])  # type: ignore[arg-type]
    up = float(_values(_sox(UTTERANCE, tmp_path / "up.wav", "pitch", "300"),
                       "intonation")["f0_mean_hz"])  # type: ignore[arg-type]
    down = float(_values(_sox(UTTERANCE, tmp_path / "down.wav", "pitch", "-300"),
                         "intonation")["f0_mean_hz"])  # type: ignore[arg-type]
    assert down < base < up
    ratio = 2 ** (300 / 1200)  # three semitones
    assert up / base == pytest.approx(ratio, rel=0.06)
    assert base / down == pytest.approx(ratio, rel=0.06)
