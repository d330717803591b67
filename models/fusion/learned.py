"""Learned fusion at run time: trained HGC models mixed into the fused distributions.

Sessions are encoded by models/fusion/encode.py (values layout by default). Training (and the
MMSA evaluation) is research code: research/fusion/train.py. Suicide risk is never learned
here: the decoder keeps the explicit-signal floor whatever a learned model says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from contracts.feature_text import FeatureText
from models.fusion.encode import GROUP_DIMS, values_vector
from models.fusion.state import FusedState, normalise

if TYPE_CHECKING:  # torch loads only when a learned model is applied
    from models.fusion.hgc import HGCModel


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
