"""CPU cost of the repetition-loop path, with and without a per-window token cap.

A 0.12 s piece of a committed Mandarin recording repeated over a 26 s block makes Whisper base
loop to the end of its context (445 tokens): the beam pass, the temperature fallback's sampled
hypotheses and the guarded pass all run. The candidate cap, 10 tokens per second of block + 16
(faster-whisper's `max_new_tokens`), is not shipped (docs/REAL_DATA.md, Mandarin ASR, third
round): it bounds this path but cut no CPU on the development speakers.

    python -m research.asr.loop_cost
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "speech" / "zh_03.flac"


def loop_block(seconds: float = 26.0) -> np.ndarray:
    """The 0.30–0.42 s piece after the first loud sample of zh_03, tiled to `seconds`."""
    import soundfile as sf

    x, rate = sf.read(SAMPLE, dtype="float32")
    x = x[int(np.flatnonzero(np.abs(x) > 0.02)[0]):]
    piece = x[int(0.30 * rate):int(0.42 * rate)]
    return np.tile(piece, int(seconds / 0.12) + 1)[: int(seconds * rate)]


def main() -> None:
    from ingest.audio import asr

    _label, model = asr.model_for("base", "zh", 2)
    block = loop_block()
    cap = int(10 * block.size / 16_000) + 16
    options: list[dict[str, Any]] = [{}, {"max_new_tokens": cap}] * 2
    for opts in options:
        cpu = time.process_time()
        segments = asr.transcribe(model, block, 0.0, "zh", **opts)
        print(f"{opts or 'shipped'} {time.process_time() - cpu:5.1f} CPU-s  "
              f"text {''.join(s.text for s in segments)!r}")


if __name__ == "__main__":
    main()
