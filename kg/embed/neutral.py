"""Neutral-text detector: P(neutral) for one text, next to the sentence-polarity model.

The polarity layer (kg.embed.sentence_polarity) is trained on polar texts only, so it almost
never says `neutral`. This detector is a separate, small logistic regression, P(neutral), over
the same text's

- 384-d sentence vector of the packaged encoder (`sentence_polarity.sentence_vectors`), and
- the polarity model's ten named dense features (`TextAnalysis.dense()`: p/n/m cosines, scoped
  lexicon sums, negated polar words, symptoms, any-cue), which need no training.

Trained with neutral = People's Daily 1998 news sentences and polar = the shared sentiment
corpora (research/polarity/neutral.py; card: polarity_weights/MODEL_CARD_neutral.md). A text
is flagged neutral when P(neutral) >= `threshold`, the threshold chosen in training to keep
left-out polar corpora's false-neutral rate under a fixed cap. Weights: a small .npz (no
pickle).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from kg.embed.sentence_polarity import DENSE_NAMES, ENCODER_ID, WEIGHTS_DIR

NEUTRAL_FILE = WEIGHTS_DIR / "neutral_detector.npz"
FEATURE_SETS = ("vector+named", "named")


class NeutralDetectorError(ValueError):
    """Neutral-detector weights missing or malformed."""


@dataclass(frozen=True)
class NeutralDetectorWeights:
    """P(neutral) = sigmoid(vector @ coef_embed + ((dense - mean) / scale) @ coef_dense + b)."""

    coef_embed: np.ndarray  # on the raw encoder vector (standardisation folded in); zeros: unused
    coef_dense: np.ndarray  # on the standardised named features
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    intercept: float
    threshold: float  # P(neutral) at or above which a text is neutral
    meta: dict[str, Any]

    @property
    def uses_encoder(self) -> bool:
        return bool(np.any(self.coef_embed != 0))

    def probabilities(self, dense: np.ndarray, vectors: np.ndarray | None) -> np.ndarray:
        """P(neutral) per row of `dense` (n, 10) and `vectors` (n, 384; may be None when the
        weights do not use the encoder)."""
        dense = np.atleast_2d(np.asarray(dense, dtype=np.float64))
        if dense.shape[1] != len(DENSE_NAMES):
            raise NeutralDetectorError(f"expected {len(DENSE_NAMES)} named features per text")
        z = ((dense - self.dense_mean) / self.dense_scale) @ self.coef_dense + self.intercept
        if self.uses_encoder:
            if vectors is None:
                raise NeutralDetectorError("these weights need the sentence vectors")
            z = z + np.asarray(vectors, dtype=np.float64) @ self.coef_embed
        return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(z).ravel())))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp, coef_embed=self.coef_embed.astype(np.float64),
            coef_dense=self.coef_dense.astype(np.float64), dense_mean=self.dense_mean,
            dense_scale=self.dense_scale, scalars=np.array([self.intercept, self.threshold]),
            dense_names=np.array(DENSE_NAMES), encoder=np.array(ENCODER_ID),
            meta=np.array(json.dumps(self.meta, sort_keys=True, ensure_ascii=False)))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> NeutralDetectorWeights:
        if not path.is_file():
            raise NeutralDetectorError(
                f"neutral-detector weights {path} are missing: run `mindkg kg neutral-train`")
        with np.load(path, allow_pickle=False) as z:
            if tuple(str(n) for n in z["dense_names"]) != DENSE_NAMES:
                raise NeutralDetectorError(f"{path}: trained for other named features; retrain")
            if str(z["encoder"]) != ENCODER_ID:
                raise NeutralDetectorError(
                    f"{path}: trained on encoder {z['encoder']}, not {ENCODER_ID}; retrain")
            s = z["scalars"]
            return cls(z["coef_embed"].astype(np.float64), z["coef_dense"].astype(np.float64),
                       z["dense_mean"].astype(np.float64), z["dense_scale"].astype(np.float64),
                       float(s[0]), float(s[1]), json.loads(str(z["meta"])))


@cache
def _load(path: Path) -> NeutralDetectorWeights:
    return NeutralDetectorWeights.load(path)


def load_neutral_detector(path: Path = NEUTRAL_FILE) -> NeutralDetectorWeights:
    """The shipped neutral detector, loaded once per process (read-only, shared)."""
    return _load(Path(path))
