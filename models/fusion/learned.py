"""Learned fusion on labelled sessions or MMSA clips: train, predict and evaluate the HGC model.

Sessions are encoded by models/fusion/encode.py (values layout by default); MMSA clips by
caller-supplied group vectors (or the hashed-text baseline). Suicide risk is never learned
here: the decoder keeps the explicit-signal floor whatever a learned model says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from contracts.feature_text import FeatureText
from models.fusion.encode import GROUP_DIMS, values_vector
from models.fusion.mmsa import MMSARow, mmsa_metrics, text_hash_vector
from models.fusion.state import EMOTIONS, LEVELS, FusedState, normalise

if TYPE_CHECKING:  # torch loads only when a learned model is trained or applied
    from models.fusion.hgc import GroupVectors, HGCConfig, HGCModel


def train_session_model(
    sessions: Sequence[Sequence[FeatureText]], labels: Sequence[str], target: str,
    cfg: HGCConfig | None = None,
) -> HGCModel:
    """target 'emotion' (labels from EMOTIONS) or 'depression' (labels from LEVELS)."""
    from models.fusion.hgc import train_hgc

    classes = {"emotion": EMOTIONS, "depression": LEVELS}[target]
    unknown = sorted({lab for lab in labels if lab not in classes})
    if unknown:
        raise ValueError(f"labels {unknown} are not {target} classes {classes}")
    xs = [values_vector(fs) for fs in sessions]
    return train_hgc(xs, [classes.index(lab) for lab in labels], GROUP_DIMS,
                     n_out=len(classes), cfg=cfg)


def predict_sessions(model: HGCModel, sessions: Sequence[Sequence[FeatureText]]) -> np.ndarray:
    from models.fusion.hgc import predict_hgc

    return predict_hgc(model, [values_vector(fs) for fs in sessions], GROUP_DIMS)


@dataclass(frozen=True)
class LearnedFusion:
    """Trained HGC models the decoder mixes into the fused distributions (weight `weight`)."""

    emotion: HGCModel | None = None
    depression: HGCModel | None = None
    weight: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"learned weight must be in [0, 1], got {self.weight}")

    def apply(self, state: FusedState, features: Sequence[FeatureText]) -> None:
        """Mix learned probabilities into `state` in place; risk is left untouched."""
        notes = []
        if self.emotion is not None:
            p = predict_sessions(self.emotion, [features])[0]
            state.emotion = normalise((1 - self.weight) * state.emotion + self.weight * p)
            notes.append("emotion")
        if self.depression is not None and state.depression is not None:
            p = predict_sessions(self.depression, [features])[0]
            state.depression = normalise((1 - self.weight) * state.depression + self.weight * p)
            notes.append("depression")
        if notes:
            state.method += f"+learned-hgc(w={self.weight}:{','.join(notes)})"


def mmsa_vectors(rows: Sequence[MMSARow], features: Mapping[str, GroupVectors] | None = None
                 ) -> tuple[list[GroupVectors], dict[str, int]]:
    """Per clip group vectors: `features[row.key]` if given, else the hashed-text baseline."""
    if features is None:
        return [{"content": text_hash_vector(r.text)} for r in rows], {"content": 64}
    lacking = [r.key for r in rows if r.key not in features]
    if lacking:
        raise KeyError(f"{len(lacking)} clips have no features, e.g. {lacking[:3]}")
    xs = [dict(features[r.key]) for r in rows]
    dims: dict[str, int] = {}
    for x in xs:
        for g, v in x.items():
            if dims.setdefault(g, len(v)) != len(v):
                raise ValueError(f"group {g!r} has vectors of different lengths")
    return xs, dims


def train_eval_mmsa(
    rows: Sequence[MMSARow], features: Mapping[str, GroupVectors] | None = None,
    cfg: HGCConfig | None = None,
) -> dict[str, float]:
    """Train on mode=train (regression on `label`), report MMSA metrics on mode=test."""
    from models.fusion.hgc import predict_hgc, train_hgc

    train = [r for r in rows if r.mode == "train"]
    test = [r for r in rows if r.mode == "test"]
    if not train or not test:
        raise ValueError("label.csv needs both train and test rows")
    xtr, dims = mmsa_vectors(train, features)
    xte, _ = mmsa_vectors(test, features)
    model = train_hgc(xtr, [r.label for r in train], dims, n_out=1, cfg=cfg)
    return mmsa_metrics(predict_hgc(model, xte, dims).tolist(), [r.label for r in test])
