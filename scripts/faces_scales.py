"""Where relative.SCALES and the eye thresholds come from, with leave-one-person-out checks.

    python scripts/faces_scales.py --root DIR [--json OUT]

DIR holds `subjectNN.VARIANT` photos (see research/video/posed.py). For every person, FaceMesh
(static mode) reads the neutral photo and each expression photo; the relative AU measures of
`ingest.video.relative` are taken against the neutral one. SCALES = per AU, the median over
people of the measure in the variant that shows it (floored at 0.03 face units). Eye
thresholds: closed = midway between the sleepy photos' and the other photos' median
both-eye closure; wink = midway between the winks' and the others' median one-eye score.
Leave-one-person-out: everything is re-estimated without the person, then applied to them;
prints the per-person photo-level results (expected AU among the top 3 measured AUs of
intensity >= 1; eye
state right) for those held-out estimates and for the shipped constants.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.video import relative as rel
from ingest.video.face import Landmarker
from research.video.posed import EXPECTED, NEUTRAL, find_photos, on_canvas, read_photo

SHOWS = {1: "surprised", 2: "surprised", 4: "sad", 5: "surprised", 6: "happy", 12: "happy",
         15: "sad", 17: "sad", 25: "surprised", 26: "surprised"}
FLOOR = 0.03


def measure(root: Path) -> dict[str, dict[str, dict[str, Any]]]:
    photos = find_photos(root)
    lm = Landmarker(static=True)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    try:
        for subject, variants in sorted(photos.items()):
            if NEUTRAL not in variants:
                continue
            img = on_canvas(read_photo(variants[NEUTRAL]))
            p0 = lm(img)
            if p0 is None:
                continue
            model = rel.RelativeAUModel()
            model.observe(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), p0)
            model.finish()
            assert model.neutral is not None
            for v in EXPECTED:
                if v not in variants:
                    continue
                im = on_canvas(read_photo(variants[v]))
                p = lm(im)
                if p is None:
                    continue
                gray = cv2.cvtColor(im, cv2.COLOR_BGR2GRAY)
                a = rel.procrustes(model.neutral.shape, rel.to_face_full(p))
                raw = rel.measures(a, model.neutral.shape)
                er, el = rel.eye_aspect(p)
                raw[5] = (er / model.neutral.ear[0] + el / model.neutral.ear[1]) / 2 - 1
                eyes = model.eye_state(gray, p)
                out.setdefault(subject, {})[v] = {
                    "raw": raw, "both": min(eyes.closure_right, eyes.closure_left),
                    "one": eyes.asymmetry + 0.5 * abs(eyes.closure_right - eyes.closure_left),
                }
    finally:
        lm.close()
    return out


def fit(data: dict[str, dict[str, dict[str, Any]]], people: list[str]) -> dict[str, Any]:
    scales = {}
    for au, v in SHOWS.items():
        vals = [data[s][v]["raw"][au] for s in people if v in data[s]]
        scales[au] = max(float(np.median(vals)), FLOOR if au != 5 else 0.05)
    def med(key: str, pick: bool, variant: str) -> float:
        return float(np.median([d[key] for s in people for v, d in data[s].items()
                                if (v == variant) == pick]))
    closed = (med("both", True, "sleepy") + med("both", False, "sleepy")) / 2
    wink = (med("one", True, "wink") + med("one", False, "wink")) / 2
    return {"scales": scales, "closed": closed, "wink": wink}


def judge(d: dict[str, dict[str, Any]], model: dict[str, Any]) -> dict[str, bool]:
    res = {}
    for v, m in d.items():
        if v in ("sleepy", "wink"):
            is_wink = m["one"] >= model["wink"]
            closed = m["both"] >= model["closed"]
            res[v] = is_wink if v == "wink" else (closed and not is_wink)
            continue
        r = {au: 3.0 * m["raw"][au] / s for au, s in model["scales"].items()}
        top = sorted((a for a in r if r[a] >= 1.0), key=lambda a: -r[a])[:3]  # AUxx_c = 1
        res[v] = bool(set(top) & EXPECTED[v])
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    data = measure(args.root)
    people = sorted(data)
    full = fit(data, people)
    from ingest.video.spotting import EYE_CLOSED, WINK

    shipped: dict[str, Any] = {"scales": dict(rel.SCALES), "closed": EYE_CLOSED,
                               "wink": WINK}
    report: dict[str, Any] = {"all_people_fit": full, "shipped": shipped, "lopo": {}}
    totals: dict[str, list[int]] = {}
    for s in people:
        model = fit(data, [p for p in people if p != s])
        got = judge(data[s], model)
        report["lopo"][s] = {"fit": model, "right": got}
        for v, ok in got.items():
            totals.setdefault(v, [0, 0])
            totals[v][0] += ok
            totals[v][1] += 1
    report["lopo_totals"] = {v: f"{a}/{b}" for v, (a, b) in totals.items()}
    print(json.dumps({"all_people_fit": full, "lopo_totals": report["lopo_totals"]},
                     indent=1, default=float))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
