"""Rendering a long session's timeline: time to draw the PNG and the HTML, and their sizes.

The session is SYNTHETIC (research/timeline_synthetic.py) and shaped as the recognizers store it:
30 minutes at 120 fps by default, with micro- and macro-expressions, blinks, a decimated
F0/energy contour, pauses, hundreds of utterances, and the real assessment's evidence
(models.decoder.assess). Contours are decimated at ingest; events are all kept.

    python bench/timeline_bench.py                    # 30 min, 120 fps, 3 repeats
    python bench/timeline_bench.py --minutes 60 --json out.json

Target (issue 16): <= 5 s to render and < 2 MB of HTML. Wall time on a loaded machine is
inflated by other processes; CPU time of this process is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from api.plots import timeline_html, timeline_png
from api.timeline import build_timeline
from research.timeline_synthetic import synthetic_session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--fps", type=float, default=120.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-assess", action="store_true", help="skip the evidence (no torch)")
    parser.add_argument("--out", type=Path, default=None, help="also write the PNG and HTML here")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    features = synthetic_session(args.minutes * 60, args.fps, args.seed)
    ids = [f"stu_bench/w01/f{i:05d}" for i in range(len(features))]
    evidence, text = [], None
    if not args.no_assess:
        from models.decoder import assess

        assessment = assess(features, ids, [], None)
        evidence, text = [e.model_dump() for e in assessment.evidence], assessment.text
    stored = sum(len(json.dumps(f.values, ensure_ascii=False)) for f in features)
    timeline_png(build_timeline("warm/up", "", features[:3]))  # fonts and matplotlib caches
    rows = []
    for _ in range(args.repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        tl = build_timeline("stu_bench/w01", "2026-03-16T10:00:00+08:00", features, ids,
                            evidence, text)
        png = timeline_png(tl)
        w1, c1 = time.perf_counter(), time.process_time()
        page = timeline_html(tl)
        w2, c2 = time.perf_counter(), time.process_time()
        rows.append({"png_wall_s": w1 - w0, "png_cpu_s": c1 - c0, "html_wall_s": w2 - w1,
                     "html_cpu_s": c2 - c1, "total_wall_s": w2 - w0, "total_cpu_s": c2 - c0})
    result = {
        "minutes": args.minutes, "fps": args.fps, "face_events": len(tl.face_events),
        "blinks": len(tl.blinks), "utterances": len(tl.utterances), "pauses": len(tl.pauses),
        "contour_points": len(tl.contour.t) if tl.contour else 0,
        "evidence_items": len(tl.evidence), "claims": len(tl.claims),
        "timed_claims": sum(bool(c.spans) for c in tl.claims), "stored_values_bytes": stored,
        "png_bytes": len(png), "html_bytes": len(page.encode()),
        **{k: round(statistics.median(r[k] for r in rows), 3) for k in rows[0]},
        "repeats": args.repeats,
    }
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bench_timeline.png").write_bytes(png)
        (args.out / "bench_timeline.html").write_text(page, encoding="utf-8")
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
