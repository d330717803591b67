"""Voice activity: WebRTC VAD on 30 ms frames, gated by a relative energy floor.

WebRTC's VAD is tiny, fast and offline (webrtcvad-wheels); it happily calls steady noise
speech, so frames must also be within ENERGY_FLOOR_DB of the recording's loud frames.
Pauses are silent runs of at least MIN_PAUSE_S inside the speech span (Goldman-Eisler's
250 ms convention, also used in depression speech studies such as Mundt et al. 2012).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VAD_FRAME_S = 0.03
VAD_MODE = 2
MIN_PAUSE_S = 0.25
ENERGY_FLOOR_DB = 35.0  # below the 95th percentile frame energy = not speech


def webrtc_flags(block: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Per 30 ms frame of the block: the VAD decision and the frame energy in dBFS.

    A trailing partial frame is dropped.
    """
    import webrtcvad

    vad = webrtcvad.Vad(VAD_MODE)
    n = int(VAD_FRAME_S * sample_rate)
    count = block.size // n
    frames = np.clip(block[: count * n], -1.0, 1.0).reshape(count, n)
    pcm = (frames * 32767).astype("<i2")
    flags = np.array([vad.is_speech(row.tobytes(), sample_rate) for row in pcm], dtype=bool)
    energy_db = 10.0 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    return flags, energy_db


@dataclass(frozen=True)
class SpeechTiming:
    """Speech span, phonation time and pauses (seconds) of one recording."""

    span_start_s: float
    span_end_s: float
    speech_s: float
    pause_s: float
    pause_count: int
    mean_pause_s: float

    @property
    def span_s(self) -> float:
        return max(self.span_end_s - self.span_start_s, 0.0)

    @property
    def pause_ratio(self) -> float:
        return self.pause_s / self.span_s if self.span_s > 0 else 0.0


def speech_mask(flags: np.ndarray, frame_db: np.ndarray) -> np.ndarray:
    """VAD flags AND energy within ENERGY_FLOOR_DB of the loud (95th percentile) frames."""
    if flags.size == 0:
        return flags
    loud = float(np.percentile(frame_db, 95))
    return flags & (frame_db > loud - ENERGY_FLOOR_DB)


def timing(starts: np.ndarray, mask: np.ndarray, frame_s: float = VAD_FRAME_S) -> SpeechTiming:
    """Speech span from first to last speech frame; gaps >= MIN_PAUSE_S inside it are pauses;
    shorter gaps count as speech (articulation includes stop closures).

    `starts` are the frames' start times, so frames from differently cut blocks line up.
    """
    on = starts[mask]
    if on.size == 0:
        return SpeechTiming(0.0, 0.0, 0.0, 0.0, 0, 0.0)
    gaps = np.diff(on) - frame_s
    pauses = gaps[gaps >= MIN_PAUSE_S - 1e-6]
    span_start, span_end = float(on[0]), float(on[-1] + frame_s)
    pause_s = float(pauses.sum())
    return SpeechTiming(
        span_start_s=span_start,
        span_end_s=span_end,
        speech_s=span_end - span_start - pause_s,
        pause_s=pause_s,
        pause_count=int(pauses.size),
        mean_pause_s=float(pauses.mean()) if pauses.size else 0.0,
    )
