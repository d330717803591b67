"""Decision-level fusion: P = a*P_video + b*P_audio (paper 004: a=0.6, b=0.4), plus scales.

Paper 004 fuses two classifiers; MindKG has a third, structurally different channel (scales
answer about depression directly). It is combined *after* the affective pair, as a separate
channel with its own weight per target, so the 0.6/0.4 ratio of the paper is kept intact:
P = (1 - w_s) * (a*P_video + b*P_speech)/(a+b over present) + w_s * P_scales  (rule "linear").
The default rule is the weighted product P ∝ Π P_i^{w_i} ("log_linear", same weights): the
channels are independent views of one state, so agreement should sharpen the result rather
than average it; on the training cohort it beat the linear rule (docs/fusion.md).
A missing channel drops out and the remaining weights are renormalised (and reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from models.fusion.state import ChannelOutput, normalise


@dataclass(frozen=True)
class FusionConfig:
    video_weight: float = 0.6
    audio_weight: float = 0.4
    scales_weight_depression: float = 0.6
    scales_weight_emotion: float = 0.15
    kg_weight: float = 0.1  # share of the KG-propagation opinion in the final distributions
    damping: float = 0.6  # spreading activation: share passed on per hop
    hops: int = 3
    rule: Literal["linear", "log_linear"] = "log_linear"

    def __post_init__(self) -> None:
        for name in ("video_weight", "audio_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        for name in ("scales_weight_depression", "scales_weight_emotion", "kg_weight", "damping"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if self.rule not in ("linear", "log_linear"):
            raise ValueError(f"rule must be 'linear' or 'log_linear', got {self.rule!r}")
        if self.hops < 1:
            raise ValueError("hops must be >= 1")


def _pick(channels: dict[str, ChannelOutput], target: str) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name, ch in channels.items():
        p = getattr(ch, target)
        if p is not None:
            out[name] = p
    return out


def weighted_fusion(
    channels: dict[str, ChannelOutput], target: str, config: FusionConfig
) -> np.ndarray | None:
    """Fused distribution for `target` ('emotion' or 'depression'); None if no channel has one."""
    present = _pick(channels, target)
    if not present:
        return None
    affect_w = {"video": config.video_weight, "speech": config.audio_weight}
    affect = [(affect_w[n], p) for n, p in present.items() if n in affect_w and affect_w[n] > 0]
    total = sum(w for w, _ in affect)
    affect_p = _combine([(w / total, p) for w, p in affect], config.rule) if total > 0 else None
    scales_p = present.get("scales")
    ws = config.scales_weight_depression if target == "depression" else config.scales_weight_emotion
    if affect_p is None:
        return scales_p
    if scales_p is None:
        return affect_p
    return _combine([(1.0 - ws, affect_p), (ws, scales_p)], config.rule)


def _combine(weighted: list[tuple[float, np.ndarray]], rule: str) -> np.ndarray:
    """linear: sum w*p (paper 004); log_linear: prod p**w (weighted product of experts)."""
    if rule == "linear":
        return normalise(np.sum([w * p for w, p in weighted], axis=0))
    logs = np.sum([w * np.log(np.clip(p, 1e-9, None)) for w, p in weighted], axis=0)
    return normalise(np.exp(logs - logs.max()))
