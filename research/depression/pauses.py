"""Pause structure of a recording from the project's own VAD (research, issue 15 point 1).

The speech path already stores each recording's pauses (`speech_rate.values["pauses"]`,
ingest/audio/contour.pause_spans); feature caches made before that field existed lack it, so
`pause_spans_of` recomputes the same spans from the audio with the same code (decode ->
WebRTC VAD -> energy-gated speech mask -> pause_spans). `pause_stats` turns spans into
per-recording summaries beyond the mean pause: spread of pause lengths, long pauses, the
longest pause and the time before the first speech.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

LONG_PAUSE_S = 1.0
PAUSE_STATS: tuple[str, ...] = (
    "log_pause_sd", "long_pauses_per_min", "log_max_pause_s", "log_onset_s", "pause_cv",
)


def pause_spans_of(audio: Path) -> tuple[list[list[float]], float, float]:
    """(pause spans, speech span start, speech span end) of one recording, in seconds."""
    from ingest.audio.contour import pause_spans
    from ingest.audio.decode import SAMPLE_RATE, DecodeStats, quiet_blocks, stream_samples
    from ingest.audio.vad import VAD_FRAME_S, speech_mask, timing, webrtc_flags

    starts, flags, dbs = [], [], []
    for offset, block in quiet_blocks(stream_samples(audio, DecodeStats())):
        f, db = webrtc_flags(block, SAMPLE_RATE)
        starts.append(offset + np.arange(f.size) * VAD_FRAME_S)
        flags.append(f)
        dbs.append(db)
    if not starts:
        return [], 0.0, 0.0
    st, fl, db = np.concatenate(starts), np.concatenate(flags), np.concatenate(dbs)
    mask = speech_mask(fl.astype(bool), db)
    tm = timing(st, mask)
    return pause_spans(st, mask), tm.span_start_s, tm.span_end_s


def pause_stats(spans: Sequence[Sequence[float]], span_start_s: float, span_end_s: float
                ) -> dict[str, float]:
    """Summaries of one recording's pauses (NaN where undefined)."""
    lengths = np.array([e - s for s, e in spans], dtype=np.float64)
    span = max(span_end_s - span_start_s, 1e-6)
    out = {
        "log_pause_sd": math.log(float(lengths.std()) + 0.05) if lengths.size > 1 else math.nan,
        "long_pauses_per_min": 60.0 * float((lengths >= LONG_PAUSE_S).sum()) / span,
        "log_max_pause_s": math.log(float(lengths.max()) + 0.05) if lengths.size else
        math.log(0.05),
        "log_onset_s": math.log(span_start_s + 0.05),
        "pause_cv": float(lengths.std() / lengths.mean()) if lengths.size > 1 else math.nan,
    }
    return out
