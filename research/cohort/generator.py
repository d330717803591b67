"""Seedable synthetic sessions: each modality sees the latent state through its own noise.

Latent state: emotion (positive / negative / surprise / others, paper 000 Table 3), depression
level (none..severe) and suicide risk (none / moderate / high). Observation models (all MindKG
choices, documented in docs/fusion.md): video events show the emotion class with probability
`video_accuracy`; speech polarity reflects valence with `speech_accuracy`, prosody and rate
follow the level; scales report the level with `scale_accuracy` (else an adjacent band).
A risk is disclosed on the scales, in speech, or (rarely) nowhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from contracts.feature_text import Bilingual, FeatureText
from contracts.vocabulary import au_id, emotion_id, me_class_id, polarity_id, risk_id
from ingest.scales import scale_feature_texts
from kg.ontology.scale_definitions import get_instrument
from models.fusion.state import EMOTIONS, LEVELS

SOURCE = "mindkg.research.cohort/1 SYNTHETIC"
_AU_TEMPLATES: dict[str, list[tuple[str | None, list[int]]]] = {
    "positive": [("happiness", [6, 12]), ("happiness", [12])],
    "negative": [("sadness", [1, 4, 15]), ("disgust", [9, 15]), ("fear", [1, 2, 20]),
                 ("anger", [4, 7, 23])],
    "surprise": [("surprise", [1, 2, 5, 26]), ("surprise", [1, 2])],
    "others": [(None, [14]), (None, [43]), (None, [24])],
}
_AUS = (1, 2, 4, 5, 6, 7, 9, 12, 14, 15, 17, 20, 23, 24, 26, 43)
_SPEECH_SYMPTOMS = ("sleep", "appetite", "fatigue", "anhedonia", "worthlessness",
                    "hopelessness", "concentration", "low_mood")
_PROSODY = {  # P(descriptor | level)
    "none": {"normal": 0.6, "variable": 0.2, "low": 0.1, "flat": 0.1},
    "mild": {"normal": 0.4, "low": 0.25, "flat": 0.25, "low_flat": 0.1},
    "moderate": {"normal": 0.2, "low": 0.25, "flat": 0.25, "low_flat": 0.3},
    "severe": {"normal": 0.1, "flat": 0.2, "low_flat": 0.5, "weak": 0.2},
}
_RATE = {
    "none": {"normal": 0.7, "fast": 0.2, "slow": 0.1},
    "mild": {"normal": 0.5, "slow": 0.25, "many_pauses": 0.25},
    "moderate": {"normal": 0.25, "slow": 0.3, "many_pauses": 0.2, "slow_many_pauses": 0.25},
    "severe": {"normal": 0.1, "slow": 0.25, "slow_many_pauses": 0.65},
}
_VALENCE = {"positive": "positive", "negative": "negative", "surprise": "neutral", "others": "neutral"}


@dataclass(frozen=True)
class CohortConfig:
    video_accuracy: float = 0.55
    speech_accuracy: float = 0.5
    scale_accuracy: float = 0.65
    p_video: float = 1.0  # probability each modality is recorded for a session
    p_speech: float = 1.0
    p_scales: float = 1.0
    risk_by_level: tuple[float, ...] = (0.02, 0.08, 0.2, 0.4)
    p_disclose_scales: float = 0.6
    p_disclose_speech: float = 0.3  # remainder: risk not disclosed anywhere


@dataclass(frozen=True)
class Truth:
    emotion: str
    level: str
    risk: str
    disclosed_in: str  # scales | speech | none


@dataclass
class Session:
    sid: str
    truth: Truth
    features: list[FeatureText] = field(default_factory=list)
    feature_ids: list[str] = field(default_factory=list)


def _choice(rng: np.random.Generator, table: dict[str, float]) -> str:
    keys = list(table)
    return str(rng.choice(keys, p=np.array([table[k] for k in keys]) / sum(table.values())))


def _noisy(rng: np.random.Generator, truth: str, labels: tuple[str, ...], acc: float) -> str:
    if rng.random() < acc:
        return truth
    return str(rng.choice([x for x in labels if x != truth]))


def _video(rng: np.random.Generator, t: Truth, cfg: CohortConfig) -> list[FeatureText]:
    out: list[FeatureText] = []
    li = LEVELS.index(t.level)
    for i in range(int(rng.integers(3, 8))):
        cls = _noisy(rng, t.emotion, EMOTIONS, cfg.video_accuracy)
        emotion, aus = _AU_TEMPLATES[cls][int(rng.integers(len(_AU_TEMPLATES[cls])))]
        aus = list(aus)
        for marker in (4, 14):
            if marker not in aus and rng.random() < 0.08 + 0.12 * li:
                aus.append(marker)
        onset = float(i * 7 + rng.uniform(0, 5))
        rep = [round(float(rng.uniform(1.5, 4.0)) / 5 if a in aus else 0.0, 3) for a in _AUS]
        concepts = [au_id(a) for a in aus] + [me_class_id(cls)]
        if emotion:
            concepts.append(emotion_id(emotion))
        out.append(FeatureText(
            modality="video", kind="micro_expression", instance=f"me{i:04d}",
            text=Bilingual(zh=f"{onset:.2f} 秒出现{cls}微表情（合成）",
                           en=f"{cls} micro-expression at {onset:.2f} s (synthetic)"),
            values={"me_class": cls, "emotion": emotion, "classifier": "synthetic",
                    "dominant_aus": [f"AU{a}" for a in aus], "concept_ids": concepts,
                    "representation": rep, "synthetic": True},
            confidence=round(float(rng.uniform(0.5, 0.95)), 3),
            start_s=round(onset, 3), end_s=round(onset + 0.4, 3), source=SOURCE))
    return out


def _speech(rng: np.random.Generator, t: Truth, cfg: CohortConfig) -> list[FeatureText]:
    li = LEVELS.index(t.level)
    label = _noisy(rng, _VALENCE[t.emotion], ("positive", "negative", "neutral"),
                   cfg.speech_accuracy)
    cos = {k: round(float(rng.uniform(0.0, 0.2)), 3) for k in ("positive", "negative", "neutral")}
    cos[label] = round(cos[label] + 0.25, 3)
    n_sym = int(rng.binomial(li + 1, 0.5)) if li else int(rng.random() < 0.15)
    symptoms = sorted(rng.choice(_SPEECH_SYMPTOMS, size=n_sym, replace=False).tolist())
    risk = "high" if t.disclosed_in == "speech" else "none"
    concepts = [polarity_id(label)] + ([risk_id(risk)] if risk != "none" else [])
    content = FeatureText(
        modality="audio", kind="speech_content",
        text=Bilingual(zh=f"言语内容倾向{label}（合成）", en=f"speech content leans {label} (synthetic)"),
        values={"transcript": "（合成会话，无转写）", "polarity": {"label": label, "cosines": cos},
                "symptoms": symptoms, "suicide_risk": risk,
                "risk_phrases": [{"phrase": "不想活了", "start_s": 12.0, "negated": False}]
                if risk != "none" else [], "concept_ids": concepts, "synthetic": True},
        confidence=round(float(rng.uniform(0.6, 0.95)), 3), start_s=0.0, end_s=60.0,
        source=SOURCE)
    pros = _choice(rng, _PROSODY[t.level])
    if t.emotion == "surprise" and rng.random() < 0.4:
        pros = "high"
    rate = _choice(rng, _RATE[t.level])
    out = [content]
    for kind, code, ns in (("intonation", pros, "prosody"), ("speech_rate", rate, "rate")):
        out.append(FeatureText(
            modality="audio", kind=kind,
            text=Bilingual(zh=f"{kind}：{code}（合成）", en=f"{kind}: {code} (synthetic)"),
            values={"descriptor": code, "concept_ids": [f"{ns}:{code}"], "synthetic": True},
            confidence=round(float(rng.uniform(0.6, 0.95)), 3), start_s=0.0, end_s=60.0,
            source=SOURCE))
    return out


def _phq9(rng: np.random.Generator, level: str, item9: int) -> list[int]:
    inst = get_instrument("PHQ9")
    band = [b for b in inst.bands if b.level == level]
    b = band[int(rng.integers(len(band)))]
    total = int(rng.integers(max(b.low, item9), min(b.high, 24 + item9) + 1))
    rest = total - item9
    answers = [0] * 8
    while rest > 0:
        i = int(rng.integers(8))
        if answers[i] < 3:
            answers[i] += 1
            rest -= 1
    return [*answers, item9]


def _sds(rng: np.random.Generator, level: str, item19: int) -> list[int]:
    inst = get_instrument("SDS")
    b = next(b for b in inst.bands if b.level == level)
    raws = [r for r in range(20, 81) if b.low <= int(r * 1.25) <= b.high and r - item19 <= 76]
    rest = int(rng.choice(raws)) - item19 - 19
    s = [1] * 20
    s[18] = item19
    while rest > 0:
        i = int(rng.integers(20))
        if i != 18 and s[i] < 4:
            s[i] += 1
            rest -= 1
    rev = set(inst.reverse_items)
    return [5 - v if n in rev else v for n, v in enumerate(s, start=1)]


def _scales(rng: np.random.Generator, t: Truth, cfg: CohortConfig) -> list[FeatureText]:
    disclosed = t.disclosed_in == "scales"
    item9 = (1 if t.risk == "moderate" else int(rng.integers(2, 4))) if disclosed else 0
    item19 = (2 if t.risk == "moderate" else int(rng.integers(3, 5))) if disclosed else 1
    answers: dict[str, list[int]] = {}
    for name, fill in (("PHQ9", lambda lv: _phq9(rng, lv, item9)),
                       ("SDS", lambda lv: _sds(rng, lv, item19))):
        if name == "SDS" and rng.random() < 0.5 and "PHQ9" in answers:
            continue  # half of the sessions only have PHQ-9
        li = LEVELS.index(t.level)
        observed = t.level if rng.random() < cfg.scale_accuracy else LEVELS[
            min(3, max(0, li + (1 if rng.random() < 0.5 else -1)))]
        answers[name] = fill(observed)
    return scale_feature_texts(answers)


def generate_session(rng: np.random.Generator, index: int, cfg: CohortConfig) -> Session:
    emotion = str(rng.choice(EMOTIONS))
    weights = {"positive": (0.4, 0.3, 0.2, 0.1), "negative": (0.1, 0.25, 0.35, 0.3),
               "surprise": (0.3, 0.3, 0.25, 0.15), "others": (0.3, 0.3, 0.25, 0.15)}[emotion]
    level = str(rng.choice(LEVELS, p=np.array(weights)))
    at_risk = rng.random() < cfg.risk_by_level[LEVELS.index(level)]
    risk = ("high" if rng.random() < 0.5 else "moderate") if at_risk else "none"
    u = rng.random()
    where = "none" if not at_risk else "scales" if u < cfg.p_disclose_scales else (
        "speech" if u < cfg.p_disclose_scales + cfg.p_disclose_speech else "none")
    if where == "speech":
        risk = "high"  # an explicit statement is recorded as high by ingest/audio
    truth = Truth(emotion, level, risk, where)
    features: list[FeatureText] = []
    if rng.random() < cfg.p_video:
        features += _video(rng, truth, cfg)
    if rng.random() < cfg.p_speech or where == "speech":
        features += _speech(rng, truth, cfg)
    if rng.random() < cfg.p_scales or where == "scales" or not features:
        features += _scales(rng, truth, cfg)
    sid = f"synthetic-{index:05d}"
    return Session(sid, truth, features, [f"{sid}/{f.local_key()}" for f in features])


def generate_cohort(n: int, seed: int, config: CohortConfig | None = None) -> list[Session]:
    """`n` SYNTHETIC sessions; the same (n, seed, config) always gives the same cohort."""
    if n < 1:
        raise ValueError("cohort size must be >= 1")
    cfg = config or CohortConfig()
    rng = np.random.default_rng(seed)
    return [generate_session(rng, i, cfg) for i in range(n)]


def entropy_bits(p: np.ndarray) -> float:
    """Shannon entropy (bits) of a distribution; used by reports to flag uninformative outputs."""
    return float(-sum(x * math.log2(x) for x in p if x > 0))
