"""Train and evaluate a micro-expression recognizer in one command.

    python -m research.mer.train --model cnn_gcn --data DIR --format casme2 --out runs/x
    python -m research.mer.train --model cnn_gcn --data SRC --format casme3 --protocol full --out pre
    python -m research.mer.train --model cnn_gcn --data DIR --format casme2 --pretrained pre/model.pt ...

LOSO: one fold per subject, predictions pooled, UF1/UAR computed once (MEGC). Each fold
holds out part of its training clips for early stopping. Adam (lr 1e-3, weight decay 1e-5),
batch 64 and fixed seeds with deterministic algorithms, as in the source study.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rich.console import Console
from rich.progress import Progress
from torch import nn

from models.mer.clips import ClipArrays
from models.mer.zoo import MODELS, Representation, TrainContext, build_model, build_rep
from models.mer.zoo import transferable_state as transferable
from research.datasets import CLASS3, CLASS4, LOADERS, MESample, load_dataset
from research.datasets.sample import to_class5
from research.mer.clips import FrameReader, load_clips
from research.mer.metrics import confusion, save_confusion_png, uar, uf1

log = logging.getLogger("research.mer.train")
console = Console(stderr=True)

CLASS_SETS = ("class3", "class4", "class5", "emotion")


@dataclass
class RunConfig:
    """Every knob of a run; written to metrics.json so a result can be re-run exactly."""

    model: str
    data: Path
    format: str
    out: Path
    pretrained: Path | None = None
    classes: str = "class3"
    protocol: str = "loso"
    epochs: int = 60
    patience: int = 8
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-5
    val_fraction: float = 0.2
    seed: int = 0
    size: int = 64
    frames: int = 8
    threads: int = 2
    flip: bool = True
    finetune_lr_scale: float = 1.0


def seed_everything(seed: int, threads: int) -> None:
    """Fixed seeds and deterministic kernels: the same command gives the same numbers."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)


def select_labels(samples: Sequence[MESample], classes: str) -> tuple[list[MESample], list[str]]:
    """Keep samples that have a label in the chosen class set; return them and the labels."""
    if classes == "class3":
        labels = list(CLASS3)
    elif classes == "class4":
        labels = list(CLASS4)
    elif classes == "class5":
        datasets = {s.dataset for s in samples}
        sets = {tuple(c for c in _class5_of(d)) for d in datasets}
        if len(sets) != 1 or not next(iter(sets)):
            raise ValueError(f"class5 is defined for casme2 or samm alone, not {sorted(datasets)}")
        labels = list(next(iter(sets)))
    elif classes == "emotion":
        labels = sorted({s.emotion for s in samples if s.emotion})
    else:
        raise ValueError(f"--classes must be one of {CLASS_SETS}")
    kept = [s for s in samples if label_of(s, classes) in labels]
    return kept, labels


def _class5_of(dataset: str) -> tuple[str, ...]:
    return tuple(e for e in _CLASS5_ORDER if to_class5(e, dataset) is not None)


_CLASS5_ORDER = (
    "happiness", "disgust", "repression", "anger", "contempt", "surprise", "others"
)  # fmt: skip


def label_of(sample: MESample, classes: str) -> str | None:
    """The sample's label in a class set."""
    if classes == "class3":
        return sample.class3
    if classes == "class4":
        return sample.class4
    if classes == "class5":
        return sample.class5
    return sample.emotion or None


def with_mirrors(clips: ClipArrays) -> ClipArrays:
    """Clips followed by their left-right mirror images (index i + N).

    Why: a mirrored face is a plausible other face with the same AUs, and LOSO folds of
    micro-expression sets have few identities to learn identity-invariance from.
    """
    return ClipArrays(
        onset=np.concatenate([clips.onset, clips.onset[..., ::-1]]),
        apex=np.concatenate([clips.apex, clips.apex[..., ::-1]]),
        sequence=np.concatenate([clips.sequence, clips.sequence[..., ::-1]]),
    )


def _batches(n: int, size: int, gen: torch.Generator | None) -> list[torch.Tensor]:
    order = torch.randperm(n, generator=gen) if gen is not None else torch.arange(n)
    return list(order.split(size))


def _loss_fn(y: torch.Tensor, n_classes: int) -> nn.CrossEntropyLoss:
    """Class-weighted cross-entropy (inverse frequency): UF1/UAR reward every class equally."""
    counts = torch.bincount(y, minlength=n_classes).to(torch.float32)
    weights = torch.where(counts > 0, counts.sum() / (n_classes * counts.clamp_min(1)), 0.0)
    return nn.CrossEntropyLoss(weight=weights)


def val_split(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified hold-out of `fraction` of each class (classes with < 3 clips stay in train)."""
    rng = np.random.default_rng(seed)
    val: list[int] = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        if len(idx) >= 3:
            val += rng.choice(idx, max(1, round(fraction * len(idx))), replace=False).tolist()
    mask = np.zeros(len(y), dtype=bool)
    mask[val] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
    cfg: RunConfig,
    n_classes: int,
    seed: int,
    transferred: set[str] | None = None,
) -> dict[str, Any]:
    """Adam + early stopping on validation loss; the best epoch's weights are restored.

    `transferred` names the parameters loaded from a pre-trained model: they fine-tune at
    lr * cfg.finetune_lr_scale, freshly initialised ones at the model's own rate.
    """
    opt = torch.optim.Adam(
        optimiser_groups(model, cfg, transferred or set()),
        lr=cfg.lr,
        weight_decay=cfg.weight_decay,
    )
    loss_fn = _loss_fn(y, n_classes)
    gen = torch.Generator().manual_seed(seed)
    # Models that need a warm-up (see their `min_epochs`) are not stopped, and their best
    # epoch not chosen, before it: on ~5 validation clips an untrained net's ln(C) loss
    # otherwise wins before the net starts to fit.
    warmup = int(getattr(model, "min_epochs", 0))
    best, best_state, best_epoch, waited = float("inf"), None, 0, 0
    for epoch in range(1, max(cfg.epochs, warmup + cfg.patience) + 1):
        model.train()
        for idx in _batches(len(y), cfg.batch_size, gen):
            if len(idx) < 2:  # BatchNorm cannot train on a single clip
                continue
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        if len(y_val) == 0 or epoch < warmup:
            continue
        model.eval()
        with torch.no_grad():
            val_loss = float(loss_fn(model(x_val), y_val))
        if val_loss < best - 1e-4:
            best, best_epoch, waited = val_loss, epoch, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            waited += 1
            if waited >= cfg.patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return {"best_epoch": best_epoch or cfg.epochs, "val_loss": best if best_state else None}


def optimiser_groups(
    model: nn.Module, cfg: RunConfig, transferred: set[str]
) -> list[dict[str, Any]]:
    """The model's own groups (e.g. CnnGcn's slower GCN), each split into transferred
    parameters (lr x finetune_lr_scale) and fresh ones."""
    own = getattr(model, "param_groups", None)
    base: list[dict[str, Any]] = (
        own(cfg.lr) if callable(own) else [{"params": list(model.parameters()), "lr": cfg.lr}]
    )
    loaded = {id(p) for name, p in model.named_parameters() if name in transferred}
    groups = []
    for group in base:
        for is_loaded, scale in ((False, 1.0), (True, cfg.finetune_lr_scale)):
            params = [p for p in group["params"] if (id(p) in loaded) == is_loaded]
            if params:
                groups.append({"params": params, "lr": group["lr"] * scale})
    return groups


def predict(model: nn.Module, x: torch.Tensor, batch: int) -> np.ndarray:
    """Arg-max class of each input."""
    model.eval()
    with torch.no_grad():
        out = [model(x[i : i + batch]).argmax(dim=1) for i in range(0, len(x), batch)]
    return torch.cat(out).numpy() if out else np.zeros(0, dtype=np.int64)


def _load_checkpoint(path: Path, model_name: str) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"--pretrained checkpoint not found: {path}")
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(ckpt, dict) or "state" not in ckpt or "rep" not in ckpt:
        raise ValueError(f"{path} is not a checkpoint written by research.mer.train")
    if MODELS[ckpt["model"]][0] != MODELS[model_name][0]:
        raise ValueError(
            f"{path} was trained as {ckpt['model']!r} on {MODELS[ckpt['model']][0]} inputs; "
            f"{model_name!r} reads {MODELS[model_name][0]} inputs"
        )
    return ckpt


def train_fold(
    cfg: RunConfig,
    rep: Representation,
    samples: Sequence[MESample],
    y: np.ndarray,
    labels: Sequence[str],
    train_idx: np.ndarray,
    seed: int,
    ckpt: dict[str, Any] | None,
) -> tuple[nn.Module, dict[str, Any]]:
    """Fit representation statistics and a model on `train_idx` (validation split inside)."""
    torch.manual_seed(seed)
    if ckpt is not None:
        rep.load_state(ckpt["rep"])  # the source's feature space, not refitted
    else:
        rep.fit(np.concatenate([train_idx, train_idx + len(samples)]) if cfg.flip else train_idx)
    tr, va = val_split(y[train_idx], cfg.val_fraction, seed)
    tr, va = train_idx[tr], train_idx[va]
    if cfg.flip:  # mirrored copies sit at index + N; they train, never validate or test
        tr = np.concatenate([tr, tr + len(samples)])
    x_tr, x_va = rep.transform(tr), rep.transform(va)
    y_tr, y_va = torch.as_tensor(y[tr % len(samples)]), torch.as_tensor(y[va])
    annotations = [(labels[int(y[i])], samples[i].aus) for i in train_idx]
    ctx = TrainContext(labels, annotations, tuple(x_tr.shape[1:]))
    model, notes = build_model(cfg.model, ctx)
    loaded: set[str] = set()
    if ckpt is not None:
        keep, fresh = transferable(model, ckpt["state"])
        model.load_state_dict(keep, strict=False)
        loaded = set(keep)
        notes = notes | {"transferred": str(len(keep)), "fresh": ",".join(fresh)}
    info = fit(model, x_tr, y_tr, x_va, y_va, cfg, len(labels), seed, loaded)
    return model, info | notes


def run(cfg: RunConfig, read: FrameReader | None = None) -> dict[str, Any]:
    """Load, train (LOSO or full), evaluate and write outputs under cfg.out.

    `read` turns a frame file into a grayscale face in [0, 1] (default: the frames are face
    crops already; `mindkg mer train` passes the video path's face alignment).
    """
    if cfg.model not in MODELS:
        raise ValueError(f"unknown --model {cfg.model!r}; choose from {sorted(MODELS)}")
    seed_everything(cfg.seed, cfg.threads)
    raw = load_dataset(cfg.format, cfg.data)
    with_frames = [s for s in raw if s.frames]
    if not with_frames:
        raise FileNotFoundError(f"{cfg.data}: {len(raw)} annotated clips but no frame folders")
    samples, labels = select_labels(with_frames, cfg.classes)
    if len(samples) < 2:
        raise ValueError(f"only {len(samples)} clips have a {cfg.classes} label")
    y = np.array([labels.index(label_of(s, cfg.classes) or "") for s in samples])
    subjects = np.array([s.subject_key for s in samples])
    console.print(
        f"[bold]{cfg.model}[/] on {cfg.format}: {len(samples)} clips "
        f"({len(raw) - len(with_frames)} without frames skipped), "
        f"{len(set(subjects))} subjects, labels {labels}"
    )
    clips = load_clips(samples, cfg.size, cfg.frames, read)
    rep = build_rep(cfg.model, with_mirrors(clips) if cfg.flip else clips)
    ckpt = _load_checkpoint(cfg.pretrained, cfg.model) if cfg.pretrained else None
    cfg.out.mkdir(parents=True, exist_ok=True)
    if cfg.protocol == "full":
        return _run_full(cfg, rep, samples, y, labels, subjects, ckpt)
    if cfg.protocol != "loso":
        raise ValueError("--protocol must be loso or full")
    return _run_loso(cfg, rep, samples, y, labels, subjects, ckpt)


def _run_full(
    cfg: RunConfig,
    rep: Representation,
    samples: Sequence[MESample],
    y: np.ndarray,
    labels: list[str],
    subjects: np.ndarray,
    ckpt: dict[str, Any] | None,
) -> dict[str, Any]:
    everything = np.arange(len(samples))
    model, info = train_fold(cfg, rep, samples, y, labels, everything, cfg.seed, ckpt)
    path = cfg.out / "model.pt"
    torch.save(
        {"model": cfg.model, "labels": labels, "state": model.state_dict(), "rep": rep.state(),
         # what the runtime classifier (models/mer/runtime.py) needs to rebuild the inputs
         "meta": {"size": cfg.size, "frames": cfg.frames, "classes": cfg.classes,
                  "format": cfg.format, "seed": cfg.seed, "n_clips": len(samples),
                  "n_subjects": len(set(subjects))}},
        path,
    )
    result = {
        "protocol": "full",
        "checkpoint": str(path),
        "n_clips": len(samples),
        "n_subjects": len(set(subjects)),
        "labels": labels,
        "fit": info,
        "config": _jsonable(asdict(cfg)),
    }
    (cfg.out / "metrics.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    console.print(f"saved {path} (best epoch {info['best_epoch']})")
    return result


def _run_loso(
    cfg: RunConfig,
    rep: Representation,
    samples: Sequence[MESample],
    y: np.ndarray,
    labels: list[str],
    subjects: np.ndarray,
    ckpt: dict[str, Any] | None,
) -> dict[str, Any]:
    pred = np.full(len(samples), -1)
    folds: list[dict[str, Any]] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("LOSO folds", total=len(set(subjects)))
        for k, subject in enumerate(sorted(set(subjects))):
            test = np.flatnonzero(subjects == subject)
            train = np.flatnonzero(subjects != subject)
            model, info = train_fold(cfg, rep, samples, y, labels, train, cfg.seed + k, ckpt)
            pred[test] = predict(model, rep.transform(test), cfg.batch_size)
            folds.append({"subject": subject, "n_test": len(test), **info})
            progress.advance(task)
    result = _scores(y, pred, labels, samples)
    result |= {
        "protocol": "loso",
        "model": cfg.model,
        "format": cfg.format,
        "classes": cfg.classes,
        "labels": labels,
        "n_clips": len(samples),
        "n_subjects": len(set(subjects)),
        "folds": folds,
        "config": _jsonable(asdict(cfg)),
    }
    _write_outputs(cfg, result, samples, y, pred, labels)
    console.print(f"UF1 {result['uf1']:.4f}  UAR {result['uar']:.4f}  -> {cfg.out}")
    return result


def _scores(
    y: np.ndarray, pred: np.ndarray, labels: Sequence[str], samples: Sequence[MESample]
) -> dict[str, Any]:
    n = len(labels)
    per_dataset = {}
    datasets = np.array([s.dataset for s in samples])
    for d in sorted(set(datasets)):
        m = datasets == d
        per_dataset[d] = {"uf1": uf1(y[m], pred[m], n), "uar": uar(y[m], pred[m], n)}
    return {
        "uf1": uf1(y, pred, n),
        "uar": uar(y, pred, n),
        "accuracy": float(np.mean(y == pred)),
        "confusion": confusion(y, pred, n).tolist(),
        "per_dataset": per_dataset,
    }


def _write_outputs(
    cfg: RunConfig,
    result: dict[str, Any],
    samples: Sequence[MESample],
    y: np.ndarray,
    pred: np.ndarray,
    labels: Sequence[str],
) -> None:
    (cfg.out / "metrics.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    with (cfg.out / "predictions.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["dataset", "subject", "clip", "true", "predicted"])
        for s, t, p in zip(samples, y, pred, strict=True):
            writer.writerow([s.dataset, s.subject, s.clip_id, labels[t], labels[p]])
    title = f"{cfg.model} on {cfg.format} (LOSO) UF1 {result['uf1']:.3f} UAR {result['uar']:.3f}"
    save_confusion_png(np.array(result["confusion"]), labels, cfg.out / "confusion.png", title)


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in d.items()}


def parse_args(argv: Sequence[str] | None = None) -> RunConfig:
    """Command-line options -> RunConfig."""
    p = argparse.ArgumentParser(prog="python -m research.mer.train", description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, choices=sorted(MODELS))
    p.add_argument("--data", required=True, type=Path, help="dataset folder (sheet + frames)")
    p.add_argument("--format", required=True, choices=sorted(LOADERS))
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--pretrained", type=Path, help="checkpoint to transfer (fine-tune) from")
    p.add_argument("--classes", default="class3", choices=CLASS_SETS)
    p.add_argument("--protocol", default="loso", choices=("loso", "full"))
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--patience", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--size", type=int, default=64, help="face crop side in pixels")
    p.add_argument("--frames", type=int, default=8, help="sequence length (mer_gcn_transformer)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--no-flip", action="store_true", help="no mirrored training copies")
    p.add_argument(
        "--finetune-lr-scale",
        type=float,
        default=1.0,
        help="lr factor for weights loaded with --pretrained (fresh ones train at --lr)",
    )
    a = p.parse_args(argv)
    return RunConfig(
        model=a.model, data=a.data, format=a.format, out=a.out, pretrained=a.pretrained,
        classes=a.classes, protocol=a.protocol, epochs=a.epochs, patience=a.patience,
        batch_size=a.batch_size, lr=a.lr, seed=a.seed, size=a.size, frames=a.frames,
        threads=a.threads, flip=not a.no_flip, finetune_lr_scale=a.finetune_lr_scale,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; bad input ends with one clear message and exit code 2."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    cfg = parse_args(argv)
    try:
        run(cfg)
    except (FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
