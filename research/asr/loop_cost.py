"""CPU cost of the repetition-loop path, with and without the per-window token cap.

A 0.12 s piece of a committed Mandarin recording repeated over a 26 s block makes Whisper base
loop ("…" to the end of its context): the beam pass, the temperature fallback's sampled
hypotheses and the guarded pass all run, as on the EATD answer whose fallback took 35 s.

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
    options: list[dict[str, Any]] = [{"max_new_tokens": None}, {}] * 2
    for opts in options:
        cpu = time.process_time()
        segments = asr.transcribe(model, block, 0.0, "zh", **opts)
        print(f"{'uncapped' if opts else 'capped  '} {time.process_time() - cpu:5.1f} CPU-s  "
              f"text {''.join(s.text for s in segments)!r}")


if __name__ == "__main__":
    main()
