"""Confusion-matrix figure of a LOSO report (matplotlib, imported lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def confusion_png(res: dict[str, Any], path: Path) -> Path:
    """One row-normalised 7-class confusion matrix per model, recall on the diagonal."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = list(res["models"].items())
    fig, axes = plt.subplots(1, len(models), figsize=(5.6 * len(models), 5.2), squeeze=False)
    for ax, (name, m) in zip(axes[0], models, strict=True):
        cm = np.asarray(m["confusion"], dtype=float)
        rate = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        ax.imshow(rate, cmap="Blues", vmin=0, vmax=1)
        k = len(m["classes"])
        for i in range(k):
            for j in range(k):
                ax.text(j, i, f"{int(cm[i, j])}", ha="center", va="center", fontsize=8,
                        color="white" if rate[i, j] > 0.5 else "black")
        ax.set_xticks(range(k), m["classes"], rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(k), m["classes"], fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        lo7, hi7 = m["uar_7_ci95"]
        lo4, hi4 = m["uar_4_ci95"]
        ax.set_title(f"{name}\nUAR7 {m['uar_7']:.3f} [{lo7:.3f}, {hi7:.3f}]  "
                     f"UAR4 {m['uar_4']:.3f} [{lo4:.3f}, {hi4:.3f}]", fontsize=9)
    fig.suptitle(f"Leave-one-speaker-out, {res['n_clips']} clips, "
                 f"{len(res['speakers'])} speakers (counts; colour = row share)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
