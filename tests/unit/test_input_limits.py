"""Every decoder and parser is bounded (issue 13): real files through the real decoders.

A corrupt mp3 whose ffmpeg errors overflow a pipe, a WAV whose header claims 1 Hz, a video over
the frame-rate/frame-count limits, deeply nested and duplicate-key JSON, huge transcripts, and
a decoder that hangs: each ends quickly with a clear ValueError naming its limit.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from contracts.settings import InputLimits
from ingest.audio.decode import DecodeStats, probe, stream_samples
from ingest.audio.errors import AudioInputError
from ingest.audio.transcript import read_transcript
from ingest.bundle import BundleError, read_bundle
from ingest.limits import JsonLimitError, loads_bounded
from ingest.scales import ScaleFileError, load_scales_file
from ingest.subprocess_guard import BoundedDrain, Watchdog
from ingest.video.decode import iter_frames
from ingest.video.decode import probe as probe_video
from ingest.video.errors import VideoInputError

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
DEEP = "[" * 30_000 + "]" * 30_000


def _wav(path: Path, rate: int, frames: int) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        tone = (np.sin(np.arange(frames) * 0.05) * 8000).astype("<i2")
        w.writeframes(tone.tobytes())
    return path


def _corrupt_mp3(tmp_path: Path) -> Path:
    """Encode 60 s of a tone with ffmpeg, then overwrite bytes all through the frames."""
    path = tmp_path / "corrupt.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=60",
         "-ac", "1", "-b:a", "64k", str(path)],
        check=True, timeout=120,
    )
    data = bytearray(path.read_bytes())
    rng = random.Random(13)
    for pos in range(4096, len(data) - 64, 96):
        data[pos : pos + 24] = rng.randbytes(24)
    path.write_bytes(bytes(data))
    return path


@needs_ffmpeg
def test_corrupt_mp3_does_not_deadlock_the_decoder(tmp_path: Path) -> None:
    mp3 = _corrupt_mp3(tmp_path)
    stats = DecodeStats()
    done: list[int] = []

    def decode() -> None:
        done.append(sum(c.size for c in stream_samples(mp3, stats)))

    worker = threading.Thread(target=decode, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(90)
    assert not worker.is_alive(), "ffmpeg deadlocked on its stderr pipe"
    assert done and time.monotonic() - started < 90
    assert stats.errors  # ffmpeg reported the corrupt frames, and the report was kept
    assert len(stats.stderr) <= 64 * 1024  # only the tail is kept, however much it wrote


@needs_ffmpeg
def test_wav_claiming_1_hz_is_refused_from_its_header(tmp_path: Path) -> None:
    wav = _wav(tmp_path / "one_hz.wav", 1, 85_000)  # 170 KB; the header says 23.6 h
    assert wav.stat().st_size < 200_000
    started = time.monotonic()
    with pytest.raises(AudioInputError, match="MINDKG_MIN_SAMPLE_RATE"):
        probe(wav)
    assert time.monotonic() - started < 30


@needs_ffmpeg
def test_audio_longer_than_the_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    wav = _wav(tmp_path / "ten_s.wav", 16_000, 160_000)
    assert probe(wav).declared_s == pytest.approx(10.0)
    with pytest.raises(AudioInputError, match="MINDKG_MAX_MEDIA_S=5"):
        probe(wav, InputLimits(max_media_s=5))
    # a container that understates its length is cut off while decoding
    with pytest.raises(AudioInputError, match="MINDKG_MAX_MEDIA_S=5"):
        for _ in stream_samples(wav, DecodeStats(), limits=InputLimits(max_media_s=5)):
            pass


def test_defaults_admit_two_hours_at_120_fps() -> None:
    limits = InputLimits()
    assert limits.max_media_s >= 2 * 3600
    assert limits.max_video_fps >= 120 and limits.max_video_frames >= 2 * 3600 * 120


def test_limits_come_from_the_environment() -> None:
    limits = InputLimits.from_env({"MINDKG_MAX_MEDIA_S": "60", "MINDKG_MAX_JSON_DEPTH": "8"})
    assert limits.max_media_s == 60 and limits.max_json_depth == 8
    with pytest.raises(ValueError, match="MINDKG_MAX_VIDEO_FPS must be a number"):
        InputLimits.from_env({"MINDKG_MAX_VIDEO_FPS": "fast"})


def _video(path: Path, fps: float, frames: int) -> Path:
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), i * 10 % 255, np.uint8))
    writer.release()
    return path


def test_video_header_limits(tmp_path: Path) -> None:
    video = _video(tmp_path / "fast.avi", 120.0, 12)
    assert probe_video(video).frame_count == 12
    with pytest.raises(VideoInputError, match="MINDKG_MAX_VIDEO_FPS=60"):
        probe_video(video, limits=InputLimits(max_video_fps=60))
    with pytest.raises(VideoInputError, match="MINDKG_MAX_VIDEO_FRAMES=10"):
        probe_video(video, limits=InputLimits(max_video_frames=10))
    with pytest.raises(VideoInputError, match=r"MINDKG_MAX_MEDIA_S=0\.05"):
        probe_video(video, limits=InputLimits(max_media_s=0.05))
    with pytest.raises(VideoInputError, match="MINDKG_MAX_VIDEO_PIXELS=100"):
        probe_video(video, limits=InputLimits(max_video_pixels=100))


def test_video_frames_past_the_limit_stop_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = _video(tmp_path / "clip.avi", 25.0, 12)
    monkeypatch.setenv("MINDKG_MAX_VIDEO_FRAMES", "5")
    with pytest.raises(VideoInputError, match="MINDKG_MAX_VIDEO_FRAMES=5"):
        for _ in iter_frames(video):
            pass


def test_a_hanging_decoder_is_killed_by_the_watchdog() -> None:
    proc = subprocess.Popen(["sleep", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    drain = BoundedDrain(proc.stderr)
    dog = Watchdog(proc, stall_s=0.5, total_s=30)
    started = time.monotonic()
    with dog.reading():
        assert proc.stdout.read(1024) == b""  # returns once the child is killed
    assert time.monotonic() - started < 10
    assert dog.fired and "MINDKG_DECODE_STALL_S=0.5" in dog.fired
    proc.wait(5)
    drain.text()
    proc.stdout.close()


def test_a_chatty_child_cannot_fill_the_stderr_pipe() -> None:
    """2 MB to stderr before any stdout: without a concurrent drain this blocks forever."""
    script = "import sys; sys.stderr.write('e' * 2_000_000); sys.stderr.flush(); print('ok')"
    proc = subprocess.Popen(
        [shutil.which("python3") or "python3", "-c", script],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    drain = BoundedDrain(proc.stderr)
    dog = Watchdog(proc, stall_s=20, total_s=30)
    with dog.reading():
        out = proc.stdout.read()
    assert out.strip() == b"ok" and dog.fired is None
    proc.wait(5)
    assert len(drain.text()) == 64 * 1024
    proc.stdout.close()


# -- text inputs ------------------------------------------------------------------------------
def _bundle(tmp_path: Path, manifest: str, scales: str = '{"PHQ9": [0,0,0,0,0,0,0,0,0]}') -> Path:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "manifest.json").write_text(manifest)
    (folder / "scales.json").write_text(scales)
    return folder


GOOD = (
    '{"student": "s1", "session": "w01", "recorded_at": "2026-03-02T10:00:00+08:00", '
    '"scales": "scales.json"}'
)


def test_deep_json_is_a_clear_error_not_a_recursion_error() -> None:
    with pytest.raises(JsonLimitError, match="MINDKG_MAX_JSON_DEPTH=32"):
        loads_bounded(DEEP)
    assert loads_bounded('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')  # strings ok


def test_deep_or_duplicate_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="MINDKG_MAX_JSON_DEPTH"):
        read_bundle(_bundle(tmp_path, '{"student": ' + DEEP[:40_000] + "}"))
    shutil.rmtree(tmp_path / "b")
    dup = GOOD[:-1] + ', "student": "someone-else"}'
    with pytest.raises(BundleError, match="'student' appears twice"):
        read_bundle(_bundle(tmp_path, dup))


def test_deep_scales_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scales.json"
    path.write_text('{"PHQ9": ' + DEEP + "}")
    with pytest.raises(ScaleFileError, match="MINDKG_MAX_JSON_DEPTH"):
        load_scales_file(path)


def test_transcript_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path / "t.json"
    deep.write_text('{"segments": ' + DEEP + "}")
    with pytest.raises(AudioInputError, match="MINDKG_MAX_JSON_DEPTH"):
        read_transcript(deep)
    big = tmp_path / "t.txt"
    big.write_text("我今天很累。" * 50_000)  # 900 KB
    monkeypatch.setenv("MINDKG_MAX_TRANSCRIPT_BYTES", "100000")
    with pytest.raises(AudioInputError, match="MINDKG_MAX_TRANSCRIPT_BYTES=100000"):
        read_transcript(big)
    small = tmp_path / "ok.json"
    small.write_text(json.dumps({"segments": [{"start": 0, "end": 1, "text": "好"}]}))
    assert read_transcript(small)[0][0].text == "好"


@needs_ffmpeg
def test_cancel_is_honoured_between_audio_blocks(tmp_path: Path) -> None:
    from ingest.cancel import Interrupted, stop_scope

    wav = _wav(tmp_path / "thirty_s.wav", 16_000, 16_000 * 30)
    blocks = 0

    def stop_after_three() -> tuple[str, str] | None:
        return ("cancelled", "cancelled on request") if blocks >= 3 else None

    with stop_scope(stop_after_three, every_s=0.0), pytest.raises(Interrupted):  # type: ignore[arg-type]
        for _chunk in stream_samples(wav, DecodeStats()):
            blocks += 1
    assert blocks == 3
