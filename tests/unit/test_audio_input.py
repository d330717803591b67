"""Bad audio input gives a clear AudioInputError, through the real ffmpeg decoder.

Inputs are made from the committed samples (samples/speech) with sox/ffmpeg; silent and
non-audio files are synthetic by construction.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.audio import AudioInputError, analyze_speech

SPEECH = Path(__file__).resolve().parents[2] / "samples" / "speech"
ZH = SPEECH / "zh_01.flac"
EN = SPEECH / "sense_and_sensibility_01_austen_64kb-0880.wav"

pytestmark = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("sox")),
    reason="needs Debian packages ffmpeg and sox",
)


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def _analyze(path: Path) -> None:
    analyze_speech(path, language="zh", progress=False)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioInputError, match="no such file"):
        _analyze(tmp_path / "nope.wav")


def test_text_file_named_wav_is_not_audio(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.wav"
    bogus.write_text("this is a counseling note, not audio\n", encoding="utf-8")
    with pytest.raises(AudioInputError, match="not an audio or video file"):
        _analyze(bogus)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.flac"
    empty.write_bytes(b"")
    with pytest.raises(AudioInputError, match="empty"):
        _analyze(empty)


def test_video_without_audio_track(tmp_path: Path) -> None:
    video = tmp_path / "mute.mp4"
    _run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x64:rate=10",
         "-an", str(video))
    with pytest.raises(AudioInputError, match="no audio stream"):
        analyze_speech(None, video_path=video, progress=False)


def test_truncated_wav(tmp_path: Path) -> None:
    cut = tmp_path / "cut.wav"
    cut.write_bytes(EN.read_bytes()[:40_000])
    with pytest.raises(AudioInputError, match="truncated WAV"):
        _analyze(cut)


def test_truncated_flac(tmp_path: Path) -> None:
    cut = tmp_path / "cut.flac"
    cut.write_bytes(ZH.read_bytes()[: ZH.stat().st_size // 2])
    with pytest.raises(AudioInputError, match="truncated"):
        _analyze(cut)


def test_truncated_mp3(tmp_path: Path) -> None:
    mp3 = tmp_path / "full.mp3"
    _run("ffmpeg", "-v", "error", "-i", str(ZH), "-c:a", "libmp3lame", "-b:a", "64k", str(mp3))
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(mp3.read_bytes()[: mp3.stat().st_size // 2])
    with pytest.raises(AudioInputError, match="truncated"):
        _analyze(cut)


def test_digital_silence(tmp_path: Path) -> None:
    silent = tmp_path / "silent.wav"  # synthetic
    _run("sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(silent), "trim", "0", "3")
    with pytest.raises(AudioInputError, match="silent"):
        _analyze(silent)


def test_hum_without_speech(tmp_path: Path) -> None:
    hum = tmp_path / "hum.wav"  # synthetic: a steady 50 Hz mains hum, audible but no speech
    _run("sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(hum), "synth", "3", "sine", "50",
         "vol", "0.05")
    with pytest.raises(AudioInputError, match="no speech detected"):
        _analyze(hum)


def test_clipped(tmp_path: Path) -> None:
    loud = tmp_path / "clipped.wav"
    _run("sox", "-R", "-V0", str(ZH), str(loud), "gain", "24")
    with pytest.raises(AudioInputError, match="clipped"):
        _analyze(loud)


def test_unknown_language() -> None:
    with pytest.raises(AudioInputError, match="language"):
        analyze_speech(ZH, language="fr", progress=False)


def test_nothing_given() -> None:
    with pytest.raises(AudioInputError, match="no audio"):
        analyze_speech(None, progress=False)


def test_audio_track_of_a_video(tmp_path: Path) -> None:
    """A session video (synthetic test pattern + the real zh_01 speech) is analysed through
    its audio track; the supplied transcript replaces ASR."""
    video = tmp_path / "session.mp4"
    _run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=5:size=64x64:rate=10",
         "-i", str(ZH), "-c:v", "libx264", "-c:a", "aac", "-shortest", str(video))
    transcript = tmp_path / "t.txt"
    transcript.write_text("我最近睡不好，每天都很累，对什么都提不起兴趣。", encoding="utf-8")
    result = analyze_speech(None, video_path=video, transcript_path=transcript,
                            language="zh", progress=False)
    content, intonation, rate = result.feature_texts[:3]
    assert 4.5 < result.duration_s < 5.2
    assert content.values["transcript_source"] == "transcript"
    assert rate.values["syllable_count"] == 20
    assert intonation.values["f0_mean_hz"] is not None
