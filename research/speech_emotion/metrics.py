"""Unweighted average recall (UAR), confusion matrices and bootstrap 95 % intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def confusion(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
              k: int) -> np.ndarray:
    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred, strict=True):
        cm[int(t), int(p)] += 1
    return cm


def uar(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[int]) -> float:
    """Mean recall over `classes` that occur in y_true."""
    recalls = [float(np.mean(y_pred[y_true == c] == c)) for c in classes if np.any(y_true == c)]
    return float(np.mean(recalls)) if recalls else float("nan")


def restricted(probs: np.ndarray, y_true: np.ndarray, keep: Sequence[int]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Clips of the `keep` classes, predicted as the most probable of those classes only
    (the 4-class task: anger/happiness/neutral/sadness)."""
    sel = np.isin(y_true, keep)
    sub = probs[sel][:, list(keep)]
    return y_true[sel], np.asarray(keep)[sub.argmax(axis=1)]


def bootstrap_uar(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[int], *,
                  n: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95 % percentile interval of UAR over clip resamples, stratified by class."""
    rng = np.random.default_rng(seed)
    recalls = []
    for c in classes:
        hit = (y_pred[y_true == c] == c).astype(np.float64)
        if hit.size:
            recalls.append(hit[rng.integers(0, hit.size, size=(n, hit.size))].mean(axis=1))
    stats = np.mean(recalls, axis=0)
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return float(lo), float(hi)


def report(probs: np.ndarray, y_true: np.ndarray, classes: Sequence[str],
           four: Sequence[str], speakers: Sequence[str], *, seed: int = 0) -> dict[str, Any]:
    """UAR over all classes and over `four`, intervals, per-class recall, per-speaker UAR."""
    k = len(classes)
    y_pred = probs.argmax(axis=1)
    all_c = list(range(k))
    keep = [classes.index(c) for c in four]
    t4, p4 = restricted(probs, y_true, keep)
    cm = confusion(y_true, y_pred, k)
    spk = np.asarray(speakers)
    per_speaker = {s: round(uar(y_true[spk == s], y_pred[spk == s], all_c), 4)
                   for s in sorted(set(speakers))}
    u7, u4 = uar(y_true, y_pred, all_c), uar(t4, p4, keep)
    return {
        "n": int(y_true.size),
        "uar_7": round(u7, 4),
        "uar_7_ci95": [round(x, 4) for x in bootstrap_uar(y_true, y_pred, all_c, seed=seed)],
        "uar_4": round(u4, 4),
        "uar_4_ci95": [round(x, 4) for x in bootstrap_uar(t4, p4, keep, seed=seed)],
        "accuracy_7": round(float(np.mean(y_pred == y_true)), 4),
        "recall": {c: round(float(cm[i, i] / max(cm[i].sum(), 1)), 4)
                   for i, c in enumerate(classes)},
        "uar_7_by_speaker": per_speaker,
        "classes": list(classes),
        "confusion": cm.tolist(),
        "classes_4": list(four),
        "confusion_4": confusion([keep.index(int(t)) for t in t4],
                                 [keep.index(int(p)) for p in p4], len(keep)).tolist(),
    }
