"""Per-person features for the depression estimate, read from what the speech path computes.

The speech path (ingest/audio/analyze.py) already measures prosody, voice quality, pauses and
rate per recording and keeps the transcript; this module turns those FeatureText values plus
the transcript into one fixed-length vector. A person may have one recording (a counseling
session) or several answers (EATD: three prompts): numeric features are averaged over the
recordings that have audio, text features are computed on the concatenated transcript.
When the recordings are answers to known interview prompts (EATD: positive, neutral and
negative topic), the contrast features measure how the voice changes on the negative topic:
each audio feature on the negative answer minus its mean on the other answers. Without prompt
labels (a single counseling recording) the contrasts are NaN. The same holds for the text
contrasts: each answer's length and lexicon rates on the negative topic minus the other
answers, and the negative-topic answer's length relative to the positive-topic answer's.
Missing audio leaves the audio features NaN; the model imputes them (and says so).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from contracts.feature_text import FeatureText

# (feature name, FeatureText kind, value key, transform)
_AUDIO_SPEC: tuple[tuple[str, str, str, str], ...] = (
    ("log_f0_mean", "intonation", "f0_mean_hz", "log"),
    ("f0_sd_semitones", "intonation", "f0_sd_semitones", ""),
    ("f0_range_semitones", "intonation", "f0_range_semitones", ""),
    ("energy_dynamic_db", "intonation", "energy_dynamic_db", ""),
    ("zcr", "intonation", "zcr", ""),
    ("energy_entropy", "intonation", "energy_entropy", ""),
    ("spectral_centroid_khz", "intonation", "spectral_centroid_hz", "khz"),
    ("jitter_pct", "intonation", "jitter_local", "pct"),
    ("shimmer_pct", "intonation", "shimmer_local", "pct"),
    ("hnr_db", "intonation", "hnr_db", ""),
    ("syllables_per_second", "speech_rate", "syllables_per_second", ""),
    ("articulation_rate_sps", "speech_rate", "articulation_rate_sps", ""),
    ("nuclei_per_second", "speech_rate", "syllables_per_second_nuclei", ""),
    ("pause_ratio", "speech_rate", "pause_ratio", ""),
    ("pauses_per_min", "speech_rate", "", "pauses_per_min"),
    ("mean_pause_s", "speech_rate", "mean_pause_s", ""),
    ("log_span_s", "speech_rate", "speech_span_s", "log"),
    ("spectral_entropy", "speech_rate", "spectral_entropy", ""),
)
AUDIO_FEATURES: tuple[str, ...] = tuple(s[0] for s in _AUDIO_SPEC)
TEXT_FEATURES: tuple[str, ...] = (
    "log_chars", "symptom_areas", "negative_word_rate", "positive_word_rate",
    "negation_rate", "first_person_rate",
)
NEGATIVE_PROMPT = "negative"
CONTRAST_PREFIX = "negative_minus_other_"
CONTRAST_FEATURES: tuple[str, ...] = tuple(CONTRAST_PREFIX + n for n in AUDIO_FEATURES)
TEXT_CONTRAST_BASE: tuple[str, ...] = (
    "log_chars", "negative_word_rate", "positive_word_rate", "negation_rate", "first_person_rate",
)
POSITIVE_PROMPT = "positive"
LENGTH_RATIO_FEATURE = "negative_minus_positive_log_chars"
TEXT_CONTRAST_FEATURES: tuple[str, ...] = (
    *(CONTRAST_PREFIX + n for n in TEXT_CONTRAST_BASE), LENGTH_RATIO_FEATURE)
PROMPT_FEATURES: tuple[str, ...] = (*CONTRAST_FEATURES, *TEXT_CONTRAST_FEATURES)
FEATURES: tuple[str, ...] = (*AUDIO_FEATURES, *TEXT_FEATURES, *PROMPT_FEATURES)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_FIRST_PERSON = ("我",)


@dataclass
class PersonInput:
    """What the estimate sees of one person: per-recording speech values (with the interview
    prompt each answered, None when unknown) and the text."""

    recordings: list[dict[str, float | None]] = field(default_factory=list)
    prompts: list[str | None] = field(default_factory=list)
    transcript: str = ""
    symptom_areas: int = 0
    answers: list[tuple[str | None, str]] = field(default_factory=list)  # (prompt, transcript)

    @property
    def has_audio(self) -> bool:
        return bool(self.recordings)


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    return float(x) if math.isfinite(float(x)) else None


def recording_values(feature_texts: Sequence[FeatureText]) -> dict[str, float | None] | None:
    """The audio features of one recording's speech feature texts (None without audio)."""
    by_kind = {f.kind: f.values for f in feature_texts if f.modality == "audio"}
    if "intonation" not in by_kind or "speech_rate" not in by_kind:
        return None
    out: dict[str, float | None] = {}
    for name, kind, key, how in _AUDIO_SPEC:
        vals = by_kind[kind]
        if how == "pauses_per_min":
            span = _num(vals.get("speech_span_s"))
            count = _num(vals.get("pause_count"))
            out[name] = 60.0 * count / span if span and count is not None else None
            continue
        v = _num(vals.get(key))
        if v is not None and how == "log":
            v = math.log(v) if v > 0 else None
        elif v is not None and how == "khz":
            v = v / 1000.0
        elif v is not None and how == "pct":
            v = 100.0 * v
        out[name] = v
    return out


def symptom_codes(feature_texts: Sequence[FeatureText]) -> set[str]:
    return {str(c) for f in feature_texts if f.kind in ("speech_content", "transcript")
            for c in (f.values.get("symptoms") or [])}


def transcript_of(feature_texts: Sequence[FeatureText]) -> str:
    return " ".join(str(f.values.get("transcript") or "") for f in feature_texts
                    if f.kind in ("speech_content", "transcript")).strip()


def person_input(recordings: Iterable[Sequence[FeatureText]],
                 prompts: Sequence[str | None] | None = None) -> PersonInput:
    """Combine the speech feature texts of one or more recordings of one person; `prompts`
    names the interview prompt each recording answered (EATD), if known."""
    person = PersonInput()
    texts: list[str] = []
    codes: set[str] = set()
    for i, fts in enumerate(recordings):
        values = recording_values(fts)
        if values is not None:
            person.recordings.append(values)
            person.prompts.append(prompts[i] if prompts is not None else None)
        if t := transcript_of(fts):
            texts.append(t)
            person.answers.append((prompts[i] if prompts is not None else None, t))
        codes |= symptom_codes(fts)
    person.transcript = "\n".join(texts)
    person.symptom_areas = len(codes)
    return person


def _lexicon_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    from kg.lexicons import negation_words, negative_words, positive_words

    return negative_words(), positive_words(), negation_words()


def text_values(text: str, symptom_areas: int) -> dict[str, float]:
    """Length, symptom areas and lexicon rates of a transcript (rates per CJK character)."""
    from kg.embed.tokenize import default_tokenizer  # jieba's dictionary, memory-mapped

    n_chars = len(_CJK.findall(text))
    neg, pos, deny = _lexicon_sets()
    words = [w for w in default_tokenizer().lcut(text) if w.strip()]
    denom = max(n_chars, 1)
    return {
        "log_chars": math.log1p(n_chars),
        "symptom_areas": float(symptom_areas),
        "negative_word_rate": 100.0 * sum(w in neg for w in words) / denom,
        "positive_word_rate": 100.0 * sum(w in pos for w in words) / denom,
        "negation_rate": 100.0 * sum(w in deny for w in words) / denom,
        "first_person_rate": 100.0 * sum(text.count(p) for p in _FIRST_PERSON) / denom,
    }


def _mean(recordings: Iterable[Mapping[str, float | None]], name: str) -> float:
    vals = [v for r in recordings if (v := r.get(name)) is not None]
    return float(np.mean(vals)) if vals else math.nan


def contrast_values(person: PersonInput) -> list[float]:
    """Per audio feature: the negative-topic answer minus the mean of the other answers
    (NaN unless both sides have audio with a known prompt)."""
    labelled = list(zip(person.recordings, person.prompts, strict=True))
    neg = [r for r, p in labelled if p == NEGATIVE_PROMPT]
    other = [r for r, p in labelled if p is not None and p != NEGATIVE_PROMPT]
    return [_mean(neg, n) - _mean(other, n) for n in AUDIO_FEATURES]


def text_contrast_values(person: PersonInput) -> list[float]:
    """TEXT_CONTRAST_FEATURES: per text value, the negative-topic answer minus the mean of the
    other answers, then the negative minus the positive answer's log length (NaN unless the
    answers' prompts are known and both sides have text)."""
    per = [(p, text_values(t, 0)) for p, t in person.answers if p is not None]
    neg = [v for p, v in per if p == NEGATIVE_PROMPT]
    other = [v for p, v in per if p != NEGATIVE_PROMPT]
    pos = [v for p, v in per if p == POSITIVE_PROMPT]
    out = [_mean(neg, n) - _mean(other, n) for n in TEXT_CONTRAST_BASE]
    return [*out, _mean(neg, "log_chars") - _mean(pos, "log_chars")]


def feature_vector(person: PersonInput) -> np.ndarray:
    """FEATURES in order; audio features NaN when no recording had audio, contrasts NaN
    without a negative-topic answer and another answer."""
    audio = [_mean(person.recordings, name) for name in AUDIO_FEATURES]
    text = text_values(person.transcript, person.symptom_areas)
    return np.array([*audio, *(text[n] for n in TEXT_FEATURES), *contrast_values(person),
                     *text_contrast_values(person)], dtype=np.float64)


def named(vector: Sequence[float]) -> Mapping[str, float]:
    return dict(zip(FEATURES, (float(v) for v in vector), strict=True))
