"""Every registered recognizer follows contracts/recognition.py (like scikit-learn's
check_estimator): protocol attributes; a Recognition with valid feature texts on real media;
missing-with-reason, not an exception, on absent input and on media without signal; a
ValueError naming the file on a corrupt one; the same result twice."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from api.recognizers import registered
from contracts.feature_text import FeatureText
from contracts.recognition import (
    PARTS,
    Part,
    Recognition,
    Recognizer,
    RecognizerConfig,
    SessionInput,
)
from tests.conftest import SAMPLES

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
RECOGNIZERS = registered()
IDS = [r.name for r in RECOGNIZERS]
CONFIG = RecognizerConfig()
SPEECH = SAMPLES / "sessions" / "en_w02_speech"


def _write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[Part, Path]]:
    """Three sessions' parts: with signal, without signal, corrupt."""
    from research.video.synthetic import generate_clip

    root = tmp_path_factory.mktemp("contract")
    clip = generate_clip(root / "clip", face="astronaut", aus={12: 0.7}, onset_s=0.8,
                         apex_s=0.95, offset_s=1.15, duration_s=2.0, fps=30, seed=5,
                         emotion_label="happiness", blinks=0, head_moves=0)
    transcript = root / "transcript.txt"
    transcript.write_text("I have been feeling ill and tired for weeks.", encoding="utf-8")
    scales = root / "scales.json"
    scales.write_text(json.dumps({"PHQ9": [1, 1, 1, 1, 0, 0, 0, 0, 0]}))
    noface = root / "noface.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=gray:s=320x240:r=30:d=1", "-c:v", "libx264", "-pix_fmt",
                    "yuv420p", str(noface)], check=True, timeout=60)
    silence = _write_wav(root / "silence.wav", np.zeros(16_000 * 2))
    corrupt_video = root / "broken.mp4"
    corrupt_video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(200))
    corrupt_audio = root / "broken.wav"
    corrupt_audio.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt not really audio")
    return {
        "signal": {"video": clip.video_path, "audio": SPEECH / "audio.wav",
                   "transcript": transcript, "scales": scales},
        "no_signal": {"video": noface, "audio": silence},
        "corrupt": {"video": corrupt_video, "audio": corrupt_audio},
    }


def _session(parts: dict[Part, Path], accepts: frozenset[Part]) -> SessionInput:
    return SessionInput(parts={p: f for p, f in parts.items() if p in accepts}, language="en")


def _check_recognition(rec: Recognizer, got: Recognition) -> None:
    assert isinstance(got, Recognition)
    assert got.status in ("used", "missing")
    assert all(isinstance(w, str) and w for w in got.warnings)
    if got.status == "missing":
        assert got.reason and not got.feature_texts
        return
    assert got.feature_texts and not got.reason
    for feature in got.feature_texts:
        assert isinstance(feature, FeatureText)
        assert feature.modality == rec.modality
        assert feature.source, "a feature text names the recognizer that made it"
        again = FeatureText.model_validate_json(feature.model_dump_json())  # JSON round trip
        assert again == feature


def test_registry_is_not_empty_and_names_are_unique() -> None:
    assert {"scales", "video", "speech_content", "intonation", "speech_rate",
            "speech_emotion"} <= set(IDS)
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("rec", RECOGNIZERS, ids=IDS)
def test_protocol_attributes(rec: Recognizer) -> None:
    assert isinstance(rec, Recognizer)
    assert re.fullmatch(r"[a-z][a-z0-9_]{1,40}", rec.name)
    assert rec.version and isinstance(rec.version, str)
    assert rec.modality in ("video", "audio", "scales", "text")
    assert rec.accepts and set(rec.accepts) <= set(PARTS)


@pytest.mark.parametrize("rec", RECOGNIZERS, ids=IDS)
def test_absent_input_is_missing_with_reason(rec: Recognizer) -> None:
    got = rec.recognize(SessionInput(parts={}), CONFIG)
    _check_recognition(rec, got)
    assert got.status == "missing" and "no " in got.reason


@pytest.mark.parametrize("rec", RECOGNIZERS, ids=IDS)
def test_media_without_signal_is_missing_not_an_error(
        rec: Recognizer, inputs: dict[str, dict[Part, Path]]) -> None:
    session = _session(inputs["no_signal"], rec.accepts)
    if not session.parts:
        pytest.skip(f"{rec.name} reads no media that can lack signal")
    got = rec.recognize(session, CONFIG)
    _check_recognition(rec, got)
    assert got.status == "missing"
    assert str(session.parts[next(iter(session.parts))].parent) not in got.reason


@pytest.mark.parametrize("rec", RECOGNIZERS, ids=IDS)
def test_corrupt_named_file_raises_value_error(
        rec: Recognizer, inputs: dict[str, dict[Part, Path]]) -> None:
    session = _session(inputs["corrupt"], rec.accepts)
    if not session.parts:
        pytest.skip(f"{rec.name} reads no audio or video")
    with pytest.raises(ValueError, match=r"broken\.(mp4|wav)"):
        rec.recognize(session, CONFIG)


@pytest.mark.slow
@pytest.mark.parametrize("rec", RECOGNIZERS, ids=IDS)
def test_real_input_gives_valid_feature_texts_deterministically(
        rec: Recognizer, inputs: dict[str, dict[Part, Path]]) -> None:
    first = rec.recognize(_session(inputs["signal"], rec.accepts), CONFIG)
    _check_recognition(rec, first)
    assert first.status == "used", first.reason
    second = rec.recognize(_session(inputs["signal"], rec.accepts), CONFIG)
    assert [f.model_dump() for f in second.feature_texts] == [
        f.model_dump() for f in first.feature_texts]
    assert (second.status, second.reason, second.warnings) == (
        first.status, first.reason, first.warnings)
