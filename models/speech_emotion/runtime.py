"""The shipped speech-emotion model at inference: lazy loading, 2 s windows, averaging.

Weights live in `weights/` beside this module (`attention_lstm.npz`, `floor.npz`), written by
`train.fit_final`; `SHIPPED` names the one the product uses (the best under LOSO, see
MODEL_CARD.md): `attention_lstm`, `floor`, or `ensemble` (their probability average, weight
ENSEMBLE_LSTM_WEIGHT on the LSTM). Loading happens once per process, at the first call. The
product runs the trained attention-LSTM in numpy (`AttentionLstmNumpy`, checked against the torch
module in the tests), so scoring never imports torch (≈ 0.5 GB and seconds per process). Both were trained on
acted German speech (EmoDB): on other languages and spontaneous speech they are unvalidated.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.speech_emotion.features import (
    CLIP_SAMPLES,
    SAMPLE_RATE,
    fit_length,
    frame_features,
    utterance_stats,
)

WEIGHTS_DIR = Path(__file__).parent / "weights"
KINDS = ("attention_lstm", "floor", "ensemble")
# LSTM share of the ensemble's probability average, chosen from {0.25, 0.5} by LOSO UAR
ENSEMBLE_LSTM_WEIGHT = 0.25
SHIPPED = "ensemble"
HOP_SAMPLES = SAMPLE_RATE  # windows of 2 s every 1 s
MIN_VOICED = 0.5  # share of a window's VAD frames with speech for it to count
MIN_SHORT_VOICED_S = 0.3  # speech a recording of at most 2 s needs to be scored
TRAINED_ON = "EmoDB (acted German speech, 7 actors)"
TRAINED_ON_ZH = "EmoDB（德语表演语音，7 名演员）"
NAMES_ZH: dict[str, str] = {
    "anger": "愤怒", "boredom": "厌倦", "disgust": "厌恶", "fear": "恐惧",
    "happiness": "高兴", "neutral": "中性", "sadness": "悲伤",
}


@dataclass(frozen=True)
class EmotionModel:
    kind: str
    classes: tuple[str, ...]
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    weights_dir: Path = WEIGHTS_DIR

    @property
    def name(self) -> str:
        return f"speech_emotion/{self.kind}@emodb"

    def window_probs(self, windows: Sequence[np.ndarray]) -> np.ndarray:
        """(N, K) class probabilities for 16 kHz windows (each cut or padded to 2 s)."""
        if not windows:
            return np.zeros((0, len(self.classes)))
        clips = [fit_length(np.asarray(w, dtype=np.float32)) for w in windows]
        if self.kind == "ensemble":
            floor = load("floor", self.weights_dir).window_probs(clips)
            lstm = load("attention_lstm", self.weights_dir).window_probs(clips)
            return (1 - ENSEMBLE_LSTM_WEIGHT) * floor + ENSEMBLE_LSTM_WEIGHT * lstm
        if self.kind == "floor":
            return floor_probs(self.arrays, np.stack([utterance_stats(c) for c in clips]))
        x = np.stack([frame_features(c) for c in clips])
        return AttentionLstmNumpy(self.arrays, self.meta["config"]).probs(x)


def floor_probs(params: dict[str, np.ndarray], f: np.ndarray) -> np.ndarray:
    z = ((f - params["mean"]) / params["scale"]) @ params["coef"].T + params["intercept"]
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def lstm_probs(model: Any, x: np.ndarray, batch: int = 64) -> np.ndarray:
    import torch

    out = []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            xb = torch.from_numpy(np.ascontiguousarray(x[i:i + batch], dtype=np.float32))
            lengths = torch.full((xb.shape[0],), xb.shape[1], dtype=torch.long)
            out.append(torch.softmax(model(xb, lengths), dim=1).numpy())
    return np.concatenate(out).astype(np.float64)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)))


def _softmax(z: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return np.asarray(e / e.sum(axis=axis, keepdims=True))


class AttentionLstmNumpy:
    """Inference of a saved `model.AttentionLSTM` state dict (eval mode, equal-length clips)
    with numpy: same gates (PyTorch order i, f, g, o), attention and heads."""

    def __init__(self, arrays: dict[str, np.ndarray], config: dict[str, Any]) -> None:
        self.w = {k: np.asarray(v, dtype=np.float64) for k, v in arrays.items()}
        self.bidirectional = bool(config["bidirectional"])
        self.head = str(config["head"])

    def _lstm(self, x: np.ndarray, name: str, reverse: bool = False) -> np.ndarray:
        """Hidden states (B, T, H) of one LSTM direction over x (B, T, D)."""
        sfx = "_reverse" if reverse else ""
        w_ih, w_hh = self.w[f"{name}.weight_ih_l0{sfx}"], self.w[f"{name}.weight_hh_l0{sfx}"]
        b = self.w[f"{name}.bias_ih_l0{sfx}"] + self.w[f"{name}.bias_hh_l0{sfx}"]
        hid = w_hh.shape[1]
        xin = x @ w_ih.T + b
        h, c = np.zeros((x.shape[0], hid)), np.zeros((x.shape[0], hid))
        out = np.zeros((x.shape[0], x.shape[1], hid))
        steps = range(x.shape[1] - 1, -1, -1) if reverse else range(x.shape[1])
        for t in steps:
            g = xin[:, t] + h @ w_hh.T
            i, f = _sigmoid(g[:, :hid]), _sigmoid(g[:, hid:2 * hid])
            c = f * c + i * np.tanh(g[:, 2 * hid:3 * hid])
            h = _sigmoid(g[:, 3 * hid:]) * np.tanh(c)
            out[:, t] = h
        return out

    def probs(self, x: np.ndarray) -> np.ndarray:
        """(B, K) class probabilities of frames x (B, T, D)."""
        w = self.w
        z = (np.asarray(x, dtype=np.float64) - w["norm_mean"]) / w["norm_scale"]
        a = self._lstm(z, "lstm1")
        if self.bidirectional:
            a = np.concatenate([a, self._lstm(z, "lstm1", reverse=True)], axis=2)
        e = np.tanh(a @ w["score.0.weight"].T + w["score.0.bias"]) @ w["score.2.weight"].T
        att = _softmax(e[..., 0], axis=1)
        if self.head == "pool":
            v = (a * att[..., None]).sum(axis=1)
        else:
            v = self._lstm(a * (att * a.shape[1])[..., None], "lstm2")[:, -1]
        return _softmax(v @ w["out.weight"].T + w["out.bias"], axis=1)


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if not path.is_file():
        raise FileNotFoundError(f"speech-emotion weights missing: {path}")
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        arrays = {k[2:]: np.asarray(z[k]) for k in z.files if k.startswith("w/")}
    return meta, arrays


@functools.cache
def load(kind: str = SHIPPED, weights_dir: Path = WEIGHTS_DIR) -> EmotionModel:
    """The model of `kind`, read once per process."""
    if kind not in KINDS:
        raise ValueError(f"speech-emotion model {kind!r} not in {KINDS}")
    if kind == "ensemble":
        parts = [load(k, weights_dir) for k in ("floor", "attention_lstm")]
        return EmotionModel(kind, parts[0].classes, {"parts": [p.meta for p in parts]}, {},
                            weights_dir)
    meta, arrays = _read(weights_dir / f"{kind}.npz")
    if kind == "floor":
        arrays = {k: v.astype(np.float64) for k, v in arrays.items()}
    return EmotionModel(kind, tuple(meta["classes"]), meta, arrays, weights_dir)


def windows(y: np.ndarray, voiced: np.ndarray | None = None, *, hop: int = HOP_SAMPLES,
            max_windows: int | None = None) -> list[np.ndarray]:
    """2 s windows every `hop` samples whose share of voiced samples (`voiced`, one bool per
    sample; None = all) is at least MIN_VOICED; a clip of at most 2 s is one window (zero-padded,
    as the training clips were) when it holds at least MIN_SHORT_VOICED_S of speech."""
    if y.size <= CLIP_SAMPLES:
        ok = voiced is None or int(voiced.sum()) >= MIN_SHORT_VOICED_S * SAMPLE_RATE
        return [y] if ok and y.size else []
    else:
        starts = list(range(0, y.size - CLIP_SAMPLES + 1, hop))
        if starts[-1] + CLIP_SAMPLES < y.size:
            starts.append(y.size - CLIP_SAMPLES)
    out = [y[s:s + CLIP_SAMPLES] for s in starts
           if voiced is None or float(np.mean(voiced[s:s + CLIP_SAMPLES])) >= MIN_VOICED]
    if max_windows is not None and len(out) > max_windows:
        pick = np.linspace(0, len(out) - 1, max_windows).round().astype(int)
        out = [out[i] for i in pick]
    return out


def summarise(probs: np.ndarray, model: EmotionModel) -> dict[str, Any] | None:
    """Mean probabilities over windows -> {label, probabilities, model, windows, ...}."""
    if probs.shape[0] == 0:
        return None
    mean = probs.mean(axis=0)
    label = model.classes[int(mean.argmax())]
    return {
        "label": label,
        "label_zh": NAMES_ZH.get(label, label),
        "probability": round(float(mean.max()), 3),
        "probabilities": {c: round(float(p), 4) for c, p in zip(model.classes, mean,
                                                                strict=True)},
        "model": model.name,
        "trained_on": TRAINED_ON,
        "windows": int(probs.shape[0]),
    }


def estimate(y: np.ndarray, voiced: np.ndarray | None = None, *, kind: str = SHIPPED,
             max_windows: int | None = 300) -> dict[str, Any] | None:
    """Speech emotion of 16 kHz mono samples, averaged over voiced 2 s windows; None when no
    window has enough speech."""
    model = load(kind)
    return summarise(model.window_probs(windows(y, voiced, max_windows=max_windows)), model)
