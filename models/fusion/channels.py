"""Per-modality decisions (the inputs of decision-level fusion) read from FeatureText values.

Each channel turns what its recognizers emit into a distribution over the emotional states
and, where it carries information, over depression levels. The tables are MindKG priors
(the source studies give none); they are the same for real recognizers and the synthetic
cohort, and are what the learned fusion (models/fusion/learned.py) can replace.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from contracts.feature_text import FeatureText
from models.fusion.risk import channel_of
from models.fusion.state import EMOTIONS, LEVELS, ChannelOutput, normalise

_LEVEL_CENTRES = np.array([0.1, 0.37, 0.63, 0.9])
# Depression load of speech descriptors (0 = none, 1 = marked), docs/fusion.md.
PROSODY_LOAD = {"low_flat": 0.85, "flat": 0.65, "low": 0.55, "weak": 0.6, "tremulous": 0.45,
                "tense": 0.35, "normal": 0.15, "high": 0.1, "variable": 0.1, "lively": 0.1}
RATE_LOAD = {"slow_many_pauses": 0.85, "slow": 0.6, "many_pauses": 0.55, "normal": 0.15,
             "fast": 0.25, "pressured": 0.2}
_SURPRISE_PROSODY = {"high", "variable", "lively"}
# Content polarity -> emotional-state votes. Neutral content fits both "others" and surprise
# (surprise has no agreed valence, kg/ontology/emotions.py), so its vote is split.
_POLARITY_VOTES: dict[str, dict[str, float]] = {
    "positive": {"positive": 1.0},
    "negative": {"negative": 1.0},
    "neutral": {"others": 0.6, "surprise": 0.4},
}
SPEECH_EMOTION_SMOOTHING = 1.0  # add-k smoothing of the speech emotion votes (calibration)
# Each micro-expression event is independent evidence: log P(class) grows by BETA per unit of
# recogniser confidence (naive Bayes), so 5 events against 4 is a real lead, not 0.5 vs 0.4.
VIDEO_EVIDENCE_BETA = 1.0
MARKER_AUS = ("AU4", "AU14", "AU15", "AU17")  # depression-related AUs (paper 000, FACS)


def level_distribution(load: float, sharpness: float = 0.15) -> np.ndarray:
    """Soft assignment of a 0..1 depression load to the four levels (Gaussian kernels)."""
    d = (_LEVEL_CENTRES - float(np.clip(load, 0.0, 1.0))) / sharpness
    return normalise(np.exp(-0.5 * d * d))


def _one_hot(labels: Sequence[str], label: str, mass: float) -> np.ndarray:
    p = np.full(len(labels), (1.0 - mass) / (len(labels) - 1))
    p[labels.index(label)] = mass
    return p


def video_channel(items: list[tuple[FeatureText, str]]) -> ChannelOutput:
    counts = np.zeros(len(EMOTIONS))  # evidence per class; softmax keeps every class possible
    n_events, marker_hits, neg = 0.0, 0.0, 0.0
    out = ChannelOutput("video", None, None)
    for f, fid in items:
        out.feature_ids.append(fid)
        out.concept_ids += [str(c) for c in f.values.get("concept_ids", [])]
        if f.kind in ("micro_expression", "macro_expression"):
            cls = str(f.values.get("me_class", ""))
            if cls in EMOTIONS:
                w = f.confidence
                counts[EMOTIONS.index(cls)] += w
                n_events += w
                neg += w * (cls == "negative")
                aus = {str(a) for a in f.values.get("dominant_aus", [])}
                marker_hits += w * bool(aus & set(MARKER_AUS))
    if n_events == 0:
        for f, _fid in items:  # only the session summary: use its class counts
            for cls, k in dict(f.values.get("class_counts", {})).items():
                if cls in EMOTIONS:
                    counts[EMOTIONS.index(cls)] += float(k)
                    n_events += float(k)
                    neg += float(k) * (cls == "negative")
    if n_events == 0:
        out.notes.append("video: no micro-expression events, no video decision")
        return out
    z = VIDEO_EVIDENCE_BETA * counts
    out.emotion = normalise(np.exp(z - z.max()))
    load = 0.55 * (neg / n_events) + 0.45 * (marker_hits / n_events if marker_hits else 0.0)
    out.depression = level_distribution(load, sharpness=0.25)
    return out


def speech_channel(items: list[tuple[FeatureText, str]]) -> ChannelOutput:
    out = ChannelOutput("speech", None, None)
    emotion = np.zeros(len(EMOTIONS))
    loads: list[float] = []
    for f, fid in items:
        out.feature_ids.append(fid)
        out.concept_ids += [str(c) for c in f.values.get("concept_ids", [])]
        if f.kind in ("speech_content", "transcript"):
            pol = f.values.get("polarity")
            if isinstance(pol, dict) and pol.get("label") in _POLARITY_VOTES:
                for state, share in _POLARITY_VOTES[str(pol["label"])].items():
                    emotion[EMOTIONS.index(state)] += 1.5 * share * f.confidence
                loads.append(0.6 if pol["label"] == "negative" else 0.25)
            n_sym = len(f.values.get("symptoms", []) or [])
            if n_sym:
                loads.append(min(1.0, 0.25 + 0.2 * n_sym))
        elif f.kind in ("intonation", "speech_rate"):
            code = str(f.values.get("descriptor", ""))
            table = PROSODY_LOAD if f.kind == "intonation" else RATE_LOAD
            if code in table:
                loads.append(table[code])
            else:
                out.notes.append(f"speech: unknown {f.kind} descriptor {code!r} ignored")
            if f.kind == "intonation" and code in _SURPRISE_PROSODY:
                emotion[EMOTIONS.index("surprise")] += 1.0 * f.confidence
    if emotion.sum() > 0:
        out.emotion = normalise(emotion + SPEECH_EMOTION_SMOOTHING)
    if loads:
        out.depression = level_distribution(float(np.mean(loads)), sharpness=0.22)
    if out.emotion is None and out.depression is None:
        out.notes.append("speech: no usable content, intonation or rate values")
    return out


_EMOTION_BY_LEVEL = {  # what a scale level says about the emotional state (weak prior)
    "none": (0.4, 0.15, 0.15, 0.3),
    "mild": (0.25, 0.35, 0.15, 0.25),
    "moderate": (0.15, 0.5, 0.1, 0.25),
    "severe": (0.1, 0.6, 0.1, 0.2),
}


def scales_channel(items: list[tuple[FeatureText, str]]) -> ChannelOutput:
    out = ChannelOutput("scales", None, None)
    dep = np.zeros(len(LEVELS))
    for f, fid in items:
        out.feature_ids.append(fid)
        out.concept_ids += [str(c) for c in f.values.get("concept_ids", [])]
        level = str(f.values.get("level", ""))
        if level in LEVELS:
            dep += _one_hot(LEVELS, level, 0.85) * f.confidence
        else:
            out.notes.append(f"scales: {f.instance or f.kind} has no severity level")
    if dep.sum() > 0:
        out.depression = normalise(dep)
        out.emotion = normalise(
            sum(p * np.array(_EMOTION_BY_LEVEL[lv]) for p, lv in zip(out.depression, LEVELS,
                                                                    strict=True))
        )
    return out


def channel_outputs(
    features: Sequence[FeatureText], feature_ids: Sequence[str]
) -> dict[str, ChannelOutput]:
    """Channels that received any feature text; absent channels are simply not in the dict."""
    groups: dict[str, list[tuple[FeatureText, str]]] = {}
    for f, fid in zip(features, feature_ids, strict=True):
        groups.setdefault(channel_of(f), []).append((f, fid))
    builders = {"video": video_channel, "speech": speech_channel, "scales": scales_channel}
    return {name: builders[name](items) for name, items in groups.items()}
