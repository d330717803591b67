"""Learned fusion on labelled sessions or MMSA clips: train, predict and evaluate the HGC model.

Sessions are encoded by models/fusion/encode.py (values layout by default); MMSA clips by
caller-supplied group vectors (or the hashed-text baseline). Suicide risk is never learned
here: the decoder keeps the explicit-signal floor whatever a learned model says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from kg.feature_text import FeatureText
from models.fusion.encode import GROUP_DIMS, values_vector
from models.fusion.hgc import GroupVectors, HGCConfig, HGCModel, predict_hgc, train_hgc
from models.fusion.mmsa import MMSARow, mmsa_metrics, text_hash_vector
from models.fusion.state import EMOTIONS, LEVELS


def train_session_model(
    sessions: Sequence[Sequence[FeatureText]], labels: Sequence[str], target: str,
    cfg: HGCConfig | None = None,
) -> HGCModel:
    """target 'emotion' (labels from EMOTIONS) or 'depression' (labels from LEVELS)."""
    classes = {"emotion": EMOTIONS, "depression": LEVELS}[target]
    unknown = sorted({lab for lab in labels if lab not in classes})
    if unknown:
        raise ValueError(f"labels {unknown} are not {target} classes {classes}")
    xs = [values_vector(fs) for fs in sessions]
    return train_hgc(xs, [classes.index(lab) for lab in labels], GROUP_DIMS,
                     n_out=len(classes), cfg=cfg)


def predict_sessions(model: HGCModel, sessions: Sequence[Sequence[FeatureText]]) -> np.ndarray:
    return predict_hgc(model, [values_vector(fs) for fs in sessions], GROUP_DIMS)


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
    train = [r for r in rows if r.mode == "train"]
    test = [r for r in rows if r.mode == "test"]
    if not train or not test:
        raise ValueError("label.csv needs both train and test rows")
    xtr, dims = mmsa_vectors(train, features)
    xte, _ = mmsa_vectors(test, features)
    model = train_hgc(xtr, [r.label for r in train], dims, n_out=1, cfg=cfg)
    return mmsa_metrics(predict_hgc(model, xte, dims).tolist(), [r.label for r in test])
