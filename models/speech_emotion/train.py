"""Train and evaluate the attention-LSTM on a dataset folder, one command each.

    python -m models.speech_emotion.train DATASET_DIR --out speech_emotion.pt
    python -m models.speech_emotion.train DATASET_DIR --eval speech_emotion.pt

Reports accuracy and macro-averaged precision (the MEC 2017 / CHEAVD 2.0 metric) on the
test split, and the confusion matrix. Training is CPU-sized: a few thousand clips.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from models.speech_emotion.data import Clip, class_names, read_dataset
from models.speech_emotion.features import FEATURE_DIM, clip_features, load_clip, standardise
from models.speech_emotion.model import AttentionLSTM

MAX_FRAMES = 1000  # 10 s: longer clips are cut, keeping CPU training bounded


@dataclass
class Split:
    feats: list[np.ndarray]
    labels: list[int]


def _featurise(clips: list[Clip], classes: list[str]) -> dict[str, Split]:
    splits: dict[str, Split] = {}
    for clip in clips:
        s = splits.setdefault(clip.split, Split([], []))
        s.feats.append(clip_features(load_clip(clip.path))[:MAX_FRAMES])
        s.labels.append(classes.index(clip.label))
    for s in splits.values():
        s.feats, _ = standardise(s.feats)  # per split, as in paper 004 section 2.3
    return splits


def _batch(feats: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([f.shape[0] for f in feats])
    x = torch.zeros(len(feats), int(lengths.max()), feats[0].shape[1])
    for i, f in enumerate(feats):
        x[i, : f.shape[0]] = torch.from_numpy(f)
    return x, lengths


def predict(model: AttentionLSTM, feats: list[np.ndarray], batch: int = 16) -> np.ndarray:
    model.eval()
    out: list[np.ndarray] = []
    with torch.no_grad():
        for i in range(0, len(feats), batch):
            x, lengths = _batch(feats[i:i + batch])
            out.append(model(x, lengths).argmax(dim=1).numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=int)


def metrics(y_true: list[int], y_pred: np.ndarray, classes: list[str]) -> dict[str, Any]:
    k = len(classes)
    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred, strict=True):
        cm[t, p] += 1
    predicted = cm.sum(axis=0)
    present = cm.sum(axis=1) > 0
    precision = np.where(predicted > 0, np.diag(cm) / np.maximum(predicted, 1), 0.0)
    recall = np.diag(cm) / np.maximum(cm.sum(axis=1), 1)
    return {
        "n": int(cm.sum()),
        "accuracy": float(np.trace(cm) / max(cm.sum(), 1)),
        "macro_precision": float(precision[present].mean()) if present.any() else 0.0,
        "macro_recall": float(recall[present].mean()) if present.any() else 0.0,
        "classes": classes,
        "confusion": cm.tolist(),
    }


def train(folder: Path, out: Path, *, epochs: int = 20, hidden: int = 64, lr: float = 1e-3,
          batch: int = 16, seed: int = 0, threads: int = 1) -> dict[str, Any]:
    """Train on `train`, pick the epoch with the best `val` accuracy, report `test`."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # Small-batch LSTMs gain nothing from intra-op threads, and on a shared CPU OpenMP's
    # spin-waiting made one step 35x slower (50 s vs 1.4 s measured): use one thread.
    torch.set_num_threads(threads)
    clips = read_dataset(folder)
    classes = class_names(clips)
    splits = _featurise(clips, classes)
    if "train" not in splits:
        raise SystemExit(f"{folder}: no clips in the train split")
    tr = splits["train"]
    model = AttentionLSTM(FEATURE_DIM, len(classes), hidden=hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    best: tuple[float, dict[str, Any]] = (-1.0, {})
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = np.random.permutation(len(tr.feats))
        total = 0.0
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            x, lengths = _batch([tr.feats[j] for j in idx])
            y = torch.tensor([tr.labels[j] for j in idx])
            opt.zero_grad()
            loss = loss_fn(model(x, lengths), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += float(loss.detach()) * len(idx)
        held = splits.get("val", tr)
        acc = metrics(held.labels, predict(model, held.feats), classes)["accuracy"]
        history.append({"epoch": epoch, "loss": total / len(tr.feats), "val_accuracy": acc})
        if acc > best[0]:
            best = (acc, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[1])
    result = {"classes": classes, "history": history, "val_accuracy": best[0]}
    if "test" in splits:
        result["test"] = metrics(splits["test"].labels, predict(model, splits["test"].feats),
                                 classes)
    _, train_stats = standardise([f for f in tr.feats])
    torch.save({"state_dict": model.state_dict(), "classes": classes, "hidden": hidden,
                "feature_dim": FEATURE_DIM, "dataset": str(folder),
                "train_stats": [s.tolist() for s in train_stats]}, out)
    return result


def evaluate(folder: Path, checkpoint: Path, split: str = "test") -> dict[str, Any]:
    torch.set_num_threads(1)
    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=True)
    classes = list(ckpt["classes"])
    clips = [c for c in read_dataset(folder) if c.split == split]
    unknown = {c.label for c in clips} - set(classes)
    if unknown:
        raise SystemExit(f"labels {sorted(unknown)} were not in the training classes {classes}")
    feats = _featurise(clips, classes).get(split)
    if feats is None:
        raise SystemExit(f"{folder}: no clips in split {split!r}")
    model = AttentionLSTM(int(ckpt["feature_dim"]), len(classes), hidden=int(ckpt["hidden"]))
    model.load_state_dict(ckpt["state_dict"])
    return metrics(feats.labels, predict(model, feats.feats), classes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("dataset", type=Path, help="folder with labels.csv (path,split,label)")
    ap.add_argument("--out", type=Path, default=Path("speech_emotion.pt"))
    ap.add_argument("--eval", type=Path, default=None, help="evaluate this checkpoint only")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = ap.parse_args(argv)
    if args.eval is not None:
        result = evaluate(args.dataset, args.eval)
    else:
        result = train(args.dataset, args.out, epochs=args.epochs, hidden=args.hidden,
                       seed=args.seed, threads=args.threads)
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
