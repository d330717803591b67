"""Speech content: symptom mentions, suicidal-ideation phrases, polarity, syllable counts.

Risk phrases are matched on the raw transcript, before any tokenisation or scoring, so a
single statement always surfaces: suicide risk is a flag, never an average.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ingest.audio.asr import Segment
from ingest.audio.tables import content_lexicon

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Mention:
    phrase: str
    start_s: float | None
    negated: bool


@dataclass
class ContentResult:
    symptoms: dict[str, list[Mention]] = field(default_factory=dict)
    risk: list[Mention] = field(default_factory=list)

    @property
    def suicide_risk(self) -> str:
        """high: an explicit statement; moderate: only negated ones (still for review)."""
        if any(not m.negated for m in self.risk):
            return "high"
        return "moderate" if self.risk else "none"


def _patterns(phrases: list[str], language: str) -> list[tuple[str, re.Pattern[str]]]:
    ordered = sorted(set(phrases), key=len, reverse=True)  # longest first
    if language == "zh":
        return [(p, re.compile(re.escape(p))) for p in ordered]
    return [(p, re.compile(r"(?<![A-Za-z])" + re.escape(p) + r"(?![A-Za-z])", re.I))
            for p in ordered]


def _find(text: str, phrases: list[str], language: str, negators: list[str],
          window: int, start_s: float | None,
          not_negating: Sequence[str] = ()) -> list[Mention]:
    """Non-overlapping matches, longest phrase first; `negated` if a negator precedes (words
    in `not_negating`, such as 不如, are taken out of the window first)."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for phrase, pat in _patterns(phrases, language):
        for m in pat.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue  # inside a longer phrase already matched
            taken.append((m.start(), m.end()))
            before = text[max(0, m.start() - window):m.start()]
            for word in not_negating:
                before = before.replace(word, " ")
            if language == "zh":
                negated = any(n in before for n in negators)
            else:
                words = re.findall(r"[a-z']+", before.lower())
                negated = any(n in words for n in negators)
            found.append(Mention(phrase, start_s, negated))
    return found


def analyse_content(segments: list[Segment], language: str) -> ContentResult:
    """Symptom areas mentioned and suicidal-ideation phrases, with segment start times."""
    lex = content_lexicon()
    lang = "zh" if language == "zh" else "en"

    def rules(code: str) -> tuple[list[str], int, list[str]]:
        return (list(lex["negators"][code]), int(lex["negation_window_chars"][code]),
                list(lex.get("not_negating", {}).get(code, [])))

    variants: dict[str, str | int | None] = dict(lex.get("match_variants", {}).get(lang, {}))
    result = ContentResult()
    for seg in segments:
        start = seg.start_s if seg.end_s > 0 else None
        text = seg.text.translate(str.maketrans(variants)) if variants else seg.text
        for risk_lang in sorted({lang, "en"}):  # Mandarin speech often mixes in English
            negators, window, plain = rules(risk_lang)
            result.risk += _find(text, list(lex["suicide_risk"].get(risk_lang, [])),
                                 risk_lang, negators, window, start, plain)
        negators, window, plain = rules(lang)
        for code, spec in lex["symptoms"].items():
            hits = _find(text, list(spec.get(lang, [])), lang, negators, window, start, plain)
            hits = [h for h in hits if not h.negated]
            if hits:
                result.symptoms.setdefault(code, []).extend(hits)
    return result


def risk_values(found: ContentResult) -> dict[str, Any]:
    """The suicide-risk part of a speech_content feature text's values."""
    return {"suicide_risk": found.suicide_risk,
            "risk_phrases": [{"phrase": m.phrase, "start_s": m.start_s, "negated": m.negated}
                             for m in found.risk]}


def text_risk(text: str) -> ContentResult:
    """The suicide-risk phrases of a text without timing (Chinese and English both scanned)."""
    return analyse_content([Segment(start_s=0.0, end_s=0.0, text=text, words=())], "zh")


def symptom_names(codes: list[str], language: str) -> list[str]:
    lex = content_lexicon()["symptoms"]
    key = "zh_name" if language == "zh" else "en_name"
    return [str(lex[c][key]) for c in codes]


def count_syllables(text: str, language: str) -> int:
    """Hanzi are one syllable each; English words by vowel groups (silent final e)."""
    count = len(_CJK.findall(text))
    for word in _LATIN_WORD.findall(text):
        count += _english_syllables(word)
    if language == "zh":
        count += len(_DIGIT.findall(text))  # 2024 read as 二零二四: one per digit
    return count


def _english_syllables(word: str) -> int:
    w = word.lower().split("'")[0]
    groups = re.findall(r"[aeiouy]+", w)
    n = len(groups)
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and n > 1:
        n -= 1
    if w.endswith("ed") and not w.endswith(("ted", "ded")) and n > 1:
        n -= 1
    return max(n, 1)


@functools.lru_cache(maxsize=1)
def _polarity_model() -> Any:
    from kg.embed.sentence_polarity import load_sentence_polarity

    return load_sentence_polarity()


def polarity(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """Sentence polarity (learned layer over the knowledge-graph p/n/m cosines and scoped
    lexicon cues, kg.embed.sentence_polarity), or a warning why not."""
    if not text.strip():
        return None, "empty transcript: no content polarity"
    try:
        model = _polarity_model()
    except ImportError as exc:
        return None, f"content polarity unavailable (kg.embed.polarity not importable: {exc})"
    except Exception as exc:  # a missing vector file etc.: content still has symptoms/risk
        return None, f"content polarity unavailable ({type(exc).__name__}: {exc})"
    score = model.score(text)
    stop = frozenset(getattr(model, "stopwords", frozenset()))
    return {
        "label": str(score.label),
        "cos_p": round(float(score.cos_p), 4),
        "cos_n": round(float(score.cos_n), 4),
        "cos_m": round(float(score.cos_m), 4),
        "coverage": round(float(score.coverage), 4),
        "probability_positive": round(float(getattr(score, "probability", 0.5)), 4),
        "tokens": [t for t in score.tokens if t not in stop],
    }, None


def keywords(tokens: list[str], limit: int = 8) -> list[str]:
    """Most frequent content tokens (two or more characters) in order of frequency."""
    counts = Counter(t for t in tokens if len(t.strip()) >= 2 and not t.strip().isdigit())
    return [w for w, _ in counts.most_common(limit)]
