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


def webrtc_flags(block: np.ndarray, sample_rate: int) -> np.ndarray:
    """One bool per 30 ms frame of the block (a trailing partial frame is dropped)."""
    import webrtcvad

    vad = webrtcvad.Vad(VAD_MODE)
    n = int(VAD_FRAME_S * sample_rate)
    pcm = (np.clip(block, -1.0, 1.0) * 32767).astype("<i2")
    count = pcm.size // n
    return np.array(
        [vad.is_speech(pcm[i * n:(i + 1) * n].tobytes(), sample_rate) for i in range(count)],
        dtype=bool,
    )


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


def timing(mask: np.ndarray, frame_s: float = VAD_FRAME_S) -> SpeechTiming:
    """Speech span from first to last speech frame; gaps >= MIN_PAUSE_S inside it are pauses;
    shorter gaps count as speech (articulation includes stop closures)."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return SpeechTiming(0.0, 0.0, 0.0, 0.0, 0, 0.0)
    first, last = int(idx[0]), int(idx[-1])
    gaps = np.diff(idx) - 1
    pause_frames = gaps[gaps * frame_s >= MIN_PAUSE_S]
    pause_s = float(pause_frames.sum() * frame_s)
    span_s = (last - first + 1) * frame_s
    return SpeechTiming(
        span_start_s=first * frame_s,
        span_end_s=(last + 1) * frame_s,
        speech_s=span_s - pause_s,
        pause_s=pause_s,
        pause_count=int(pause_frames.size),
        mean_pause_s=float(pause_frames.mean() * frame_s) if pause_frames.size else 0.0,
    )
