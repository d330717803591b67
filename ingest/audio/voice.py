"""Praat (parselmouth) measures: F0 contour, intensity contour, jitter, shimmer, HNR, and
syllable nuclei after de Jong & Wempe (2009, Behavior Research Methods 41:385-390).

Praat is the reference implementation phoneticians trust for these measures; using it
keeps our numbers comparable with the literature the mapping-table thresholds come from.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

PITCH_FLOOR_HZ = 75.0
PITCH_CEILING_HZ = 500.0
STEP_S = 0.01
# de Jong & Wempe defaults: silence threshold relative to the 0.99 intensity quantile,
# minimum dip between peaks, intensity analysis minimum pitch.
NUCLEI_SILENCE_DB = -25.0
NUCLEI_MIN_DIP_DB = 2.0
NUCLEI_MIN_PITCH_HZ = 50.0


@dataclass
class VoiceTrack:
    """Contours and voice-quality sums gathered block by block over a whole recording."""

    f0_times: list[np.ndarray] = field(default_factory=list)
    f0_hz: list[np.ndarray] = field(default_factory=list)  # 0 where unvoiced
    int_times: list[np.ndarray] = field(default_factory=list)
    int_db: list[np.ndarray] = field(default_factory=list)
    _vq_weight: float = 0.0
    _vq_sums: dict[str, float] = field(default_factory=lambda: {"jitter": 0.0, "shimmer": 0.0,
                                                                "hnr": 0.0})
    _vq_weights: dict[str, float] = field(default_factory=lambda: {"jitter": 0.0, "shimmer": 0.0,
                                                                   "hnr": 0.0})

    def add_block(self, block: np.ndarray, offset_s: float, sample_rate: int) -> None:
        """Analyse one block with Praat and append its contours (times are file-absolute)."""
        import parselmouth
        from parselmouth.praat import call

        if block.size < int(0.1 * sample_rate):
            return
        snd = parselmouth.Sound(block.astype(np.float64), sampling_frequency=sample_rate,
                                start_time=offset_s)
        pitch = snd.to_pitch_ac(time_step=STEP_S, pitch_floor=PITCH_FLOOR_HZ,
                                pitch_ceiling=PITCH_CEILING_HZ)
        f0 = np.asarray(pitch.selected_array["frequency"], dtype=np.float64)
        self.f0_times.append(np.asarray(pitch.xs()))
        self.f0_hz.append(f0)
        intensity = snd.to_intensity(minimum_pitch=NUCLEI_MIN_PITCH_HZ, time_step=STEP_S)
        self.int_times.append(np.asarray(intensity.xs()))
        self.int_db.append(np.asarray(intensity.values[0], dtype=np.float64))
        voiced = int(np.count_nonzero(f0 > 0))
        if voiced < 10:
            return
        points = call(snd, "To PointProcess (periodic, cc)", PITCH_FLOOR_HZ, PITCH_CEILING_HZ)
        measures = {
            "jitter": call(points, "Get jitter (local)", 0, 0, 0.0001, 0.02, 1.3),
            "shimmer": call([snd, points], "Get shimmer (local)", 0, 0, 0.0001, 0.02, 1.3, 1.6),
            "hnr": call(snd.to_harmonicity_cc(STEP_S, PITCH_FLOOR_HZ, 0.1, 1.0), "Get mean", 0, 0),
        }
        for name, value in measures.items():
            if value is not None and math.isfinite(value):
                self._vq_sums[name] += float(value) * voiced
                self._vq_weights[name] += voiced

    def f0(self) -> tuple[np.ndarray, np.ndarray]:
        return _cat(self.f0_times), _cat(self.f0_hz)

    def voice_quality(self) -> dict[str, float | None]:
        """Voiced-frame-weighted means: jitter and shimmer as fractions, HNR in dB."""
        return {
            name: (self._vq_sums[name] / w if (w := self._vq_weights[name]) > 0 else None)
            for name in ("jitter", "shimmer", "hnr")
        }


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0)


def f0_summary(f0_hz: np.ndarray) -> dict[str, float | None]:
    """Level and range of the voiced F0: mean Hz, 5-95 % range and SD in semitones."""
    voiced = f0_hz[f0_hz > 0]
    if voiced.size < 10:
        return {"f0_mean_hz": None, "f0_median_hz": None, "f0_range_semitones": None,
                "f0_sd_semitones": None, "voiced_frames": int(voiced.size)}
    st = 12.0 * np.log2(voiced / np.median(voiced))
    lo, hi = np.percentile(voiced, [5, 95])
    return {
        "f0_mean_hz": float(voiced.mean()),
        "f0_median_hz": float(np.median(voiced)),
        "f0_range_semitones": float(12.0 * math.log2(hi / lo)),
        "f0_sd_semitones": float(st.std()),
        "voiced_frames": int(voiced.size),
    }


def syllable_nuclei(track: VoiceTrack) -> np.ndarray:
    """Times of syllable nuclei: intensity peaks above threshold, preceded by a dip of at
    least 2 dB to the next peak, and voiced (de Jong & Wempe 2009, script v1 logic)."""
    times, db = _cat(track.int_times), _cat(track.int_db)
    if db.size < 3:
        return np.zeros(0)
    threshold = max(float(np.quantile(db, 0.99)) + NUCLEI_SILENCE_DB, float(db.min()))
    is_peak = (db[1:-1] > db[:-2]) & (db[1:-1] >= db[2:]) & (db[1:-1] > threshold)
    peaks = np.flatnonzero(is_peak) + 1
    valid = [
        p for p, nxt in itertools.pairwise(peaks)
        if db[p] - db[p:nxt + 1].min() > NUCLEI_MIN_DIP_DB
    ]
    f0_t, f0 = track.f0()
    if not valid or f0.size == 0:
        return np.zeros(0)
    idx = np.clip(np.searchsorted(f0_t, times[valid]), 0, f0.size - 1)
    return np.asarray(times[valid])[f0[idx] > 0]
