"""Fit the AU / event confidence maps (spotting.AU_CONF, EVENT_CONF) from `mindkg eval faces`.

    mindkg eval faces --root DIR --out OUT
    python scripts/faces_calibrate.py OUT/faces_eval.json [--plot OUT/reliability_lopo.png]

Every dominant AU of every event becomes (person, apex intensity, right?) — right when the
event lies in the expression window and the variant expects the AU; every event becomes
(person, its largest dominant intensity, right?) — right when in the window with an expected
AU; events on still clips or outside the window are wrong. A one-feature logistic regression
(L2 0.01, deterministic) is fitted on all people (the shipped constants) and, for the
reliability figures, leave-one-person-out: each person's confidences come from a fit on the
others.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from research.video.posed import EXPECTED, plot_reliability, reliability


def rows(report: dict[str, Any]) -> tuple[list[tuple[str, float, bool]],
                                          list[tuple[str, float, bool]]]:
    aus: list[tuple[str, float, bool]] = []
    events: list[tuple[str, float, bool]] = []
    for clip in report["clips"]:
        want = EXPECTED.get(clip["variant"], frozenset())
        for ev in clip["events"]:
            if "dominant_aus" not in ev:
                continue
            inten = {int(k): float(v) for k, v in ev.get("apex_intensity", {}).items()}
            if not inten:
                continue
            ok = bool(ev["in_window"] and set(ev["dominant_aus"]) & want)
            events.append((clip["subject"], max(inten.values()), ok))
            for au, v in inten.items():
                aus.append((clip["subject"], v, bool(ev["in_window"] and au in want)))
    return aus, events


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    design = np.column_stack([np.ones(len(x)), x])

    def nll(w: np.ndarray) -> float:
        z = design @ w
        return float(np.sum(np.logaddexp(0, z) - y * z) + 0.01 * np.sum(w[1:] ** 2))

    out: np.ndarray = minimize(nll, np.zeros(2)).x
    return out


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-(w[0] + w[1] * x)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", type=Path)
    ap.add_argument("--plot", type=Path, default=None)
    args = ap.parse_args()
    aus, events = rows(json.loads(args.report.read_text()))
    curves = {}
    result = {}
    for name, data in (("aus", aus), ("events", events)):
        subj = np.array([r[0] for r in data])
        x = np.array([r[1] for r in data])
        y = np.array([r[2] for r in data], float)
        lopo = np.zeros(len(y))
        for s in sorted(set(subj)):
            m = subj == s
            lopo[m] = predict(fit(x[~m], y[~m]), x[m])
        w = fit(x, y)
        curves[f"{name} (leave-one-person-out)"] = reliability(
            list(zip(lopo.tolist(), y.astype(bool).tolist(), strict=True)))
        result[name] = {"n": len(y), "right": int(y.sum()),
                        "all_people_fit": [round(float(v), 3) for v in w],
                        "lopo_ece": curves[f"{name} (leave-one-person-out)"]["ece"]}
    print(json.dumps({"fits": result, "reliability": curves}, indent=1))
    if args.plot:
        plot_reliability(curves, args.plot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
