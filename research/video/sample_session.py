"""Regenerate samples/sessions/zh_w03_multimodal/: a short SYNTHETIC counseling-session video with ground truth.

    python -m research.video.sample_session samples/sessions/zh_w03_multimodal

Deterministic (fixed seed). mp4v keeps the 6 s, 120 fps, 640x480 file under 3 MB.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from research.video.synthetic import PlantedEvent, generate_session, write_annotations

EVENTS = (
    PlantedEvent(aus={4: 0.6, 14: 0.5}, onset_s=1.6, apex_s=1.74, offset_s=1.95,
                 emotion_label="contempt"),
    PlantedEvent(aus={12: 0.6, 6: 0.4}, onset_s=4.2, apex_s=4.33, offset_s=4.55,
                 emotion_label="happiness"),
)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "samples/sessions/zh_w03_multimodal")
    truths = generate_session(out, events=EVENTS, duration_s=6.0, fps=120.0, size=(640, 480),
                              seed=42, subject="01", filename="SESSION01", blinks=2,
                              head_moves=1, container=".mp4")
    write_annotations(truths, out / "SYNTHETIC-SAMM-LV-style-truth.csv", fmt="samm_lv")
    (out / "SYNTHETIC-truth.json").write_text(
        json.dumps([t.to_dict() for t in truths], indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print(truths[0].video_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
