"""Train and cross-validate speech emotion on an EmoDB-layout folder, seeded.

Three models, all leave-one-speaker-out (LOSO):
- the attention-LSTM of paper 004 on gain-normalised log-Mel + delta + delta-delta frames
  (features.frame_features), trained with speed perturbation and SpecAugment-style masks and
  early-stopped on an inner validation speaker (never the test speaker);
- the floor: utterance statistics (features.utterance_stats) + logistic regression;
- their probability average (runtime.ENSEMBLE_LSTM_WEIGHT on the LSTM).

    python -m research.speech_emotion.train ROOT --out DIR      # LOSO report + final weights
(or `mindkg speech train-emotion --root ROOT --out DIR`; `mindkg eval speech-emotion`.)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from models.speech_emotion.features import (
    CLIP_SAMPLES,
    SAMPLE_RATE,
    fit_length,
    frame_features,
    load_clip,
    utterance_stats,
)
from models.speech_emotion.runtime import ENSEMBLE_LSTM_WEIGHT, floor_probs, lstm_probs
from research.seeding import seed_everything
from research.speech_emotion.emodb import CLASSES, CLASSES_4, LabelledClip, read_emodb
from research.speech_emotion.metrics import report

Log = Callable[[str], None]


SPEEDS: tuple[float, ...] = (0.9, 1.1)  # speed-perturbed copies of each training clip


@dataclass(frozen=True)
class LstmConfig:
    """Attention-LSTM training settings (the variants tried under LOSO are in the model card).
    `epochs` is the maximum; training stops `patience` epochs after the best validation UAR
    when a validation speaker is given, and runs exactly `epochs` otherwise."""

    hidden: int = 32
    attn_dim: int = 32
    bidirectional: bool = True
    head: str = "pool"
    dropout: float = 0.3
    input_dropout: float = 0.1
    epochs: int = 40
    patience: int = 10
    lr: float = 2e-3
    weight_decay: float = 1e-3
    batch: int = 32
    speed_perturb: bool = True
    spec_augment: bool = True
    seed: int = 0
    # One intra-op thread: on a shared 2-core machine two threads made an epoch 15x slower
    # (OpenMP spin-waiting; 139 s vs 9 s measured), and small LSTM batches gain nothing.
    threads: int = 1


C_GRID: tuple[float, ...] = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


@dataclass(frozen=True)
class FloorConfig:
    # inverse L2 strength of the logistic regression; None = chosen from C_GRID by an inner
    # leave-one-speaker-out loop on the training speakers only (never the test speaker)
    c: float | None = None
    seed: int = 0


@dataclass
class Corpus:
    clips: list[LabelledClip]
    y: np.ndarray  # class index into CLASSES
    speakers: list[str]
    frames: np.ndarray  # (N, T, 120), features.frame_features
    stats: np.ndarray  # (N, F) utterance statistics
    speed_frames: list[np.ndarray]  # frame_features of each clip at each of SPEEDS


def speed_perturb(y: np.ndarray, factor: float) -> np.ndarray:
    """Played `factor` times faster (tempo and pitch, by resampling), same length as y."""
    import librosa

    z = librosa.resample(y, orig_sr=SAMPLE_RATE, target_sr=round(SAMPLE_RATE / factor),
                         res_type="soxr_hq")
    return fit_length(np.asarray(z, dtype=np.float32), y.size)


def load_corpus(root: Path, log: Log = lambda m: None) -> Corpus:
    clips = read_emodb(root)
    frames, stats = [], []
    speed: list[list[np.ndarray]] = [[] for _ in SPEEDS]
    t0 = time.perf_counter()
    for i, c in enumerate(clips):
        y = fit_length(load_clip(c.path), CLIP_SAMPLES)
        frames.append(frame_features(y))
        for j, factor in enumerate(SPEEDS):
            speed[j].append(frame_features(speed_perturb(y, factor)))
        stats.append(utterance_stats(y))
        if (i + 1) % 50 == 0:
            log(f"features {i + 1}/{len(clips)} ({time.perf_counter() - t0:.0f} s)")
    return Corpus(clips, np.array([CLASSES.index(c.emotion) for c in clips]),
                  [c.speaker for c in clips], np.stack(frames), np.stack(stats),
                  [np.stack(f) for f in speed])


@dataclass
class FittedLstm:
    model: Any  # AttentionLSTM in eval mode
    epochs: int  # epochs trained (with validation: up to and including the best one)
    val_uar: float | None  # best validation UAR (None without a validation speaker)
    train_uar: float


def _mask(xb: np.ndarray, mean: np.ndarray, rng: np.random.Generator) -> None:
    """SpecAugment-style in place: a random time shift (roll, up to 10 %), one time mask and
    one band mask (up to 1/8 of frames / Mel bands, set to the training mean)."""
    n_mels = xb.shape[2] // 3
    for b in range(xb.shape[0]):
        t = xb.shape[1]
        xb[b] = np.roll(xb[b], int(rng.integers(-(t // 10), t // 10 + 1)), axis=0)
        t0, w = int(rng.integers(0, t - t // 8)), int(rng.integers(0, t // 8))
        xb[b, t0:t0 + w] = mean
        f0, w = int(rng.integers(0, n_mels - n_mels // 8)), int(rng.integers(0, n_mels // 8))
        for o in range(3):
            sl = slice(o * n_mels + f0, o * n_mels + f0 + w)
            xb[b, :, sl] = mean[sl]


def train_lstm(x: np.ndarray, y: np.ndarray, cfg: LstmConfig, *,
               speed: Sequence[np.ndarray] = (),
               val: tuple[np.ndarray, np.ndarray] | None = None) -> FittedLstm:
    """An AttentionLSTM on equal-length clips x (N, T, D) (plus their speed-perturbed copies
    `speed`, drawn at random per clip and epoch when cfg.speed_perturb), standardised with
    x's statistics. With `val` (frames, labels of other speakers), the weights of the epoch
    with the best validation UAR are kept (early stopping)."""
    import torch
    from torch import nn

    from models.speech_emotion.model import AttentionLSTM
    from research.speech_emotion.metrics import uar

    seed_everything(cfg.seed, cfg.threads)
    k = len(CLASSES)
    flat = x.reshape(-1, x.shape[2]).astype(np.float64)
    mean, scale = flat.mean(axis=0).astype(np.float32), (flat.std(axis=0) + 1e-5)
    model = AttentionLSTM(x.shape[2], k, hidden=cfg.hidden, attn_dim=cfg.attn_dim,
                          dropout=cfg.dropout, bidirectional=cfg.bidirectional, head=cfg.head,
                          input_dropout=cfg.input_dropout)
    model.set_normalisation(torch.from_numpy(mean),
                            torch.from_numpy(scale.astype(np.float32)))
    counts = np.bincount(y, minlength=k).astype(np.float64)
    weight = torch.tensor(counts.sum() / (k * np.maximum(counts, 1)), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=weight)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    yt = torch.from_numpy(y.astype(np.int64))
    sources = [x, *speed] if cfg.speed_perturb else [x]
    lengths = torch.full((cfg.batch,), x.shape[1], dtype=torch.long)
    rng = np.random.default_rng(cfg.seed)
    best: tuple[float, int, dict[str, Any] | None] = (-1.0, 0, None)
    for epoch in range(cfg.epochs):
        model.train()
        order = rng.permutation(x.shape[0])
        for i in range(0, order.size, cfg.batch):
            idx = order[i:i + cfg.batch]
            pick = rng.integers(0, len(sources), size=idx.size)
            xb = np.stack([sources[s][j] for s, j in zip(pick, idx, strict=True)])
            if cfg.spec_augment:
                _mask(xb, mean, rng)
            opt.zero_grad()
            loss = loss_fn(model(torch.from_numpy(xb), lengths[:idx.size]),
                           yt[torch.from_numpy(idx)])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
        if val is None:
            continue
        model.eval()
        score = uar(val[1], lstm_probs(model, val[0]).argmax(axis=1), range(k))
        if score > best[0] + 1e-9:
            best = (score, epoch, {n: t.clone() for n, t in model.state_dict().items()})
        if epoch - best[1] >= cfg.patience:
            break
    if best[2] is not None:
        model.load_state_dict(best[2])
    model.eval()
    train_uar = uar(y, lstm_probs(model, x).argmax(axis=1), range(k))
    return FittedLstm(model, best[1] + 1 if val is not None else cfg.epochs,
                      best[0] if val is not None else None, train_uar)


def choose_c(f: np.ndarray, y: np.ndarray, speakers: Sequence[str], seed: int = 0) -> float:
    """The C of C_GRID with the best leave-one-speaker-out UAR on these clips."""
    from research.speech_emotion.metrics import uar

    spk = np.asarray(speakers)
    best = (-1.0, C_GRID[0])
    for c in C_GRID:
        pred = np.zeros(y.size, dtype=int)
        for s in sorted(set(speakers)):
            te = spk == s
            params = train_floor(f[~te], y[~te], FloorConfig(c=c, seed=seed))
            pred[te] = floor_probs(params, f[te]).argmax(axis=1)
        score = uar(y, pred, range(len(CLASSES)))
        if score > best[0] + 1e-9:
            best = (score, c)
    return best[1]


def train_floor(f: np.ndarray, y: np.ndarray, cfg: FloorConfig,
                speakers: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Standardise with the training statistics, then multinomial logistic regression
    (C from cfg, else chosen by inner LOSO over `speakers`)."""
    from sklearn.linear_model import LogisticRegression

    c = cfg.c
    if c is None:
        if speakers is None or len(set(speakers)) < 2:
            raise ValueError("choosing C needs the training clips' speakers (>= 2)")
        c = choose_c(f, y, speakers, cfg.seed)
    mean, scale = f.mean(axis=0), f.std(axis=0) + 1e-8
    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000,
                            random_state=cfg.seed)
    lr.fit((f - mean) / scale, y)
    coef = np.zeros((len(CLASSES), f.shape[1]))
    intercept = np.full(len(CLASSES), -1e9)
    coef[lr.classes_] = lr.coef_
    intercept[lr.classes_] = lr.intercept_
    return {"mean": mean, "scale": scale, "coef": coef, "intercept": intercept,
            "c": np.array([c])}


def loso(corpus: Corpus, lstm: LstmConfig | None, floor: FloorConfig,
         log: Log = lambda m: None) -> dict[str, Any]:
    """Leave-one-speaker-out probabilities and metrics of the floor and (if given) the LSTM
    and the ensemble. The LSTM of each fold early-stops on the next training speaker (in
    sorted order) and trains on the others."""
    speakers = sorted(set(corpus.speakers))
    spk = np.asarray(corpus.speakers)
    n, k = corpus.y.size, len(CLASSES)
    probs = {"floor": np.zeros((n, k))}
    if lstm is not None:
        probs["attention_lstm"] = np.zeros((n, k))
    chosen_c: list[float] = []
    lstm_folds: dict[str, dict[str, Any]] = {}
    for i, s in enumerate(speakers):
        te, tr = spk == s, spk != s
        params = train_floor(corpus.stats[tr], corpus.y[tr], floor,
                             [x for x, t in zip(corpus.speakers, tr, strict=True) if t])
        chosen_c.append(float(params["c"][0]))
        probs["floor"][te] = floor_probs(params, corpus.stats[te])
        if lstm is not None:
            t0 = time.perf_counter()
            val_spk = speakers[(i + 1) % len(speakers)]
            va, fit = spk == val_spk, tr & (spk != val_spk)
            got = train_lstm(corpus.frames[fit], corpus.y[fit], lstm,
                             speed=[f[fit] for f in corpus.speed_frames],
                             val=(corpus.frames[va], corpus.y[va]))
            probs["attention_lstm"][te] = lstm_probs(got.model, corpus.frames[te])
            lstm_folds[s] = {"val_speaker": val_spk, "epochs": got.epochs,
                             "val_uar": round(float(got.val_uar or 0.0), 4),
                             "train_uar": round(got.train_uar, 4),
                             "seconds": round(time.perf_counter() - t0, 1)}
            log(f"LOSO fold speaker {s}: LSTM {lstm_folds[s]}")
    if lstm is not None:
        probs["ensemble"] = ((1 - ENSEMBLE_LSTM_WEIGHT) * probs["floor"]
                             + ENSEMBLE_LSTM_WEIGHT * probs["attention_lstm"])
    out: dict[str, Any] = {"speakers": speakers, "n_clips": int(n), "models": {}}
    for name, p in probs.items():
        out["models"][name] = report(p, corpus.y, CLASSES, CLASSES_4, corpus.speakers)
    out["probabilities"] = {name: np.round(p, 4).tolist() for name, p in probs.items()}
    out["floor_c_by_fold"] = dict(zip(speakers, chosen_c, strict=True))
    if lstm is not None:
        out["lstm_folds"] = lstm_folds
        out["lstm_final_epochs"] = final_epochs(lstm_folds, lstm)
    out["files"] = [c.path.name for c in corpus.clips]
    out["labels"] = [CLASSES[i] for i in corpus.y]
    return out


def final_epochs(folds: dict[str, dict[str, Any]], cfg: LstmConfig) -> int:
    """Epochs of the final fit on every clip: the median early-stopping epoch of the folds."""
    if not folds:
        return cfg.epochs
    return int(np.median([f["epochs"] for f in folds.values()]).round())


def save_weights(out: Path, kind: str, arrays: dict[str, np.ndarray], meta: dict[str, Any]
                 ) -> Path:
    """One .npz: the arrays plus a JSON `meta` entry (classes, normalisation, config, data)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{kind}.npz"
    payload = {f"w/{name}": np.asarray(v, dtype=np.float32) for name, v in arrays.items()}
    payload["meta"] = np.array(json.dumps({"kind": kind, "classes": list(CLASSES), **meta},
                                          sort_keys=True))
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **payload)
    tmp.replace(path)
    return path


def fit_final(corpus: Corpus, out: Path, lstm: LstmConfig, floor: FloorConfig,
              metrics: dict[str, Any] | None = None, lstm_epochs: int | None = None
              ) -> list[Path]:
    """Both models on every clip; weights written as out/attention_lstm.npz, out/floor.npz.
    The LSTM runs `lstm_epochs` epochs (the LOSO folds' median early-stopping epoch), or
    lstm.epochs without that."""
    data = {"dataset": "EmoDB-layout folder", "n_clips": int(corpus.y.size),
            "speakers": sorted(set(corpus.speakers)), "sample_rate": 16000,
            "clip_s": CLIP_SAMPLES / 16000, "normalisation": "frames: one gain offset per "
            "utterance, then training mean/sd per dimension (inside the model); "
            "floor: utterance statistics standardised with training means"}
    m = metrics or {}
    cfg = replace(lstm, epochs=lstm_epochs or lstm.epochs)
    got = train_lstm(corpus.frames, corpus.y, cfg, speed=corpus.speed_frames)
    paths = [save_weights(out, "attention_lstm",
                          {k: v.numpy() for k, v in got.model.state_dict().items()},
                          {**data, "config": asdict(cfg), "input_dim": corpus.frames.shape[2],
                           "loso": m.get("attention_lstm"), "ensemble_loso": m.get("ensemble")})]
    params = train_floor(corpus.stats, corpus.y, floor, corpus.speakers)
    paths.append(save_weights(out, "floor", params,
                              {**data, "config": asdict(floor), "loso": m.get("floor")}))
    return paths


def summary(res: dict[str, Any]) -> list[str]:
    lines = []
    for name, m in res["models"].items():
        lines.append(
            f"{name}: UAR7 {m['uar_7']:.3f} [{m['uar_7_ci95'][0]:.3f}, {m['uar_7_ci95'][1]:.3f}]"
            f"  UAR4 {m['uar_4']:.3f} [{m['uar_4_ci95'][0]:.3f}, {m['uar_4_ci95'][1]:.3f}]"
            f"  acc7 {m['accuracy_7']:.3f}")
    return lines


def run(root: Path, out: Path | None, *, lstm: LstmConfig | None = None,
        floor: FloorConfig | None = None, with_lstm: bool = True,
        log: Log = lambda m: None) -> dict[str, Any]:
    """LOSO report of both models; with `out`, also the final weights trained on all clips."""
    lstm = lstm or LstmConfig()
    floor = floor or FloorConfig()
    corpus = load_corpus(root, log)
    res = loso(corpus, lstm if with_lstm else None, floor, log)
    res["config"] = {"lstm": asdict(lstm), "floor": asdict(floor)}
    if out is not None:
        ms = {k: {kk: v[kk] for kk in ("uar_7", "uar_7_ci95", "uar_4", "uar_4_ci95")}
              for k, v in res["models"].items()}
        res["weights"] = [str(p) for p in fit_final(corpus, out, lstm, floor, ms,
                                                    res.get("lstm_final_epochs"))]
    return res


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import sys

    ap = argparse.ArgumentParser(description="LOSO + final weights on an EmoDB-layout folder")
    ap.add_argument("root", type=Path)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--epochs", type=int, default=LstmConfig.epochs)
    ap.add_argument("--hidden", type=int, default=LstmConfig.hidden)
    ap.add_argument("--no-lstm", action="store_true")
    ap.add_argument("--report", type=Path, default=None)
    a = ap.parse_args(argv)
    res = run(a.root, a.out, lstm=LstmConfig(epochs=a.epochs, hidden=a.hidden),
              with_lstm=not a.no_lstm, log=lambda m: print(m, file=sys.stderr, flush=True))
    for line in summary(res):
        print(line)
    if a.report:
        a.report.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
