"""Train and cross-validate speech emotion on an EmoDB-layout folder, seeded.

Two models, both leave-one-speaker-out (LOSO):
- the attention-LSTM of paper 004 on per-utterance CMVN frames (MFCC+Fbank+spectrogram);
- the floor: utterance statistics (features.utterance_stats) + logistic regression.

    python -m research.speech_emotion.train ROOT --out DIR      # LOSO report + final weights
(or `mindkg speech train-emotion --root ROOT --out DIR`; `mindkg eval speech-emotion`.)
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.speech_emotion.features import (
    CLIP_SAMPLES,
    clip_features,
    cmvn,
    fit_length,
    load_clip,
    utterance_stats,
)
from models.speech_emotion.runtime import floor_probs, lstm_probs
from research.speech_emotion.emodb import CLASSES, CLASSES_4, LabelledClip, read_emodb
from research.speech_emotion.metrics import report

Log = Callable[[str], None]


@dataclass(frozen=True)
class LstmConfig:
    """Attention-LSTM training settings, fixed before looking at LOSO results except where
    the model card lists the variants tried."""

    hidden: int = 64
    attn_dim: int = 32
    dropout: float = 0.3
    epochs: int = 20
    lr: float = 2e-3
    weight_decay: float = 1e-4
    batch: int = 32
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
    frames: np.ndarray  # (N, T, 360), per-utterance CMVN
    stats: np.ndarray  # (N, F) utterance statistics


def load_corpus(root: Path, log: Log = lambda m: None) -> Corpus:
    clips = read_emodb(root)
    frames, stats = [], []
    t0 = time.perf_counter()
    for i, c in enumerate(clips):
        y = fit_length(load_clip(c.path), CLIP_SAMPLES)
        frames.append(cmvn(clip_features(y)))
        stats.append(utterance_stats(y))
        if (i + 1) % 50 == 0:
            log(f"features {i + 1}/{len(clips)} ({time.perf_counter() - t0:.0f} s)")
    return Corpus(clips, np.array([CLASSES.index(c.emotion) for c in clips]),
                  [c.speaker for c in clips], np.stack(frames), np.stack(stats))


def _seed_all(seed: int, threads: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def train_lstm(x: np.ndarray, y: np.ndarray, cfg: LstmConfig) -> Any:
    """A fitted AttentionLSTM (eval mode) on equal-length clips x (N, T, D)."""
    import torch
    from torch import nn

    from models.speech_emotion.model import AttentionLSTM

    _seed_all(cfg.seed, cfg.threads)
    k = len(CLASSES)
    model = AttentionLSTM(x.shape[2], k, hidden=cfg.hidden, attn_dim=cfg.attn_dim,
                          dropout=cfg.dropout)
    counts = np.bincount(y, minlength=k).astype(np.float64)
    weight = torch.tensor(counts.sum() / (k * np.maximum(counts, 1)), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=weight)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    lengths = torch.full((x.shape[0],), x.shape[1], dtype=torch.long)
    gen = np.random.default_rng(cfg.seed)
    for _epoch in range(cfg.epochs):
        model.train()
        order = gen.permutation(x.shape[0])
        for i in range(0, order.size, cfg.batch):
            idx = torch.from_numpy(order[i:i + cfg.batch])
            opt.zero_grad()
            loss = loss_fn(model(xt[idx], lengths[idx]), yt[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
    model.eval()
    return model


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
    """Leave-one-speaker-out probabilities and metrics of the floor and (if given) the LSTM."""
    speakers = sorted(set(corpus.speakers))
    spk = np.asarray(corpus.speakers)
    n, k = corpus.y.size, len(CLASSES)
    probs = {"floor": np.zeros((n, k))}
    if lstm is not None:
        probs["attention_lstm"] = np.zeros((n, k))
    chosen_c: list[float] = []
    for s in speakers:
        te, tr = spk == s, spk != s
        params = train_floor(corpus.stats[tr], corpus.y[tr], floor,
                             [x for x, t in zip(corpus.speakers, tr, strict=True) if t])
        chosen_c.append(float(params["c"][0]))
        probs["floor"][te] = floor_probs(params, corpus.stats[te])
        if lstm is not None:
            t0 = time.perf_counter()
            model = train_lstm(corpus.frames[tr], corpus.y[tr], lstm)
            probs["attention_lstm"][te] = lstm_probs(model, corpus.frames[te])
            log(f"LOSO fold speaker {s}: LSTM {time.perf_counter() - t0:.0f} s")
    out: dict[str, Any] = {"speakers": speakers, "n_clips": int(n), "models": {}}
    for name, p in probs.items():
        out["models"][name] = report(p, corpus.y, CLASSES, CLASSES_4, corpus.speakers)
    out["probabilities"] = {name: np.round(p, 4).tolist() for name, p in probs.items()}
    out["floor_c_by_fold"] = dict(zip(speakers, chosen_c, strict=True))
    out["files"] = [c.path.name for c in corpus.clips]
    out["labels"] = [CLASSES[i] for i in corpus.y]
    return out


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
              metrics: dict[str, Any] | None = None) -> list[Path]:
    """Both models on every clip; weights written as out/attention_lstm.npz, out/floor.npz."""
    data = {"dataset": "EmoDB-layout folder", "n_clips": int(corpus.y.size),
            "speakers": sorted(set(corpus.speakers)), "sample_rate": 16000,
            "clip_s": CLIP_SAMPLES / 16000, "normalisation": "per-utterance CMVN (frames); "
            "floor: utterance statistics standardised with training means"}
    m = metrics or {}
    model = train_lstm(corpus.frames, corpus.y, lstm)
    paths = [save_weights(out, "attention_lstm",
                          {k: v.numpy() for k, v in model.state_dict().items()},
                          {**data, "config": asdict(lstm), "input_dim": corpus.frames.shape[2],
                           "loso": m.get("attention_lstm")})]
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
        res["weights"] = [str(p) for p in fit_final(corpus, out, lstm, floor, ms)]
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
