"""MEGC recognition metrics on pooled LOSO predictions, and the confusion-matrix figure.

UF1 = mean over classes of 2TP / (2TP + FP + FN); UAR = mean over classes of TP / N_c.
A class with no true and no predicted sample is left out of both means (it says nothing
about the model); one with true samples that is never predicted counts as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

Labels = Sequence[int] | np.ndarray


def confusion(y_true: Labels, y_pred: Labels, n_classes: int) -> np.ndarray:
    """(C, C) counts, rows = true class, columns = predicted class."""
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    for t, p in zip(y_true, y_pred, strict=True):
        m[t, p] += 1
    return m


def uf1(y_true: Labels, y_pred: Labels, n_classes: int) -> float:
    """Unweighted F1 (MEGC): macro F1 over classes present in truth or predictions."""
    m = confusion(y_true, y_pred, n_classes)
    scores = []
    for c in range(n_classes):
        tp, fp, fn = m[c, c], m[:, c].sum() - m[c, c], m[c, :].sum() - m[c, c]
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else 0.0


def uar(y_true: Labels, y_pred: Labels, n_classes: int) -> float:
    """Unweighted average recall (MEGC): mean per-class recall over classes with samples."""
    m = confusion(y_true, y_pred, n_classes)
    recalls = [m[c, c] / m[c].sum() for c in range(n_classes) if m[c].sum()]
    return float(np.mean(recalls)) if recalls else 0.0


def subject_bootstrap(
    y_true: Labels, y_pred: Labels, subjects: Sequence[str], n_classes: int,
    *, n: int = 2000, seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """95 % intervals of UF1 and UAR, resampling whole subjects with replacement (the unit
    LOSO generalises over), percentile method."""
    y, p = np.asarray(y_true), np.asarray(y_pred)
    groups = np.asarray(subjects)
    names = sorted(set(groups.tolist()))
    members = [np.flatnonzero(groups == g) for g in names]
    rng = np.random.default_rng(seed)
    f1s, uars = [], []
    for _ in range(n):
        idx = np.concatenate([members[i] for i in rng.integers(len(names), size=len(names))])
        f1s.append(uf1(y[idx], p[idx], n_classes))
        uars.append(uar(y[idx], p[idx], n_classes))
    lo, hi = 2.5, 97.5
    return {
        "uf1": (float(np.percentile(f1s, lo)), float(np.percentile(f1s, hi))),
        "uar": (float(np.percentile(uars, lo)), float(np.percentile(uars, hi))),
    }


def save_confusion_png(matrix: np.ndarray, labels: Sequence[str], path: Path, title: str) -> Path:
    """Write the confusion matrix as a PNG (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.2 * len(labels) + 2, 1.2 * len(labels) + 1.5))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    top = matrix.max() if matrix.size else 0
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            color = "white" if top and matrix[i, j] > top / 2 else "black"
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", color=color)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
