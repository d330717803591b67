"""Subject-level metrics with bootstrap 95 % intervals over volunteers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from research.depression.train import f1_score


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Mann-Whitney AUC (ties count one half); NaN with one class only."""
    pos, neg = p[y == 1], p[y == 0]
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / (pos.size * neg.size))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    if np.unique(a).size < 2 or np.unique(b).size < 2:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.mean() * abs(float(p[sel].mean()) - float(y[sel].mean()))
    return total


def point_metrics(y: np.ndarray, p: np.ndarray, pred: np.ndarray, sds: np.ndarray
                  ) -> dict[str, float]:
    tp = float(np.sum((pred == 1) & (y == 1)))
    return {
        "auc": auc(y, p),
        "f1": f1_score(y, pred),
        "spearman_sds": spearman(p, sds),
        "ece": ece(y, p),
        "sensitivity": tp / max(float(np.sum(y == 1)), 1.0),
        "specificity": float(np.sum((pred == 0) & (y == 0))) / max(float(np.sum(y == 0)), 1.0),
        "brier": float(np.mean((p - y) ** 2)),
    }


def bootstrap(y: np.ndarray, p: np.ndarray, pred: np.ndarray, sds: np.ndarray,
              n_boot: int = 2000, seed: int = 0) -> dict[str, dict[str, float]]:
    """Point value and percentile 95 % interval of each metric, resampling volunteers."""
    rng = np.random.default_rng(seed)
    point = point_metrics(y, p, pred, sds)
    draws: dict[str, list[float]] = {k: [] for k in point}
    n = len(y)
    for _ in range(n_boot):
        i = rng.integers(0, n, n)
        if np.unique(y[i]).size < 2:
            continue
        for k, v in point_metrics(y[i], p[i], pred[i], sds[i]).items():
            if np.isfinite(v):
                draws[k].append(v)
    out: dict[str, dict[str, float]] = {}
    for k, v in point.items():
        lo, hi = (np.percentile(draws[k], [2.5, 97.5]) if draws[k] else (np.nan, np.nan))
        out[k] = {"value": round(v, 4), "lo": round(float(lo), 4), "hi": round(float(hi), 4)}
    return out


def summarise(cv: dict[str, Any], y: np.ndarray, sds: np.ndarray, n_boot: int = 2000,
              seed: int = 0) -> dict[str, Any]:
    """Per variant: volunteer-level mean probability over repeats, majority decision, and
    bootstrap intervals; plus the spread of AUC/F1 across repeats."""
    out: dict[str, Any] = {}
    for v, r in cv.items():
        prob = r["prob"].mean(axis=0)
        pred = (r["pred"].mean(axis=0) > 0.5).astype(int)
        per_rep: dict[str, list[float]] = {"auc": [], "f1": []}
        for k in range(r["prob"].shape[0]):
            per_rep["auc"].append(auc(y, r["prob"][k]))
            per_rep["f1"].append(f1_score(y, r["pred"][k]))
        out[v] = {
            "metrics": bootstrap(y, prob, pred, sds, n_boot, seed),
            "per_repeat": {k: {"mean": round(float(np.mean(x)), 4),
                               "min": round(float(np.min(x)), 4),
                               "max": round(float(np.max(x)), 4)} for k, x in per_rep.items()},
            "threshold_mean": round(float(np.mean(r["thresholds"])), 4),
            "confusion": {"tp": int(np.sum((pred == 1) & (y == 1))),
                          "fp": int(np.sum((pred == 1) & (y == 0))),
                          "fn": int(np.sum((pred == 0) & (y == 1))),
                          "tn": int(np.sum((pred == 0) & (y == 0)))},
        }
    return out


Progress = Callable[[str], None]
