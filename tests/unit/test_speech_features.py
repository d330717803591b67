"""Speech-rate and pitch measures follow known manipulations of real speech.

One Mandarin utterance (samples/speech/zh_01.flac, 20 syllables: one per hanzi of its
reference text) is time-stretched with sox `tempo` (pitch kept) and pitch-shifted with sox
`pitch` (tempo kept), then analysed end to end (ffmpeg, VAD, Praat, Whisper).
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ingest.audio import analyze_speech
from ingest.audio.content import count_syllables

SPEECH = Path(__file__).resolve().parents[2] / "samples" / "speech"
UTTERANCE = SPEECH / "zh_01.flac"
FACTORS = (0.7, 0.85, 1.0, 1.2, 1.4)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (shutil.which("ffmpeg") and shutil.which("sox")),
                       reason="needs Debian packages ffmpeg and sox"),
]


def _reference(name: str) -> str:
    for line in (SPEECH / "transcripts.tsv").read_text(encoding="utf-8").splitlines():
        file, text = line.split("\t")
        if file == name:
            return text
    raise AssertionError(f"{name} not in transcripts.tsv")


def _sox(src: Path, dst: Path, *effect: str) -> Path:
    subprocess.run(["sox", "-R", "-V1", str(src), "-r", "16000", str(dst), *effect], check=True)
    return dst


def _values(path: Path, kind: str) -> dict[str, Any]:
    result = analyze_speech(path, language="zh", progress=False)
    return next(ft.values for ft in result.feature_texts if ft.kind == kind)


@pytest.fixture(scope="module")
def stretched(tmp_path_factory: pytest.TempPathFactory) -> dict[float, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("tempo")
    return {f: _values(_sox(UTTERANCE, tmp / f"t{f}.wav", "tempo", "-s", str(f)), "speech_rate")
            for f in FACTORS}


def test_reference_syllable_count() -> None:
    text = _reference(UTTERANCE.name)
    assert count_syllables(text, "zh") == len(re.findall(r"[\u4e00-\u9fff]", text)) == 20


def test_time_stretch_rate_is_increasing_and_within_15_percent(
    stretched: dict[float, dict[str, Any]],
) -> None:
    truth_syllables = count_syllables(_reference(UTTERANCE.name), "zh")
    span_1 = float(stretched[1.0]["speech_span_s"])
    rates = [float(stretched[f]["syllables_per_second"]) for f in FACTORS]
    assert all(a < b for a, b in itertools.pairwise(rates)), rates
    for f, rate in zip(FACTORS, rates, strict=True):
        truth = truth_syllables / (span_1 / f)
        assert abs(rate - truth) / truth <= 0.15, (f, rate, truth)


def test_time_stretch_nuclei_rate_is_increasing(
    stretched: dict[float, dict[str, Any]],
) -> None:
    """The ASR-free estimate (de Jong & Wempe nuclei) must also follow the tempo."""
    rates = [float(stretched[f]["syllables_per_second_nuclei"]) for f in FACTORS]
    assert all(a < b for a, b in itertools.pairwise(rates)), rates
    truth_syllables = count_syllables(_reference(UTTERANCE.name), "zh")
    span_1 = float(stretched[1.0]["speech_span_s"])
    for f, rate in zip(FACTORS, rates, strict=True):
        truth = truth_syllables / (span_1 / f)
        assert abs(rate - truth) / truth <= 0.25, (f, rate, truth)


def test_pitch_shift_moves_f0_the_right_way(tmp_path: Path) -> None:
    base = float(_values(UTTERANCE, "intonation")["f0_mean_hz"])
    up = float(_values(_sox(UTTERANCE, tmp_path / "up.wav", "pitch", "300"),
                       "intonation")["f0_mean_hz"])
    down = float(_values(_sox(UTTERANCE, tmp_path / "down.wav", "pitch", "-300"),
                         "intonation")["f0_mean_hz"])
    assert down < base < up
    ratio = 2 ** (300 / 1200)  # three semitones
    assert up / base == pytest.approx(ratio, rel=0.06)
    assert base / down == pytest.approx(ratio, rel=0.06)


def test_mandarin_suicidal_statement_from_audio_is_high_risk() -> None:
    """zh_04 says 活着没有意思…不如死了算了: ASR -> content must flag it."""
    result = analyze_speech(SPEECH / "zh_04.flac", language="zh", progress=False)
    kinds = [ft.kind for ft in result.feature_texts]
    assert kinds[:3] == ["speech_content", "intonation", "speech_rate"]
    assert set(kinds[3:]) <= {"speech_emotion"}
    content = result.feature_texts[0]
    assert content.values["suicide_risk"] == "high"
    assert "risk:high" in content.values["concept_ids"]
    assert result.transcript and content.values["transcript"] == result.transcript


def test_english_sample_feature_texts() -> None:
    wav = SPEECH / "sense_and_sensibility_01_austen_64kb-0880.wav"
    result = analyze_speech(wav, language="en", progress=False)
    content, intonation, rate = result.feature_texts[:3]
    words = re.findall(r"[a-z]+", result.transcript.lower())
    assert words == _reference(wav.name).split()
    assert content.values["suicide_risk"] == "none"
    for key in ("f0_mean_hz", "f0_range_semitones", "energy_db", "zcr", "spectral_centroid_hz"):
        assert isinstance(intonation.values[key], float), key
    assert 60 < intonation.values["f0_mean_hz"] < 300
    for key in ("syllables_per_second", "pause_ratio", "spectral_entropy"):
        assert isinstance(rate.values[key], float), key
    assert rate.values["concept_ids"][0].startswith("rate:")
    assert intonation.values["concept_ids"][0].startswith("prosody:")
    assert all(ft.modality == "audio" and ft.instance == "" for ft in result.feature_texts)
