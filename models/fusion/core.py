"""`fuse()`: decision-level + knowledge-graph fusion of one session's feature texts.

Order: per-channel decisions -> weighted decision fusion -> mixed with the KG opinion
(kg_weight) -> explicit risk signals applied as a floor that nothing can lower.
Missing channels are listed in `FusedState.missing` and in `notes`, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from contracts.feature_text import FeatureText
from contracts.session_records import Alignment
from models.fusion.channels import channel_outputs
from models.fusion.graph import OntologyView
from models.fusion.kg_fusion import kg_opinion
from models.fusion.risk import max_risk, risk_signals
from models.fusion.state import CHANNELS, EMOTIONS, RISKS, FusedState, normalise
from models.fusion.weighted import FusionConfig, weighted_fusion

# P(at risk) when no explicit signal, by fused level: a conservative screening prior (synthetic
# cohort rates, docs/fusion.md), used for calibration only; it never names a risk level.
_BASE_RISK = {"none": 0.01, "mild": 0.03, "moderate": 0.08, "severe": 0.2, "unknown": 0.05}


def _mix(a: np.ndarray | None, b: np.ndarray | None, wb: float) -> np.ndarray | None:
    if a is None:
        return b
    if b is None:
        return a
    return normalise((1.0 - wb) * a + wb * b)


def risk_distribution(floor: str, level: str, kg_risk: float) -> np.ndarray:
    """Over RISKS. An explicit floor keeps (almost) all mass at or above it."""
    p = np.zeros(len(RISKS))
    if floor != "none":
        i = RISKS.index(floor)
        p[i] = 0.97
        p[i + 1 :] = 0.03 / max(1, len(RISKS) - i - 1) if i + 1 < len(RISKS) else 0.0
        if i + 1 == len(RISKS):
            p[i] = 1.0
        return p
    at_risk = min(0.5, _BASE_RISK[level] + 0.3 * kg_risk)
    p[0] = 1.0 - at_risk
    p[1:] = at_risk * np.array([0.5, 0.35, 0.15])
    return p


def fuse(
    features: Sequence[FeatureText],
    feature_ids: Sequence[str],
    alignments: Sequence[Alignment],
    view: OntologyView,
    config: FusionConfig | None = None,
) -> FusedState:
    cfg = config or FusionConfig()
    if len(features) != len(feature_ids):
        raise ValueError(f"{len(features)} feature texts but {len(feature_ids)} feature ids")
    channels = channel_outputs(features, feature_ids)
    missing = [c for c in CHANNELS if c not in channels]
    notes = [f"modality missing: {c}" for c in missing]
    for ch in channels.values():
        notes += ch.notes
    kg = kg_opinion(features, feature_ids, alignments, view, cfg.damping, cfg.hops)
    if kg.missing_concepts:
        notes.append(f"concepts not in the graph ({view.source}): {', '.join(kg.missing_concepts)}")
    emotion = _mix(weighted_fusion(channels, "emotion", cfg), kg.emotion, cfg.kg_weight)
    depression = _mix(weighted_fusion(channels, "depression", cfg), kg.depression, cfg.kg_weight)
    signals = risk_signals(features, feature_ids)
    floor = max_risk(signals)
    kg_risk = sum(kg.activation.get(f"risk:{r}", 0.0) for r in RISKS[1:])
    fused = FusedState(
        emotion=emotion if emotion is not None else np.full(len(EMOTIONS), 1.0 / len(EMOTIONS)),
        depression=depression,
        risk=floor,
        risk_probs=np.zeros(len(RISKS)),
        risk_signals=signals,
        channels=channels,
        missing=missing,
        activation=kg.activation,
        emotion_detail=kg.emotion_detail,
        method=(
            f"weighted(video={cfg.video_weight},audio={cfg.audio_weight},"
            f"scales_dep={cfg.scales_weight_depression})+kg(w={cfg.kg_weight},"
            f"hops={cfg.hops},{view.source})"
        ),
        notes=notes,
        emotion_known=emotion is not None,
    )
    if emotion is None:
        fused.notes.append("no emotional-state evidence in any channel")
    fused.risk_probs = risk_distribution(floor, fused.depression_level, min(1.0, kg_risk))
    return fused
