"""`mindkg eval eatd` and `mindkg depression train`: run the protocol, write JSON and plots."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.depression.model import NAME, VERSION, DepressionModel
from research.depression.eatd import read_corpus
from research.depression.metrics import summarise
from research.depression.train import (
    C_GRID,
    C_GRID_DENSE,
    INNER_FOLDS,
    NGRAM_MAX,
    VARIANTS,
    Data,
    cross_validate,
    data_from_subjects,
    train_final,
)

LABELS = {"floor": "floor: char n-gram LR (text)", "speech": "speech+lexicon LR",
          "model": "model: stacked text + speech",
          "model_no_prompts": "model, prompts unknown (fallback)"}


def load_data(root: Path, cache_dir: Path | None, jobs: int,
              progress: Callable[[str], None] | None = None) -> tuple[Data, dict[str, Any]]:
    subjects = read_corpus(root, cache_dir, progress, jobs)
    data = data_from_subjects(subjects)
    info = {
        "volunteers": len(subjects),
        "depressed_sds_index_ge_53": int(data.y.sum()),
        "recordings_without_audio": sum(len(s.missing_audio) for s in subjects),
        "volunteers_without_any_audio": sum(not s.person.has_audio for s in subjects),
    }
    return data, info


def evaluate(data: Data, seeds: list[int], folds: int, n_boot: int,
             progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    cv = cross_validate(data, seeds, folds, progress)
    summary = summarise(cv, data.y, data.sds, n_boot)
    return {
        "protocol": {
            "outer": f"stratified {folds}-fold over volunteers x seeds {seeds}",
            "inner": f"stratified {INNER_FOLDS}-fold: C (text, L2) from {list(C_GRID)}, "
                     f"C (speech+lexicon+contrasts, L2; fallback without contrasts, L1) from "
                     f"{list(C_GRID_DENSE)} by log-loss, "
                     "stacked Platt, threshold on inner out-of-fold probabilities: "
                     "prevalence-matched for the model, max F1 for the others",
            "text": f"char 1..{NGRAM_MAX}-grams, tf-idf, min_df=2",
            "bootstrap": f"{n_boot} resamples of volunteers, percentile 95 % interval",
            "per_volunteer": "probability averaged over repeats; decision by majority",
        },
        "variants": summary,
        "seconds": round(time.perf_counter() - t0, 1),
        "_cv": cv,
    }


def plots(data: Data, result: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cv = result["_cv"]
    paths = []
    fig, ax = plt.subplots(figsize=(5, 5))
    for v in VARIANTS:
        p = cv[v]["prob"].mean(axis=0)
        order = np.argsort(-p)
        y = data.y[order]
        tpr = np.concatenate([[0], np.cumsum(y) / max(y.sum(), 1)])
        fpr = np.concatenate([[0], np.cumsum(1 - y) / max((1 - y).sum(), 1)])
        m = result["variants"][v]["metrics"]["auc"]
        ax.plot(fpr, tpr, label=f"{LABELS[v]} AUC {m['value']:.2f} [{m['lo']:.2f}, {m['hi']:.2f}]")
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set(xlabel="false positive rate", ylabel="true positive rate",
           title="EATD, out-of-fold (volunteer level)")
    ax.legend(fontsize=7, loc="lower right")
    paths.append(out / "roc.png")
    fig.savefig(paths[-1], dpi=120, bbox_inches="tight")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 5))
    edges = np.linspace(0, 1, 6)
    for v in VARIANTS:
        p = cv[v]["prob"].mean(axis=0)
        which = np.clip(np.digitize(p, edges[1:-1]), 0, 4)
        xs = [p[which == b].mean() for b in range(5) if (which == b).any()]
        ys = [data.y[which == b].mean() for b in range(5) if (which == b).any()]
        e = result["variants"][v]["metrics"]["ece"]["value"]
        ax.plot(xs, ys, "o-", label=f"{LABELS[v]} ECE {e:.3f}")
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set(xlabel="predicted P(SDS index >= 53)", ylabel="observed share", xlim=(0, 1),
           ylim=(0, 1), title="Calibration (5 bins, out-of-fold)")
    ax.legend(fontsize=7)
    paths.append(out / "calibration.png")
    fig.savefig(paths[-1], dpi=120, bbox_inches="tight")
    plt.close(fig)

    fig, axes = plt.subplots(1, len(VARIANTS), figsize=(4 * len(VARIANTS), 3.6))
    for ax, v in zip(np.atleast_1d(axes), VARIANTS, strict=True):
        c = result["variants"][v]["confusion"]
        mat = np.array([[c["tn"], c["fp"]], [c["fn"], c["tp"]]])
        ax.imshow(mat, cmap="Blues")
        for (i, j), n in np.ndenumerate(mat):
            ax.text(j, i, str(n), ha="center", va="center", fontsize=12)
        f1 = result["variants"][v]["metrics"]["f1"]
        ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["< 53", ">= 53"],
               yticklabels=["< 53", ">= 53"], xlabel="predicted", ylabel="SDS index",
               title=f"{LABELS[v]}\nF1 {f1['value']:.2f} [{f1['lo']:.2f}, {f1['hi']:.2f}]")
        ax.title.set_fontsize(8)
    fig.tight_layout()
    paths.append(out / "confusion.png")
    fig.savefig(paths[-1], dpi=120, bbox_inches="tight")
    plt.close(fig)
    return paths


def write_report(result: dict[str, Any], info: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    doc = {k: v for k, v in result.items() if not k.startswith("_")}
    doc["data"] = info
    path = out / "eatd_eval.json"
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def table(result: dict[str, Any]) -> list[str]:
    rows = [f"{'variant':36s} {'AUC':>20s} {'F1':>20s} {'Spearman':>22s} {'ECE':>20s}"]
    for v in VARIANTS:
        m = result["variants"][v]["metrics"]

        def cell(k: str, m: dict[str, Any] = m) -> str:
            return f"{m[k]['value']:.3f} [{m[k]['lo']:.2f}, {m[k]['hi']:.2f}]"
        rows.append(f"{LABELS[v]:36s} {cell('auc'):>20s} {cell('f1'):>20s} "
                    f"{cell('spearman_sds'):>22s} {cell('ece'):>20s}")
    return rows


def train_and_save(data: Data, seed: int, out: Path, metrics: dict[str, Any] | None,
                   info: dict[str, Any]) -> DepressionModel:
    meta: dict[str, Any] = {"name": NAME, "version": VERSION, "seed": seed, "data": info}
    if metrics is not None:
        meta["cv"] = {v: metrics["variants"][v]["metrics"] for v in VARIANTS}
        meta["protocol"] = metrics["protocol"]
    model = train_final(data, seed, meta)
    model.save(out)
    return model
