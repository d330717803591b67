"""The fused state shared by fusion and decoder: label sets, channel outputs and the result.

Label sets follow the source study's Table 3 (emotion: positive / negative / surprise / others)
and the general severity levels of kg/ontology/scale_definitions.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from contracts.vocabulary import GENERAL_LEVELS, RISK_LEVELS, emotion_id, valence_id

EMOTIONS: tuple[str, ...] = ("positive", "negative", "surprise", "others")
# Graph concept each emotional state is named by in the text (docs/CONVENTIONS.md ids).
EMOTION_CONCEPT: dict[str, str] = {
    "positive": valence_id("positive"),
    "negative": valence_id("negative"),
    "surprise": emotion_id("surprise"),
    "others": valence_id("neutral"),
}
LEVELS: tuple[str, ...] = tuple(GENERAL_LEVELS)
RISKS: tuple[str, ...] = tuple(RISK_LEVELS)
CHANNELS: tuple[str, ...] = ("video", "speech", "scales")


def normalise(p: np.ndarray) -> np.ndarray:
    """Probability vector; a zero vector becomes uniform (no information, not an error)."""
    p = np.clip(np.asarray(p, dtype=np.float64), 0.0, None)
    s = float(p.sum())
    return p / s if s > 0 else np.full(p.shape, 1.0 / p.size)


@dataclass
class ChannelOutput:
    """One modality's decision: distributions (None = this channel says nothing about it)."""

    channel: str
    emotion: np.ndarray | None
    depression: np.ndarray | None
    feature_ids: list[str] = field(default_factory=list)
    concept_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RiskSignal:
    """An explicit suicide-risk signal: never averaged, only maxed (see models/fusion/risk.py)."""

    level: str
    channel: str
    feature_id: str
    concept_ids: tuple[str, ...]
    reason_zh: str
    reason_en: str


@dataclass
class FusedState:
    """What the decoder decodes from. Distributions are over EMOTIONS / LEVELS / RISKS."""

    emotion: np.ndarray
    depression: np.ndarray | None  # None: no channel informs the level -> "unknown"
    risk: str
    risk_probs: np.ndarray
    risk_signals: list[RiskSignal]
    channels: dict[str, ChannelOutput]
    missing: list[str]
    activation: dict[str, float]  # KG spreading activation per concept id
    emotion_detail: dict[str, float]  # specific emotion:* concepts -> activation share
    method: str
    notes: list[str] = field(default_factory=list)
    emotion_known: bool = True  # False: no channel or graph path said anything about emotion

    @property
    def emotion_label(self) -> str:
        return EMOTIONS[int(np.argmax(self.emotion))]

    @property
    def depression_level(self) -> str:
        """Most probable level; a tie goes to the more severe level (the safer reading)."""
        if self.depression is None:
            return "unknown"
        top = np.flatnonzero(np.isclose(self.depression, self.depression.max(), rtol=0, atol=1e-12))
        return LEVELS[int(top[-1])]
