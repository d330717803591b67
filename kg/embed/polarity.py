"""Content polarity by emotion vectors p, n, m (positive, negative, neutral).

Each emotion vector is the L2-normalised mean of the unit vectors of its seed words
(data/lexicon/polarity_seeds.tsv, chosen by `build_word_lists` from the lexicons with a valence
filter). A word or text gets the label whose vector has the largest cosine with the text's
vector (mean of its token vectors). Works on the pretrained `synonyms` vectors alone (no
training) or on any KeyedVectors holding those words, e.g. the joint word + node model.

Negation: a token right after a negator (HowNet's deny list: 不, 没有, ...) is reflected across
the hyperplane orthogonal to p - n, which swaps its positive/negative affinity while keeping
its distance to m; so 不开心 leans negative. This is a heuristic, documented in docs/polarity.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from contracts.settings import PROJECT_ROOT, Settings, load_settings
from kg import lexicons
from kg.embed.tokenize import PsychTokenizer, get_tokenizer, read_term_file
from kg.embed.word_vectors import WordSpace, load_pretrained
from kg.resources import resource_path

if TYPE_CHECKING:  # gensim loads only when the pretrained space must be (re)built
    from gensim.models import KeyedVectors

LABELS: tuple[str, ...] = ("positive", "negative", "neutral")
LEXICON_DIR = PROJECT_ROOT / "data" / "lexicon"
SEEDS_FILE = LEXICON_DIR / "polarity_seeds.tsv"
HELDOUT_FILE = LEXICON_DIR / "polarity_heldout.tsv"
GLOSSARY_FILE = LEXICON_DIR / "bilingual_glossary.tsv"

# Word-list construction (scripts/eval_polarity.py --rebuild); see docs/polarity.md.
LIST_SEED = 20261122
N_SEEDS = 200
N_HELDOUT = 200
# Candidate words must be among the most frequent pretrained words: rare words' vectors are
# too noisy to be seeds, and evaluating on them would measure noise.
VOCAB_RANK_LIMIT = 60_000


class PolarityError(ValueError):
    """The polarity model cannot be built (e.g. seeds missing from the vectors)."""


@dataclass(frozen=True)
class PolarityScore:
    """Polarity of one text: argmax label and the three cosines (0.0 when nothing is known)."""

    label: str
    cos_p: float
    cos_n: float
    cos_m: float
    coverage: float
    tokens: tuple[str, ...]
    oov: tuple[str, ...] = field(default=())


def read_glossary(path: Path = GLOSSARY_FILE) -> dict[str, str]:
    """English word -> Chinese text, from `english<TAB>chinese` lines."""
    out: dict[str, str] = {}
    for line in read_term_file(path):
        parts = line.split("\t")
        if len(parts) != 2:
            raise PolarityError(f"{path}: expected 'english<TAB>chinese', got {line!r}")
        out[parts[0].strip().lower()] = parts[1].replace(" ", "")
    return out


def read_seeds(path: Path = SEEDS_FILE) -> dict[str, list[str]]:
    """Seed words per label from a `word<TAB>label` file."""
    if not path.is_file():
        raise PolarityError(f"seed list {path} is missing: run scripts/eval_polarity.py --rebuild")
    seeds: dict[str, list[str]] = {label: [] for label in LABELS}
    for word, label in lexicons.read_word_labels(path):
        seeds[label].append(word)
    return seeds


class PolarityModel:
    """Emotion vectors p, n, m over a `WordSpace`, scoring words and texts by cosine."""

    def __init__(
        self,
        space: WordSpace,
        seeds: Mapping[str, Sequence[str]],
        *,
        tokenizer: PsychTokenizer | None = None,
        glossary: Mapping[str, str] | None = None,
        stopwords: frozenset[str] = frozenset(),
        negators: frozenset[str] = frozenset(),
    ) -> None:
        if set(seeds) != set(LABELS):
            raise PolarityError(f"seeds must have exactly the labels {LABELS}")
        self.space = space
        self.seeds: dict[str, list[str]] = {}
        self.vectors: dict[str, np.ndarray] = {}
        for label in LABELS:
            known = [w for w in seeds[label] if w in space]
            if not known:
                raise PolarityError(f"no {label} seed word has a vector")
            self.seeds[label] = known
            mean = np.mean([space.vector(w) for w in known], axis=0)
            self.vectors[label] = mean / np.linalg.norm(mean)
        self._matrix = np.stack([self.vectors[label] for label in LABELS])
        axis = self.vectors["positive"] - self.vectors["negative"]
        self._axis = axis / np.linalg.norm(axis)
        self.tokenizer = tokenizer
        self.glossary = dict(glossary or {})
        self.stopwords = stopwords
        self.negators = negators

    def score(self, text: str) -> PolarityScore:
        """Tokenise `text` (zh/en) and score the mean of its token vectors."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        if not text.strip():
            raise ValueError("cannot score an empty text")
        tokenizer = self.tokenizer or get_tokenizer()
        return self.score_tokens(tokenizer.tokenize(text))

    def score_word(self, word: str) -> PolarityScore:
        """Score one word as is (no tokenisation; OOV words back off to known pieces)."""
        return self.score_tokens([word])

    def score_tokens(self, tokens: Sequence[str]) -> PolarityScore:
        content = [t for t in tokens if t not in self.stopwords and t not in self.negators]
        rows: list[np.ndarray] = []
        oov: list[str] = []
        negate = False
        for token in tokens:
            if token in self.negators:
                negate = True
                continue
            if token in self.stopwords:
                continue
            vec = self._token_vector(token)
            if vec is None:
                oov.append(token)
            else:
                if negate:
                    vec = vec - 2.0 * float(vec @ self._axis) * self._axis
                rows.append(vec)
            negate = False
        coverage = len(rows) / len(content) if content else 0.0
        if not rows:
            return PolarityScore("neutral", 0.0, 0.0, 0.0, coverage, tuple(tokens), tuple(oov))
        mean = np.mean(rows, axis=0)
        cos = self._matrix @ (mean / max(float(np.linalg.norm(mean)), 1e-12))
        label = LABELS[int(np.argmax(cos))]
        return PolarityScore(
            label, float(cos[0]), float(cos[1]), float(cos[2]), coverage, tuple(tokens),
            tuple(oov),
        )

    def score_scoped(self, tokens: Sequence[str], scoped: Sequence[Any]) -> PolarityScore:
        """Score clause-scoped tokens (kg.embed.sentence_polarity.scope): a token inside a
        negation scope is reflected across the hyperplane orthogonal to p - n, and its vector
        is weighted by its degree adverb (很 1.5, 有点 0.6). `tokens` are the raw tokens."""
        rows: list[np.ndarray] = []
        weights: list[float] = []
        oov: list[str] = []
        n_content = 0
        for st in scoped:
            if st.token in self.stopwords or st.token in self.negators:
                continue
            n_content += 1
            vec = self._token_vector(st.token)
            if vec is None:
                oov.append(st.token)
                continue
            if st.negated:
                vec = vec - 2.0 * float(vec @ self._axis) * self._axis
            rows.append(vec)
            weights.append(float(st.degree))
        coverage = len(rows) / n_content if n_content else 0.0
        if not rows:
            return PolarityScore("neutral", 0.0, 0.0, 0.0, coverage, tuple(tokens), tuple(oov))
        mean = np.average(np.stack(rows), axis=0, weights=weights)
        cos = self._matrix @ (mean / max(float(np.linalg.norm(mean)), 1e-12))
        return PolarityScore(LABELS[int(np.argmax(cos))], float(cos[0]), float(cos[1]),
                             float(cos[2]), coverage, tuple(tokens), tuple(oov))

    def _token_vector(self, token: str) -> np.ndarray | None:
        cache: dict[str, np.ndarray | None] = self.__dict__.setdefault("_vector_cache", {})
        if token in cache:
            return cache[token]
        vec = self._compute_token_vector(token)
        if len(cache) < 200_000:
            cache[token] = vec
        return vec

    def _compute_token_vector(self, token: str) -> np.ndarray | None:
        pieces = self.space.pieces(token)
        if not pieces and token in self.glossary:
            pieces = self.space.pieces(self.glossary[token])
        if not pieces:
            return None
        if len(pieces) == 1:
            return np.asarray(self.space.vector(pieces[0]))
        return np.asarray(np.mean([self.space.vector(p) for p in pieces], axis=0))


# English function words: they have no polarity, and counting them as OOV would understate
# coverage. (English negators "not", "no", "never" are handled as negators instead.)
_EN_STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "as", "is", "am", "are", "was", "were", "be", "been", "being", "i", "me", "my", "we",
    "our", "you", "your", "he", "him", "his", "she", "her", "it", "its", "they", "them", "their",
    "this", "that", "these", "those", "do", "does", "did", "have", "has", "had", "so", "very",
    "just",
})
EN_NEGATORS = frozenset({"not", "no", "never", "don't", "can't", "cannot", "won't", "isn't"})


def _stopwords() -> frozenset[str]:
    """synonyms' stopword list plus English function words, minus negators."""
    words = read_term_file(resource_path("synonyms_stopwords"))
    return (frozenset(words) | _EN_STOPWORDS) - lexicons.negation_words() - EN_NEGATORS


def polarity_space(kv: KeyedVectors, seeds: Mapping[str, Sequence[str]]) -> WordSpace:
    """`kv` as unit rows, ZCA-whitened on the frequent vocabulary, centred on the seeds' mean and
    retrofitted to Cilin synonyms.

    Whitening (chosen on the development split: 0.861 -> 0.894 mean over four seed draws) keeps
    polar words from sharing the few dominant frequency/topic directions with neutral ones.

    Centring on the seeds (chosen on a development split, like the seeds themselves) put the
    origin among the three classes; with the vocabulary mean instead, the neutral vector is
    nearly the origin's direction and neutral recall drops (docs/polarity.md).
    """
    words = [w for label in LABELS for w in seeds[label]]
    n = min(VOCAB_RANK_LIMIT, len(kv.index_to_key))
    return WordSpace(kv, center_on=words, synonym_groups=lexicons.cilin_synonym_groups(),
                     whiten_rows=n if n > 10 * kv.vector_size else None)


# Bump when polarity_space changes how rows are computed: cached spaces are keyed by it.
SPACE_VERSION = 1


def _space_key(seeds_file: Path) -> str:
    """What the pretrained polarity space is made of: vectors, Cilin, seeds, parameters."""
    h = hashlib.sha256(f"v{SPACE_VERSION}|{VOCAB_RANK_LIMIT}".encode())
    h.update(seeds_file.read_bytes())
    for name in ("synonyms_vectors", "cilin_ex"):
        stat = resource_path(name).stat()
        h.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _cached_space(seeds_file: Path, seeds: Mapping[str, Sequence[str]]) -> WordSpace:
    """The pretrained polarity space, built once (seconds: word2vec file, whitening, Cilin
    retrofitting) and then memory-mapped from the cache, keyed by what it is made of."""
    folder = load_settings().cache_home / "cache" / f"polarity-space-{_space_key(seeds_file)}"
    if (folder / "rows.npy").is_file() and (folder / "keys.json").is_file():
        keys = json.loads((folder / "keys.json").read_text(encoding="utf-8"))
        rows = np.load(folder / "rows.npy", mmap_mode="r")
        if len(keys) == rows.shape[0]:
            return WordSpace.from_rows(keys, rows)
    space = polarity_space(load_pretrained(), seeds)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        np.save(tmp / "rows.npy", np.ascontiguousarray(space.matrix, dtype=np.float32))
        keys = sorted(space.key_to_index, key=space.key_to_index.__getitem__)
        (tmp / "keys.json").write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder)
    except OSError:  # a read-only or raced cache costs the next process time, nothing else
        shutil.rmtree(tmp, ignore_errors=True)
    return space


@cache
def _pretrained_model(seeds_file: Path) -> PolarityModel:
    seeds = read_seeds(seeds_file)
    return _from_space(_cached_space(seeds_file, seeds), seeds)


def _model(kv: KeyedVectors, seeds_file: Path) -> PolarityModel:
    seeds = read_seeds(seeds_file)
    return _from_space(polarity_space(kv, seeds), seeds)


def _from_space(space: WordSpace, seeds: Mapping[str, Sequence[str]]) -> PolarityModel:
    return PolarityModel(
        space,
        seeds,
        glossary=read_glossary(),
        stopwords=_stopwords(),
        negators=lexicons.negation_words() | EN_NEGATORS,
    )


def load_polarity_model(
    settings: Settings | None = None,
    *,
    vectors: KeyedVectors | None = None,
    seeds_file: Path = SEEDS_FILE,
) -> PolarityModel:
    """The polarity model. Default: pretrained `synonyms` vectors (fast path, no training).

    The default model is built once per process and shared (it is read-only). Pass `vectors`
    (e.g. the joint word + node KeyedVectors) to score in that space; the same seed words are
    used, so they must be in its vocabulary. `settings` is accepted so callers can pass their
    configuration; nothing in it changes the model yet (data comes from packages and
    data/lexicon).
    """
    del settings  # kept for a stable signature
    if vectors is None:
        return _pretrained_model(seeds_file)
    return _model(vectors, seeds_file)


# ----------------------------------------------------------------- word lists


def candidate_pools(vocabulary_ranked: Sequence[str]) -> dict[str, list[str]]:
    """Valence-filtered words per label among the `VOCAB_RANK_LIMIT` most frequent words."""
    return lexicons.polarity_pools(vocabulary_ranked[:VOCAB_RANK_LIMIT])


def split_pools(
    pools: Mapping[str, Sequence[str]], seed: int = LIST_SEED, n_heldout: int = N_HELDOUT
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Shuffle each pool with a fixed seed; the first `n_heldout` words are held out.

    Returns (seed pools, held-out lists). Seeds are then chosen from the seed pools only, so
    no held-out word can become a seed whatever the selection rule.
    """
    rng = random.Random(seed)
    seed_pools: dict[str, list[str]] = {}
    heldout: dict[str, list[str]] = {}
    for label in LABELS:
        words = sorted(pools[label])
        rng.shuffle(words)
        if len(words) < n_heldout * 2:
            raise PolarityError(f"only {len(words)} {label} candidates; need {n_heldout * 2}")
        heldout[label] = sorted(words[:n_heldout])
        seed_pools[label] = words[n_heldout:]
    return seed_pools, heldout


def choose_seeds(
    seed_pools: Mapping[str, Sequence[str]], n: int = N_SEEDS, seed: int = LIST_SEED
) -> dict[str, list[str]]:
    """A seeded random sample of `n` words from each seed pool.

    Chosen on a development split carved from the seed pools (never the held-out list):
    random samples beat the most frequent words and the most strongly rated ones, mostly on
    the neutral class, whose frequent words are untypical (位于, 使用); 200 beat 100 and 150.
    """
    out: dict[str, list[str]] = {}
    for i, label in enumerate(LABELS):
        words = sorted(seed_pools[label])
        random.Random(seed + 1 + i).shuffle(words)
        out[label] = sorted(words[:n])
    return out


def build_word_lists(
    vocabulary_ranked: Sequence[str], seed: int = LIST_SEED
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(seeds, held-out) from the lexicons for a frequency-ranked vocabulary."""
    seed_pools, heldout = split_pools(candidate_pools(vocabulary_ranked), seed)
    return choose_seeds(seed_pools, seed=seed), heldout


def write_word_list(path: Path, words: Mapping[str, Sequence[str]], header: str) -> None:
    """Write `word<TAB>label` rows, labels in LABELS order, words sorted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {line}" for line in header.strip().splitlines()]
    for label in LABELS:
        lines.extend(f"{w}\t{label}" for w in sorted(words[label]))
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
