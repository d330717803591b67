"""Time the trained micro-expression classifier adds per spotted window (issue 11).

    PYTHONPATH=. .venv/bin/python bench/me_classifier_bench.py [VIDEO] [--me-model cnn_gcn]

Runs `analyze_video` once with the AU rules (spots the windows), then, for each spotted
micro-expression window, the two steps the classifier adds: the second short decode with
FaceMesh crops (`window_crops` on the picked frames) and the model (`classify`). Prints wall
and CPU seconds per window, median over --repeat runs; CPU time is the honest number on a
shared machine. The one-off model load (torch import + checkpoint) is printed apart.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

DEFAULT_VIDEO = Path("samples/sessions/zh_w03_multimodal/SYNTHETIC_01_SESSION01.mp4")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    p.add_argument("--me-model", default="cnn_gcn")
    p.add_argument("--me-weights", type=Path)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args(argv)

    from ingest.video.analyze import analyze_video, window_crops, window_picks
    from models.mer.runtime import load_me_classifier

    w0, c0 = time.perf_counter(), time.process_time()
    clf = load_me_classifier(a.me_model, a.me_weights)
    if clf is None:
        raise SystemExit("--me-model rules adds nothing per window")
    print(f"load {clf.name}: {time.perf_counter() - w0:.2f} s wall, "
          f"{time.process_time() - c0:.2f} s CPU (once per process)")
    rules = analyze_video(a.video, progress=False)
    print(f"analyze_video with AU rules: {rules.elapsed_s:.1f} s wall for {rules.n_frames} "
          f"frames, {len(rules.events)} micro-expression windows")
    for ev in rules.events:
        picks = window_picks(ev.onset_frame, ev.apex_frame, ev.offset_frame)
        crop_w, crop_c, cls_w, cls_c = [], [], [], []
        for _ in range(a.repeat):
            w, c = time.perf_counter(), time.process_time()
            crops = window_crops(a.video, ev.onset_frame, ev.offset_frame, picks=picks)
            crop_w.append(time.perf_counter() - w)
            crop_c.append(time.process_time() - c)
            w, c = time.perf_counter(), time.process_time()
            result = clf.classify(crops, ev.apex_aus)
            cls_w.append(time.perf_counter() - w)
            cls_c.append(time.process_time() - c)
        med = statistics.median
        print(f"window {ev.onset_frame}-{ev.offset_frame} ({len(crops)} crops) -> {result[0]}: crops "
              f"{med(crop_w):.3f} s wall / {med(crop_c):.3f} s CPU, classify {med(cls_w):.3f} s "
              f"wall / {med(cls_c):.3f} s CPU; total {med(crop_w) + med(cls_w):.3f} s wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
