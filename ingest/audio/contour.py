"""Compact time series for the session timeline: the F0 and energy contours decimated to at
most a few thousand points, and the pauses inside the speech span.

They go into the feature texts' values (intonation: `contour`, speech rate: `pauses`) so a
timeline can be drawn from the graph alone; raw audio never enters it. Decimation keeps the
stored size bounded (about 40 kB for any session length): each bin holds the mean energy and
the mean F0 of its voiced frames (None where nothing was voiced).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ingest.audio.vad import MIN_PAUSE_S, VAD_FRAME_S

MAX_POINTS = 2000
MAX_PAUSES = 4000


def contour(
    f0_times: np.ndarray,
    f0_hz: np.ndarray,
    energy_times: np.ndarray,
    energy_db: np.ndarray,
    *,
    max_points: int = MAX_POINTS,
) -> dict[str, Any]:
    """{"t", "f0_hz", "energy_db", "step_s"}: bin centres (s), mean voiced F0 (Hz or None),
    mean energy (dBFS or None) over bins of `step_s`; at most `max_points` bins."""
    if max_points < 1:
        raise ValueError("max_points must be at least 1")
    ends = [float(x[-1]) for x in (f0_times, energy_times) if x.size]
    if not ends:
        return {"t": [], "f0_hz": [], "energy_db": [], "step_s": 0.0}
    end = max(ends) + 1e-6
    hop = float(np.median(np.diff(energy_times))) if energy_times.size > 1 else 0.01
    step = max(end / max_points, hop, 1e-3)
    n = max(1, min(max_points, math.ceil(end / step)))

    def binned(times: np.ndarray, values: np.ndarray) -> list[float | None]:
        ok = np.isfinite(values)
        idx = np.clip((times[ok] / step).astype(np.int64), 0, n - 1)
        count = np.bincount(idx, minlength=n)
        total = np.bincount(idx, weights=values[ok], minlength=n)
        mean = np.divide(total, count, out=np.zeros(n), where=count > 0)
        return [round(float(v), 1) if c else None for v, c in zip(mean, count, strict=True)]

    voiced = f0_hz > 0
    return {
        "t": [round((i + 0.5) * step, 3) for i in range(n)],
        "f0_hz": binned(f0_times[voiced], f0_hz[voiced]),
        "energy_db": binned(energy_times, energy_db),
        "step_s": round(step, 4),
    }


def pause_spans(
    starts: np.ndarray, mask: np.ndarray, frame_s: float = VAD_FRAME_S,
    min_pause_s: float = MIN_PAUSE_S,
) -> list[list[float]]:
    """[start, end] of each gap of at least `min_pause_s` between speech frames (the same
    rule as vad.timing), longest kept first when there are more than MAX_PAUSES."""
    on = starts[mask.astype(bool)]
    if on.size < 2:
        return []
    gaps = np.diff(on) - frame_s
    idx = np.flatnonzero(gaps >= min_pause_s - 1e-6)
    if idx.size > MAX_PAUSES:
        idx = np.sort(idx[np.argsort(-gaps[idx], kind="stable")[:MAX_PAUSES]])
    return [[round(float(on[i] + frame_s), 3), round(float(on[i + 1]), 3)] for i in idx]
