"""The depression estimate: P(SDS index >= 53) from speech and text, and its shipped weights.

Two small L2-regularised logistic regressions, stacked:
- text: bag of character n-grams of the transcript (models/depression/text.py);
- speech+lexicon: standardised prosody, voice-quality, pause/rate and lexicon features and,
  for answers to known prompts, the negative-topic contrasts of voice and text
  (models/depression/features.py).
Their decision scores are combined by a two-input logistic regression fitted on
out-of-fold scores (stacked Platt scaling), so the output is a calibrated probability.
Weights are plain arrays (.npz) plus JSON (vocabulary, names, threshold, metrics): no pickle.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from models.depression.features import (
    CONTRAST_PREFIX,
    FEATURES,
    LENGTH_RATIO_FEATURE,
    PROMPT_FEATURES,
    PersonInput,
    feature_vector,
)
from models.depression.text import CharNgrams

NAME = "eatd-speech-text-lr"
VERSION = "3"
WEIGHTS_DIR = Path(__file__).with_name("weights")
# What each feature measures (zh, en); a cue reads "<name> high" or "<name> low".
_CUE_NAMES: dict[str, tuple[str, str]] = {
    "log_f0_mean": ("基频", "pitch"),
    "f0_sd_semitones": ("音高变化", "pitch variation"),
    "f0_range_semitones": ("音域", "pitch range"),
    "energy_dynamic_db": ("响度变化", "loudness variation"),
    "zcr": ("过零率", "zero-crossing rate"),
    "energy_entropy": ("能量熵", "energy entropy"),
    "spectral_centroid_khz": ("频谱重心", "spectral centroid"),
    "jitter_pct": ("基频抖动", "jitter"),
    "shimmer_pct": ("振幅抖动", "shimmer"),
    "hnr_db": ("谐噪比", "harmonics-to-noise ratio"),
    "syllables_per_second": ("语速", "speech rate"),
    "articulation_rate_sps": ("发音速率", "articulation rate"),
    "nuclei_per_second": ("音节核密度", "syllable-nucleus rate"),
    "pause_ratio": ("停顿占比", "pause share"),
    "pauses_per_min": ("停顿频率", "pause frequency"),
    "mean_pause_s": ("停顿时长", "pause length"),
    "log_span_s": ("回答时长", "answer duration"),
    "spectral_entropy": ("频谱熵", "spectral entropy"),
    "log_chars": ("回答字数", "answer length (characters)"),
    "symptom_areas": ("症状提及", "symptom mentions"),
    "negative_word_rate": ("消极词比例", "negative-word rate"),
    "positive_word_rate": ("积极词比例", "positive-word rate"),
    "negation_rate": ("否定词比例", "negation rate"),
    "first_person_rate": ("第一人称比例", "first-person rate"),
}


def cue_text(feature: str, high: bool) -> tuple[str, str]:
    """(zh, en) of a cue: "<name> high|low", or for a negative-topic contrast "<name> higher|
    lower on the negative topic than on the others"."""
    if feature == LENGTH_RATIO_FEATURE:
        return (f"负面话题的回答比正面话题{'更长' if high else '更短'}",
                f"answer {'longer' if high else 'shorter'} on the negative topic than on the "
                "positive one")
    if feature.startswith(CONTRAST_PREFIX):
        zh, en = _CUE_NAMES[feature.removeprefix(CONTRAST_PREFIX)]
        return (f"负面话题时{zh}{'更高' if high else '更低'}",
                f"{en} {'higher' if high else 'lower'} on the negative topic than on the others")
    zh, en = _CUE_NAMES[feature]
    return zh + ("偏高" if high else "偏低"), f"{en} {'high' if high else 'low'}"


@dataclass
class Cue:
    feature: str
    zh: str
    en: str
    contribution: float


@dataclass
class Estimate:
    probability: float
    threshold: float
    above_threshold: bool
    text_score: float
    speech_score: float
    cues: list[Cue]
    audio_used: bool
    contrasts_used: bool = False
    model: str = f"{NAME}/{VERSION}"

    def as_values(self) -> dict[str, Any]:
        return {
            "depression_probability": round(self.probability, 4),
            "threshold": round(self.threshold, 4),
            "above_threshold": self.above_threshold,
            "target": "P(SDS index >= 53)",
            "model": self.model,
            "component_scores": {"text": round(self.text_score, 4),
                                 "speech_lexicon": round(self.speech_score, 4)},
            "audio_used": self.audio_used,
            "negative_topic_contrasts_used": self.contrasts_used,
            "cues": [{"feature": c.feature, "en": c.en, "zh": c.zh,
                      "contribution": round(c.contribution, 4)} for c in self.cues],
        }


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass
class DenseLR:
    """Median imputation -> standardisation -> linear score."""

    median: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def standardise(self, x: np.ndarray) -> np.ndarray:
        x = np.where(np.isnan(x), self.median, x)
        return (x - self.mean) / self.scale

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.standardise(x) @ self.coef + self.intercept


@dataclass
class TextLR:
    ngrams: CharNgrams
    coef: np.ndarray
    intercept: float

    def score(self, texts: list[str]) -> np.ndarray:
        return self.ngrams.transform(texts) @ self.coef + self.intercept


@dataclass
class SpeechHead:
    """The speech+lexicon component over some FEATURES columns, stacked with the text score
    by a 2-input Platt layer, and the decision threshold chosen with it."""

    dense: DenseLR
    columns: np.ndarray  # indices into FEATURES
    stack_coef: np.ndarray  # (2,): text, dense
    stack_intercept: float
    threshold: float

    def probability(self, text_scores: np.ndarray, x: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
        s = np.column_stack([text_scores, self.dense.score(x[:, self.columns])])
        z = s @ self.stack_coef + self.stack_intercept
        return 1.0 / (1.0 + np.exp(-z)), s


_HEADS = ("dense", "fallback")


@dataclass
class DepressionModel:
    """`head` uses every feature; `fallback` (no negative-topic contrasts) scores a person
    whose answers' prompts are unknown, e.g. one counseling recording."""

    text: TextLR
    head: SpeechHead
    fallback: SpeechHead
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        return self.head.threshold

    def head_for(self, x: np.ndarray) -> SpeechHead:
        contrasts = [FEATURES.index(f) for f in PROMPT_FEATURES]
        return self.fallback if np.isnan(x[contrasts]).all() else self.head

    def estimate(self, person: PersonInput, n_cues: int = 3) -> Estimate:
        x = feature_vector(person)
        head = self.head_for(x)
        p, s = head.probability(self.text.score([person.transcript]), x[None, :])
        xs = x[head.columns]
        z = head.dense.standardise(xs[None, :])[0]
        contrib = z * head.dense.coef * head.stack_coef[1]
        cues: list[Cue] = []
        for j in np.argsort(-contrib):
            if contrib[j] <= 0 or len(cues) >= n_cues:
                break
            if np.isnan(xs[j]):
                continue  # imputed, not observed: not a cue
            name = FEATURES[int(head.columns[j])]
            zh, en = cue_text(name, bool(z[j] >= 0))
            cues.append(Cue(name, zh, en, float(contrib[j])))
        text_part = float(s[0, 0] * head.stack_coef[0])
        if text_part > 0:
            grams = self._top_grams(person.transcript)
            if grams:
                cues.append(Cue("text_ngrams", "文字：" + "、".join(grams),
                                "wording: " + ", ".join(grams), text_part))
        prob = float(p[0])
        return Estimate(prob, head.threshold, prob > head.threshold, float(s[0, 0]),
                        float(s[0, 1]), cues, person.has_audio, head is self.head)

    def _top_grams(self, text: str, k: int = 3) -> list[str]:
        v = self.text.ngrams.transform([text])[0] * self.text.coef
        idx = [int(i) for i in np.argsort(-v)[:k] if v[i] > 0]
        inv = {i: g for g, i in self.text.ngrams.vocabulary.items()}
        return [inv[i] for i in idx]

    # -- persistence ------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"text_idf": self.text.ngrams.idf,
                                         "text_coef": self.text.coef}
        doc: dict[str, Any] = {"name": NAME, "version": VERSION, "features": list(FEATURES),
                               "text_ngram_max": self.text.ngrams.n_max,
                               "text_intercept": self.text.intercept}
        for key, h in zip(_HEADS, (self.head, self.fallback), strict=True):
            arrays.update({f"{key}_median": h.dense.median, f"{key}_mean": h.dense.mean,
                           f"{key}_scale": h.dense.scale, f"{key}_coef": h.dense.coef,
                           f"{key}_stack_coef": h.stack_coef})
            doc[key] = {"features": [FEATURES[int(i)] for i in h.columns],
                        "intercept": h.dense.intercept, "stack_intercept": h.stack_intercept,
                        "threshold": h.threshold}
        np.savez(folder / "weights.npz", **arrays)
        doc["text_terms"] = sorted(self.text.ngrams.vocabulary,
                                   key=self.text.ngrams.vocabulary.__getitem__)
        doc["meta"] = self.meta
        (folder / "model.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> DepressionModel:
        try:
            doc = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            with np.load(folder / "weights.npz", allow_pickle=False) as w:
                arrays = {k: np.asarray(w[k], dtype=np.float64) for k in w.files}
            if doc.get("features") != list(FEATURES):
                raise ValueError("the model's features differ from this code's")
            terms = list(doc["text_terms"])
            ngrams = CharNgrams({g: i for i, g in enumerate(terms)}, arrays["text_idf"],
                                int(doc["text_ngram_max"]))
            heads = [SpeechHead(
                DenseLR(arrays[f"{k}_median"], arrays[f"{k}_mean"], arrays[f"{k}_scale"],
                        arrays[f"{k}_coef"], float(doc[k]["intercept"])),
                np.array([FEATURES.index(f) for f in doc[k]["features"]], dtype=int),
                arrays[f"{k}_stack_coef"], float(doc[k]["stack_intercept"]),
                float(doc[k]["threshold"])) for k in _HEADS]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{folder}: unreadable depression model ({exc})") from exc
        return cls(TextLR(ngrams, arrays["text_coef"], float(doc["text_intercept"])),
                   heads[0], heads[1], dict(doc.get("meta", {})))


@cache
def shipped_model() -> DepressionModel:
    """The weights inside the package, loaded once per process."""
    return DepressionModel.load(WEIGHTS_DIR)
