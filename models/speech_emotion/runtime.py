"""The shipped speech-emotion model at inference: lazy loading, 2 s windows, averaging.

Weights live in `weights/` beside this module (`attention_lstm.npz`, `floor.npz`), written by
`train.fit_final`; `SHIPPED` names the one the product uses (the better under LOSO, see
MODEL_CARD.md). Loading happens once per process, at the first call. Both were trained on
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
    clip_features,
    cmvn,
    fit_length,
    utterance_stats,
)

WEIGHTS_DIR = Path(__file__).parent / "weights"
KINDS = ("attention_lstm", "floor")
SHIPPED = "floor"
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
        if self.kind == "floor":
            return floor_probs(self.arrays, np.stack([utterance_stats(c) for c in clips]))
        x = np.stack([cmvn(clip_features(c)) for c in clips])
        return lstm_probs(_torch_model(self.kind, self.weights_dir), x)


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
    meta, arrays = _read(weights_dir / f"{kind}.npz")
    if kind == "floor":
        arrays = {k: v.astype(np.float64) for k, v in arrays.items()}
    return EmotionModel(kind, tuple(meta["classes"]), meta, arrays, weights_dir)


@functools.cache
def _torch_model(kind: str, weights_dir: Path) -> Any:
    import torch

    from models.speech_emotion.model import AttentionLSTM

    m = load(kind, weights_dir)
    cfg = m.meta["config"]
    model = AttentionLSTM(int(m.meta["input_dim"]), len(m.classes), hidden=int(cfg["hidden"]),
                          attn_dim=int(cfg["attn_dim"]), dropout=float(cfg["dropout"]))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in m.arrays.items()})
    model.eval()
    return model


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
