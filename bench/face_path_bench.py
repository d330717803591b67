"""Frames per second of the whole face path against MediaPipe FaceMesh alone, same frames.

    .venv/bin/python bench/face_path_bench.py [--seconds 5] [--video PATH] [--json OUT]
                                              [--repeat 5] [--all-variants]

Pinned to 2 CPU cores, on one 640x480 file (without --video a SYNTHETIC 120 fps session is
generated first, untimed). Passes over the file, `--repeat` rounds in alternating (rotated)
order, every pass kept:
- `product`: the full analyze_video as shipped (decode | detect/track + FaceMesh | optical-flow
  AUs in three pipelined threads, spotting, feature texts);
- `facemesh_alone`: MediaPipe FaceMesh's own `process` (video mode) on the same decoded frames;
  its fps counts only the time inside `process` (decode and colour conversion excluded, which
  favours FaceMesh), and `decode_plus_facemesh` the whole loop including decode;
- `decode`: decoding only;
- with --all-variants also the full path in one thread and with landmarks every 2nd frame.
Cold = the first pass of each kind in this process (model and graph start-up; imports are
not counted), reported apart from the warm passes. Reports median [min-max] of wall fps and
of frames per CPU-second (less sensitive to other load), and the load average.
py-feat is not run here: it downloads its model weights from a hub at run time, which this
project does not allow; docs/benchmarks/face_path.md cites its published CPU figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np


def _pin_two_cores() -> list[int]:
    cores = sorted(os.sched_getaffinity(0))[:2]
    os.sched_setaffinity(0, set(cores))
    cv2.setNumThreads(len(cores))
    return cores


def _rates(n: int, t0: float, c0: float) -> dict[str, float]:
    """Wall-clock fps, and fps per CPU-second used (less sensitive to other load)."""
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {"wall_fps": round(n / wall, 1), "frames_per_cpu_second": round(n / cpu, 1),
            "cpu_cores_busy": round(cpu / wall, 2)}


def _make_session(out: Path, seconds: float) -> Path:
    from research.video.synthetic import PlantedEvent, generate_session

    events = [
        PlantedEvent(aus={4: 0.6, 14: 0.5}, onset_s=2.0, apex_s=2.12, offset_s=2.3,
                     emotion_label="contempt"),
        PlantedEvent(aus={12: 0.6}, onset_s=min(6.0, seconds - 1.0),
                     apex_s=min(6.15, seconds - 0.85), offset_s=min(6.35, seconds - 0.65),
                     emotion_label="happiness"),
    ]
    truths = generate_session(out, events=events, duration_s=seconds, fps=120.0,
                              size=(640, 480), seed=7, blinks=2, head_moves=1,
                              filename="BENCH")
    return truths[0].video_path


def _facemesh_pass(video: Path) -> dict[str, float]:
    """One FaceMesh-alone pass: fps inside `process` only, and of the whole decode loop."""
    from mediapipe.python.solutions import face_mesh

    from ingest.video.decode import iter_frames

    mesh = face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=False)
    spent, cpu, n = 0.0, 0.0, 0
    t_all, c_all = time.perf_counter(), time.process_time()
    try:
        for frame in iter_frames(video):
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            t0, c0 = time.perf_counter(), time.process_time()
            mesh.process(rgb)
            spent += time.perf_counter() - t0
            cpu += time.process_time() - c0
            n += 1
    finally:
        mesh.close()
    loop = _rates(n, t_all, c_all)
    return {"wall_fps": n / spent, "frames_per_cpu_second": n / max(cpu, 1e-9),
            "decode_plus_facemesh_wall_fps": loop["wall_fps"],
            "decode_plus_facemesh_frames_per_cpu_second": loop["frames_per_cpu_second"]}


def main() -> int:
    ap = argparse.ArgumentParser(description="face path vs FaceMesh alone, same frames")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--video", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=5, help="warm alternating rounds")
    ap.add_argument("--all-variants", action="store_true",
                    help="also the one-thread path and landmarks every 2nd frame")
    args = ap.parse_args()
    cores = _pin_two_cores()
    with tempfile.TemporaryDirectory(prefix="mindkg-bench-") as tmp:
        video = args.video or _make_session(Path(tmp), args.seconds)
        results = _measure(video, args, cores)
    text = json.dumps(results, indent=1)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text, encoding="utf-8")
    return 0


def _measure(video: Path, args: argparse.Namespace, cores: list[int]) -> dict[str, Any]:
    from bench_stats import loadavg, machine, ratio, spread

    from ingest.video.analyze import analyze_video
    from ingest.video.decode import iter_frames, probe

    info = probe(video)
    n = sum(1 for _ in iter_frames(video))  # also warms the page cache for every pass
    analyses: dict[str, Any] = {}

    def product(**kwargs: Any) -> Callable[[], dict[str, float]]:
        def run() -> dict[str, float]:
            t0, c0 = time.perf_counter(), time.process_time()
            analyses[str(kwargs)] = analyze_video(video, progress=False, **kwargs)
            return _rates(n, t0, c0)
        return run

    def decode() -> dict[str, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in iter_frames(video):
            pass
        return _rates(n, t0, c0)

    passes: dict[str, Callable[[], dict[str, float]]] = {
        "product": product(), "facemesh_alone": lambda: _facemesh_pass(video),
        "decode": decode}
    if args.all_variants:
        passes["product_single_thread"] = product(threads=False)
        passes["product_landmarks_every_2"] = product(landmarks_every=2)
    results: dict[str, Any] = {
        "bench": "face_path", "machine": machine(), "loadavg_before": loadavg(),
        "command": "python bench/face_path_bench.py " + " ".join(sys.argv[1:]),
        "video": str(video), "synthetic": args.video is None, "frames": n,
        "fps_in_file": info.fps, "size": [info.width, info.height], "pinned_cores": cores,
        "opencv": cv2.__version__, "repeat": args.repeat, "cold": {}, "warm": {},
    }
    for name, run in passes.items():  # cold: first pass of each kind in this process
        results["cold"][name] = {k: round(v, 1) for k, v in run().items()}
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in passes}
    names = list(passes)
    for r in range(max(1, args.repeat)):
        for name in names[r % len(names):] + names[:r % len(names)]:
            runs[name].append(passes[name]() | {"load_1min": os.getloadavg()[0]})
    for name, rows in runs.items():
        results["warm"][name] = {k: spread([row[k] for row in rows], 1) for k in rows[0]}
    warm = results["warm"]
    results["product_vs_facemesh_wall"] = ratio(warm["product"]["wall_fps"]["median"],
                                                warm["facemesh_alone"]["wall_fps"]["median"])
    results["product_vs_facemesh_cpu"] = ratio(
        warm["product"]["frames_per_cpu_second"]["median"],
        warm["facemesh_alone"]["frames_per_cpu_second"]["median"])
    a = analyses[str({})]
    results["events"] = [[round(e.onset_s, 3), round(e.offset_s, 3), e.me_class]
                         for e in a.events]
    if args.all_variants:
        results["single_thread_same_au_table"] = bool(np.array_equal(
            a.au_frames.data, analyses[str({"threads": False})].au_frames.data,
            equal_nan=True))
    results["realtime_at_120fps_wall"] = warm["product"]["wall_fps"]["median"] >= 120.0
    results["loadavg_after"] = loadavg()
    return results


if __name__ == "__main__":
    raise SystemExit(main())
