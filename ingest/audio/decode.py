"""Audio in: probe, decode with ffmpeg to 16 kHz mono, stream in blocks cut at quiet points.

ffmpeg handles every container a counseling center records in (WAV, FLAC, MP3, the audio
track of an MP4/MKV video). Samples are read from a pipe block by block, so a 30-minute
session never sits in memory whole; blocks end at the quietest 100 ms near their end so
ASR and syllable detection rarely see a word cut in two.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.audio.errors import AudioInputError, NoSpeechError
from ingest.cancel import checkpoint
from ingest.limits import InputLimits, input_limits
from ingest.subprocess_guard import BoundedDrain, Watchdog

SAMPLE_RATE = 16_000
MAX_BLOCK_S = 28.0  # Whisper sees 30 s windows; stay just under
MIN_BLOCK_S = 18.0  # search for a quiet cut point between these two
_READ_S = 1.0
_QUIET_WIN = 1600  # 100 ms at 16 kHz


@dataclass(frozen=True)
class AudioInfo:
    """What the container says before decoding; `declared_s` is None when it says nothing."""

    path: Path
    declared_s: float | None
    codec: str


@dataclass
class DecodeStats:
    """Filled while streaming; checked afterwards for truncation and clipping."""

    decoded_samples: int = 0
    clipped_samples: int = 0
    peak: float = 0.0
    stderr: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def decoded_s(self) -> float:
        return self.decoded_samples / SAMPLE_RATE


def _require(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise AudioInputError(f"{tool} is not installed (Debian package ffmpeg); cannot decode audio")
    return exe


def probe(path: Path, limits: InputLimits | None = None) -> AudioInfo:
    """Check the file exists and has an audio stream, and that what its header declares
    (duration, sample rate, channels, size) is within the limits, before any decoding."""
    limits = limits or input_limits()
    if not path.is_file():
        raise AudioInputError(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise AudioInputError(f"{path}: file is empty")
    if size > limits.max_media_bytes:
        raise AudioInputError(
            f"{path}: {size} bytes, over MINDKG_MAX_MEDIA_BYTES={limits.max_media_bytes}"
        )
    try:
        proc = subprocess.run(
            [
                _require("ffprobe"), "-v", "error", "-show_entries",
                "format=duration:stream=codec_type,codec_name,duration,sample_rate,channels",
                "-of", "json", str(path),
            ],
            capture_output=True, text=True, check=False, timeout=limits.probe_timeout_s,
        )
    except subprocess.TimeoutExpired:
        raise AudioInputError(
            f"{path}: reading the header took over MINDKG_PROBE_TIMEOUT_S="
            f"{limits.probe_timeout_s:g} s"
        ) from None
    if proc.returncode != 0:
        reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "unreadable"
        raise AudioInputError(f"{path}: not an audio or video file ffmpeg can read ({reason})")
    try:
        meta = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        raise AudioInputError(f"{path}: ffprobe gave no readable description") from None
    audio = [s for s in meta.get("streams", []) if s.get("codec_type") == "audio"]
    if not audio:
        raise NoSpeechError(f"{path}: contains no audio stream")
    declared = _number(audio[0].get("duration")) or _number(
        meta.get("format", {}).get("duration")
    )
    _check_header(path, audio[0], declared, limits)
    _check_riff(path)
    return AudioInfo(path, declared, str(audio[0].get("codec_name")))


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number == number and number > 0 else None  # NaN, 0, negatives: unknown


def _check_header(
    path: Path, stream: dict[str, object], declared: float | None, limits: InputLimits
) -> None:
    rate = _number(stream.get("sample_rate"))
    if rate is not None and not limits.min_sample_rate <= rate <= limits.max_sample_rate:
        raise AudioInputError(
            f"{path}: header declares a sample rate of {rate:g} Hz, outside "
            f"MINDKG_MIN_SAMPLE_RATE={limits.min_sample_rate}..MINDKG_MAX_SAMPLE_RATE="
            f"{limits.max_sample_rate}"
        )
    channels = _number(stream.get("channels"))
    if channels is not None and channels > limits.max_audio_channels:
        raise AudioInputError(
            f"{path}: header declares {channels:g} channels, over "
            f"MINDKG_MAX_AUDIO_CHANNELS={limits.max_audio_channels}"
        )
    if declared is not None and declared > limits.max_media_s:
        raise AudioInputError(
            f"{path}: header declares {declared:.0f} s of audio, over "
            f"MINDKG_MAX_MEDIA_S={limits.max_media_s:g}"
        )


def _check_riff(path: Path) -> None:
    """WAV headers state the data size; ffmpeg silently decodes a cut file, so compare."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return
        size = path.stat().st_size
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            cid, clen = struct.unpack("<4sI", fh.read(8))
            if cid == b"data":
                if clen not in (0, 0xFFFFFFFF) and pos + 8 + clen > size:
                    have = size - pos - 8
                    raise AudioInputError(
                        f"{path}: truncated WAV file (header declares {clen} data bytes, "
                        f"file holds {have})"
                    )
                return
            pos += 8 + clen + (clen & 1)


def stream_samples(
    path: Path, stats: DecodeStats, *, read_s: float = _READ_S, limits: InputLimits | None = None
) -> Iterator[np.ndarray]:
    """Yield float32 chunks in [-1, 1] at 16 kHz mono, decoding through an ffmpeg pipe.

    stderr is drained by its own thread (a corrupt file makes ffmpeg write far more errors
    than a pipe buffer holds; unread, that deadlocks both processes), and a watchdog kills
    ffmpeg when one read waits over MINDKG_DECODE_STALL_S or all reads together over
    MINDKG_DECODE_TIMEOUT_S. No more than MINDKG_MAX_MEDIA_S of samples are accepted.
    """
    limits = limits or input_limits()
    cmd = [
        _require("ffmpeg"), "-nostdin", "-v", "error", "-i", str(path), "-vn", "-ac", "1",
        "-ar", str(SAMPLE_RATE), "-f", "s16le", "-acodec", "pcm_s16le", "-",
    ]
    chunk_bytes = int(read_s * SAMPLE_RATE) * 2
    max_samples = int(limits.max_media_s * SAMPLE_RATE)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    drain = BoundedDrain(proc.stderr)
    watchdog = Watchdog(proc, stall_s=limits.decode_stall_s, total_s=limits.decode_timeout_s)
    try:
        while True:
            checkpoint()  # a cancelled or overdue job stops between blocks
            with watchdog.reading():
                raw = proc.stdout.read(chunk_bytes)
            if watchdog.fired:
                raise AudioInputError(f"{path}: decoding stopped: {watchdog.fired}")
            if not raw:
                break
            ints = np.frombuffer(raw[: len(raw) - (len(raw) % 2)], dtype="<i2")
            stats.decoded_samples += ints.size
            if stats.decoded_samples > max_samples:
                raise AudioInputError(
                    f"{path}: decodes to more than MINDKG_MAX_MEDIA_S={limits.max_media_s:g} s"
                )
            stats.clipped_samples += int(np.count_nonzero((ints >= 32767) | (ints <= -32768)))
            chunk = ints.astype(np.float32) / 32768.0
            if chunk.size:
                stats.peak = max(stats.peak, float(np.max(np.abs(chunk))))
                yield chunk
    finally:
        if proc.poll() is None and (watchdog.fired or stats.decoded_samples > max_samples):
            proc.kill()
        proc.stdout.close()
        try:
            rc = proc.wait(timeout=limits.decode_stall_s)
        except subprocess.TimeoutExpired:  # the consumer stopped early: do not wait for ffmpeg
            proc.kill()
            rc = proc.wait()
        stats.stderr = drain.text()
    if rc != 0 or stats.stderr.strip():
        stats.errors.append(stats.stderr.strip().splitlines()[-1] if stats.stderr.strip() else
                            f"ffmpeg exited with status {rc}")


def quiet_blocks(chunks: Iterator[np.ndarray]) -> Iterator[tuple[float, np.ndarray]]:
    """Regroup chunks into blocks of MIN..MAX_BLOCK_S seconds cut at the quietest 100 ms."""
    max_n, min_n = int(MAX_BLOCK_S * SAMPLE_RATE), int(MIN_BLOCK_S * SAMPLE_RATE)
    buf = np.zeros(0, dtype=np.float32)
    offset = 0
    for chunk in chunks:
        buf = np.concatenate([buf, chunk])
        while buf.size >= max_n:
            cut = min_n + _quietest(buf[min_n:max_n])
            yield offset / SAMPLE_RATE, buf[:cut]
            offset += cut
            buf = buf[cut:]
    if buf.size:
        yield offset / SAMPLE_RATE, buf


def _quietest(region: np.ndarray) -> int:
    """Centre of the lowest-energy 100 ms window in `region` (sample index)."""
    n = region.size // _QUIET_WIN
    if n == 0:
        return region.size
    energy = (region[: n * _QUIET_WIN].reshape(n, _QUIET_WIN) ** 2).sum(axis=1)
    return int(np.argmin(energy)) * _QUIET_WIN + _QUIET_WIN // 2
