"""Cost of the depression estimate per session (issue 15: <= 1 s), beside the speech path.

    PYTHONPATH=. python bench/depression_cost.py [AUDIO] [TRANSCRIPT]

Times analyze_speech (which the session pays anyway), then the estimate cold (first call in
the process: weights and lexicons load) and warm (median of 20 calls).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from ingest.audio import analyze_speech
from models.depression import depression_feature_text

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "speech" / "zh_06.flac"


def main() -> None:
    audio = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE
    transcript = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    t0 = time.perf_counter()
    speech = analyze_speech(audio, transcript_path=transcript, language="zh", progress=False)
    t1 = time.perf_counter()
    depression_feature_text(speech.feature_texts)
    t2 = time.perf_counter()
    warm = []
    for _ in range(20):
        s = time.perf_counter()
        ft = depression_feature_text(speech.feature_texts)
        warm.append(time.perf_counter() - s)
    assert ft is not None
    print(f"speech path {t1 - t0:.2f} s; estimate cold {t2 - t1:.3f} s, "
          f"warm median {statistics.median(warm) * 1000:.1f} ms; "
          f"p={ft.values['depression_probability']}")


if __name__ == "__main__":
    main()
