"""Aligning feature texts and phrases to concepts.

Score = w_vec * cosine in the joint word/node space
      + w_lex * lexical overlap with the concept's names (char bigrams for zh, word stems for en)
      + w_syn * overlap after expanding the text with Cilin synonyms,
restricted to the concept types the modality allows (kg.align.rules), with a penalty when the
text's polarity contradicts the concept's valence, and a small prior for the curated ontology
(MindKG's own vocabulary) over imported near-duplicates.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from contracts.feature_text import FeatureText
from contracts.session_records import Alignment
from kg.align.rules import allowed_types
from kg.align.space import JointSpace
from kg.derived import write_folder
from kg.embed.tokenize import tokenize
from kg.graph_view import ConceptInfo, GraphView

_CJK = re.compile(r"[\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[a-z]+[0-9]*|[0-9]+")
_STOP_EN = frozenset(["a", "an", "the", "of", "to", "and", "or", "in", "on", "at", "with", "is", "are", "was", "be", "by", "for", "very"])
CURATED_SOURCE = "source:mindkg-curated"
# Feature texts keep semantic alignments scoring at least this much: on the sample sessions
# correct matches scored >= 0.70 and spurious ones (numbers, units) 0.50-0.60.
MIN_FEATURE_SCORE = 0.62
# Bump when text_features changes: cached lexical indexes are keyed by it.
LEXICAL_VERSION = 2
VALENCE_ROOTS = {"valence:positive": "positive", "valence:negative": "negative",
                 "valence:neutral": "neutral", "polarity:positive": "positive",
                 "polarity:negative": "negative", "polarity:neutral": "neutral"}


@dataclass(frozen=True)
class AlignWeights:
    """Chosen on a 30% dev split of the gold set only (docs/alignment.md); reported on the rest."""

    vector: float = 0.5  # cosine of the text to the concept's names in the joint space
    node: float = 0.1  # cosine of the text to the concept's node2vec token (joint space)
    lexical: float = 0.7
    synonym: float = 0.1
    curated_prior: float = 0.15
    polarity_penalty: float = 0.5  # score multiplier when polarities contradict


_SUFFIXES = ("ational", "ations", "ation", "ness", "ments", "ment", "ings", "ing", "ers", "er",
             "edly", "ed", "ies", "es", "ful", "ly", "or", "s", "y", "e")


def _stem(word: str) -> str:
    """A light suffix stripper: enough for raised/raiser/raise and sadness/sad to meet."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def text_features(text: str) -> frozenset[str]:
    """Char bigrams (and single chars) of Chinese runs; stems of English words; AU codes."""
    lower = text.lower()
    feats: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", lower):
        feats.update(run)
        feats.update(run[i : i + 2] for i in range(len(run) - 1))
    for word in _EN_WORD.findall(lower):
        if word not in _STOP_EN:
            feats.add("w:" + _stem(word))
    feats.update("au:" + m for m in re.findall(r"\bau\s?(\d{1,2})\b", lower))
    return frozenset(feats)


def _weight(feats: Iterable[str]) -> int:
    # Bigrams and words weigh double: they carry more meaning than single characters.
    return sum(1 if len(f) == 1 else 2 for f in feats)


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of arange(s, s + c) for each start s and count c."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.arange(total) - np.repeat(ends - counts, counts) + np.repeat(starts, counts)


class LexicalIndex:
    """The concepts' names as text features (bigrams, single chars, word stems, AU codes).

    `features` is every feature of every name, sorted; `rows(f)` lists the concepts whose
    names share the multi-character feature f (postings); each concept's names are kept as
    feature ids, so the weighted Dice overlap of a text with every name of many concepts is
    computed as arrays (`dice`). Derived from the concept names only, so it is cached by the
    graph view's content key (`load_lexical_index`) and memory-mapped: a warm start computes
    no name features.
    """

    def __init__(self, features: list[str], ptr: np.ndarray, rows: np.ndarray,
                 name_ptr: np.ndarray, feat_ptr: np.ndarray, feat_ids: np.ndarray) -> None:
        self.features = features  # sorted
        self.ptr = np.asarray(ptr)  # rows of features[k]: row_ids[ptr[k]:ptr[k + 1]], ascending
        self.row_ids = np.asarray(rows)
        self.name_ptr = np.asarray(name_ptr)  # names of concept i: name_ptr[i]:name_ptr[i + 1]
        self.feat_ptr = np.asarray(feat_ptr)  # features of name j: feat_ids[feat_ptr[j]:...]
        self.feat_ids = np.asarray(feat_ids)
        self.position = {f: k for k, f in enumerate(features)}
        self.feat_weight = np.array([1 if len(f) == 1 else 2 for f in features], dtype=np.int64)
        self._multi = self.feat_weight > 1  # multi-character features: the ones with postings
        owner = np.repeat(np.arange(len(self.feat_ptr) - 1), np.diff(self.feat_ptr))
        self.name_weight = np.bincount(owner, weights=self.feat_weight[self.feat_ids],
                                       minlength=len(self.feat_ptr) - 1).astype(np.int64)

    @classmethod
    def build(cls, concepts: Sequence[ConceptInfo]) -> LexicalIndex:
        names = [[text_features(n) for n in c.names] for c in concepts]
        features = sorted(set().union(*(f for per in names for f in per)))
        position = {f: k for k, f in enumerate(features)}
        inverted: dict[int, list[int]] = defaultdict(list)
        for i, per in enumerate(names):
            for f in set().union(*per):
                if len(f) > 1:
                    inverted[position[f]].append(i)
        ptr = np.zeros(len(features) + 1, dtype=np.int64)
        np.cumsum([len(inverted.get(k, ())) for k in range(len(features))], out=ptr[1:])
        rows = np.array([i for k in range(len(features)) for i in inverted.get(k, ())],
                        dtype=np.int32)
        name_ptr = np.zeros(len(concepts) + 1, dtype=np.int64)
        np.cumsum([len(per) for per in names], out=name_ptr[1:])
        flat = [fs for per in names for fs in per]
        feat_ptr = np.zeros(len(flat) + 1, dtype=np.int64)
        np.cumsum([len(fs) for fs in flat], out=feat_ptr[1:])
        feat_ids = np.array([position[f] for fs in flat for f in sorted(fs)], dtype=np.int32)
        return cls(features, ptr, rows, name_ptr, feat_ptr, feat_ids)

    def rows(self, feature: str) -> list[int]:
        k = self.position.get(feature)
        if k is None:
            return []
        return [int(i) for i in self.row_ids[self.ptr[k] : self.ptr[k + 1]]]

    def ids(self, feats: Iterable[str]) -> np.ndarray:
        """Positions in `features` of the ones among `feats` that names have."""
        position = self.position
        return np.fromiter((k for f in feats if (k := position.get(f)) is not None),
                           dtype=np.int64)

    def candidates(self, feats: Iterable[str]) -> np.ndarray:
        """Sorted rows of the concepts sharing a multi-character feature with `feats`."""
        return self.candidates_of(self.ids(feats))

    def candidates_of(self, ids: np.ndarray) -> np.ndarray:
        """`candidates` of the features at positions `ids` (distinct)."""
        multi = ids[self._multi[ids]]
        if not len(multi):
            return np.empty(0, dtype=np.int64)
        starts = self.ptr[multi]
        found = self.row_ids[_ranges(starts, self.ptr[multi + 1] - starts)]
        return np.unique(found).astype(np.int64)

    def dice(self, feats: frozenset[str], rows: np.ndarray) -> np.ndarray:
        """Per row, the best weighted Dice overlap of `feats` with one of its names (0.0 for a
        concept without names): 2 * weight(shared) / (weight(text) + weight(name)), where
        bigrams and words weigh 2 and single characters 1."""
        return self.dice_of(self.ids(feats), _weight(feats), rows)

    def dice_of(self, ids: np.ndarray, w: int, rows: np.ndarray) -> np.ndarray:
        """`dice` of a text whose features are at positions `ids` (distinct) of `features`
        and weigh `w` in all (features no name has included)."""
        out = np.zeros(len(rows))
        if w == 0 or not len(rows):
            return out
        hit = np.zeros(len(self.features), dtype=np.int64)
        hit[ids] = self.feat_weight[ids]
        counts = self.name_ptr[rows + 1] - self.name_ptr[rows]
        names = _ranges(self.name_ptr[rows], counts)
        if not len(names):
            return out
        fcounts = self.feat_ptr[names + 1] - self.feat_ptr[names]
        shared = np.bincount(np.repeat(np.arange(len(names)), fcounts),
                             weights=hit[self.feat_ids[_ranges(self.feat_ptr[names], fcounts)]],
                             minlength=len(names))
        # exact integers in float64, so each ratio rounds as Python's int / int does
        dice = 2 * shared / (w + self.name_weight[names])
        has = counts > 0
        out[has] = np.maximum.reduceat(dice, (np.cumsum(counts) - counts)[has])
        return out

    _ARRAYS = ("ptr", "rows", "name_ptr", "feat_ptr", "feat_ids")

    def save(self, folder: Path) -> bool:
        arrays = dict(zip(self._ARRAYS, (self.ptr, self.row_ids, self.name_ptr, self.feat_ptr,
                                         self.feat_ids), strict=True))

        def fill(tmp: Path) -> None:
            (tmp / "features.json").write_text(json.dumps(self.features, ensure_ascii=False),
                                               encoding="utf-8")
            for name, array in arrays.items():
                np.save(tmp / f"{name}.npy", array)

        return write_folder(folder, fill)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        try:
            features = json.loads((folder / "features.json").read_text(encoding="utf-8"))
            ptr, rows, name_ptr, feat_ptr, feat_ids = (
                np.load(folder / f"{name}.npy", mmap_mode="r") for name in cls._ARRAYS)
            if (ptr.shape != (len(features) + 1,) or rows.shape != (int(ptr[-1]),)
                    or feat_ids.shape != (int(feat_ptr[-1]),)
                    or len(feat_ptr) != int(name_ptr[-1]) + 1):
                return None
        except (OSError, ValueError, IndexError):  # missing, torn or empty arrays: rebuild
            return None
        return cls(features, ptr, rows, name_ptr, feat_ptr, feat_ids)


def load_lexical_index(view: GraphView, cache: Path | None) -> LexicalIndex:
    """The lexical index of the view's concepts, cached under `cache` by the view's key."""
    folder = cache / "models" / f"align-lexicon-v{LEXICAL_VERSION}-{view.key}" if cache else None
    index = LexicalIndex.load(folder) if folder is not None else None
    if index is None:
        index = LexicalIndex.build(view.concepts)
        if folder is not None:
            index.save(folder)
    return index


@dataclass(frozen=True)
class Candidate:
    concept_id: str
    score: float
    vector: float
    lexical: float
    synonym: float


def _top(score: np.ndarray, k: int) -> np.ndarray:
    """np.argsort(-score, kind="stable")[:k] for the finite scores, without sorting them all:
    every score tied with the k-th best is kept, then sorted stably."""
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if len(score) <= 4 * k:
        return np.argsort(-score, kind="stable")[:k]
    neg = -score
    kth = np.partition(neg, k - 1)[k - 1]
    near = np.flatnonzero(neg <= kth)
    return near[np.argsort(neg[near], kind="stable")][:k]


class RankCache:
    """A bounded LRU of ranked candidates, counted (hits, misses), shared by request threads.

    It lives on one Aligner, which is built per ontology content (kg.align.service), so an
    entry can never outlive the graph and space it was ranked against."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, tuple[Candidate, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[Candidate, ...] | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: tuple[Candidate, ...]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def stats(self) -> dict[str, float]:
        with self._lock:
            asked = self.hits + self.misses
            return {"size": self.size, "entries": len(self._items), "hits": self.hits,
                    "misses": self.misses, "hit_rate": self.hits / asked if asked else 0.0}


# Ranked candidates kept per aligner (0: none). Texts longer than this many characters are
# ranked afresh every time: transcripts are seldom repeated and would crowd out scale texts.
RANK_CACHE_SIZE = 4096
_CACHED_TEXT_CHARS = 2000


class Aligner:
    def __init__(
        self,
        space: JointSpace,
        valence: dict[str, str] | None = None,
        synonyms: dict[str, frozenset[str]] | None = None,
        weights: AlignWeights | None = None,
        lexicon: LexicalIndex | None = None,
        cache_size: int = RANK_CACHE_SIZE,
    ) -> None:
        self.space = space
        self.concepts = space.concepts
        self.index = {c.id: i for i, c in enumerate(self.concepts)}
        self.weights = weights or AlignWeights()
        self.valence = valence or {}
        self.synonyms = synonyms or {}
        self.lexicon = lexicon or LexicalIndex.build(self.concepts)
        self.cache = RankCache(cache_size)
        self._types = np.array([c.type for c in self.concepts])
        self._curated = np.array([c.source == CURATED_SOURCE for c in self.concepts])
        by_valence = [self.valence.get(c.id) for c in self.concepts]
        self._valence = {v: np.array([x == v for x in by_valence], dtype=bool)
                         for v in ("positive", "negative")}
        # plain arrays over the memory-mapped rows (no np.memmap wrapping of every result)
        self._name_matrix = np.asarray(space.name_matrix)
        self._node_matrix = np.asarray(space.node_matrix)
        self._allowed: dict[frozenset[str], np.ndarray] = {}
        # per word of `synonyms`: its synonyms' features as numbers (_synonym_numbers)
        self._syn_numbers: dict[str, np.ndarray] = {}
        self._unnamed: dict[str, int] = {}  # synonym features no concept name has -> number
        self._unnamed_list: list[str] = []  # ... and back (number - len(lexicon.features))
        self._syn_lock = threading.Lock()

    # -- scoring ------------------------------------------------------------------------------
    def _synonym_numbers(self, token: str) -> np.ndarray:
        """The text features of the token's Cilin synonyms, as numbers: a feature concept
        names have is its lexicon position, another one a number from len(features) up."""
        found = self._syn_numbers.get(token)  # one entry at most per word of `synonyms`
        if found is None:
            feats = frozenset().union(*(text_features(syn) for syn in self.synonyms[token]))
            with self._syn_lock:  # request threads share the unnamed-feature numbering
                numbers = [self._number(f) for f in feats]
            found = self._syn_numbers[token] = np.array(sorted(numbers), dtype=np.int64)
        return found

    def _number(self, feature: str) -> int:
        k = self.lexicon.position.get(feature)
        if k is None:
            k = self._unnamed.get(feature)
            if k is None:
                k = self._unnamed[feature] = len(self.lexicon.features) + len(self._unnamed_list)
                self._unnamed_list.append(feature)
        return k

    def _synonym_pass(self, tokens: Sequence[str], feats: frozenset[str],
                      ids: np.ndarray) -> tuple[np.ndarray, int]:
        """(lexicon positions, total weight) of the features the text's Cilin synonyms add
        (Chinese words only): those of the tokens' synonyms that are not the text's own."""
        found = [self._synonym_numbers(t) for t in tokens if t in self.synonyms]
        if not found:
            return np.empty(0, dtype=np.int64), 0
        numbers = np.unique(np.concatenate(found))
        named = len(self.lexicon.features)
        added = np.setdiff1d(numbers[numbers < named], ids, assume_unique=True)
        unnamed = [f for k in numbers[numbers >= named].tolist()
                   if (f := self._unnamed_list[k - named]) not in feats]
        return added, int(self.lexicon.feat_weight[added].sum()) + _weight(unnamed)

    def _rows_of(self, allowed: frozenset[str]) -> np.ndarray:
        """Rows of the concepts of these types, ascending (a handful of type sets exist)."""
        rows = self._allowed.get(allowed)
        if rows is None:
            rows = np.flatnonzero(np.isin(self._types, list(allowed)))
            self._allowed[allowed] = rows
        return rows

    def _lexical(self, ids: np.ndarray, weight: int, rows: np.ndarray,
                 via: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions in `rows`, Dice overlap with the text of features `ids` weighing
        `weight`) of the rows whose names share a multi-character feature of `via` (ids)."""
        found = self.lexicon.candidates_of(via)
        pos = np.searchsorted(rows, found)
        inside = pos < len(rows)
        inside[inside] = rows[pos[inside]] == found[inside]
        return pos[inside], self.lexicon.dice_of(ids, weight, found[inside])

    def rank(
        self,
        text: str,
        *,
        modality: str | None = None,
        kind: str | None = None,
        polarity: str | None = None,
        top_k: int = 10,
        exclude_types: frozenset[str] = frozenset(),
    ) -> list[Candidate]:
        """The best `top_k` concepts of the types the modality allows, best first.

        Only the allowed concepts are scored, and only those sharing a text feature get a
        lexical score; results are kept in `cache` by their inputs (and the weights)."""
        allowed = allowed_types(modality, kind) - exclude_types
        key = (text, allowed, polarity, top_k, self.weights)
        cacheable = len(text) <= _CACHED_TEXT_CHARS
        found = self.cache.get(key) if cacheable else None
        if found is not None:
            return list(found)
        ranked = self._rank(text, self._rows_of(allowed), polarity, top_k)
        if cacheable:
            self.cache.put(key, tuple(ranked))
        return ranked

    def _rank(self, text: str, rows: np.ndarray, polarity: str | None,
              top_k: int) -> list[Candidate]:
        if not len(rows):
            return []
        w = self.weights
        tokens = tokenize(text)
        vec, _ = self.space.tokens_vector(tokens)
        if vec is not None:  # float32, as the rows are: summed as float32, then as float64
            cos = (self._name_matrix @ vec)[rows]
            score = w.vector * cos + w.node * (self._node_matrix @ vec)[rows]
        else:
            cos = np.zeros(len(rows))
            score = w.vector * cos + w.node * cos
        score = score + w.curated_prior * self._curated[rows]
        feats = text_features(text)
        ids, weight = self.lexicon.ids(feats), _weight(feats)
        lex = np.zeros(len(rows))
        pos, value = self._lexical(ids, weight, rows, ids)
        lex[pos] = value
        score[pos] += w.lexical * value
        syn = np.zeros(len(rows))
        syn_ids, syn_weight = self._synonym_pass(tokens, feats, ids)
        if len(syn_ids):  # the text with its synonyms' features (none of them its own)
            pos, value = self._lexical(np.concatenate([ids, syn_ids]), weight + syn_weight,
                                       rows, syn_ids)
            syn[pos] = value
            score[pos] += w.synonym * value
        if polarity in ("positive", "negative"):
            opposite = self._valence["negative" if polarity == "positive" else "positive"][rows]
            score = np.where(opposite & (score > 0), score * w.polarity_penalty, score)
        order = _top(score, top_k)
        return [
            Candidate(self.concepts[rows[j]].id, float(score[j]), float(cos[j]), float(lex[j]),
                      float(syn[j]))
            for j in order if np.isfinite(score[j])
        ]

    def rank_among(self, text: str, concept_ids: Sequence[str], top_k: int = 1
                   ) -> list[Candidate]:
        """The best `top_k` of the given concepts (ids the space lacks are skipped), scored as
        `rank` scores them, without a polarity penalty and without the rank cache."""
        rows = np.array(sorted({self.index[c] for c in concept_ids if c in self.index}),
                        dtype=np.int64)
        return self._rank(text, rows, None, top_k)

    def rank_ids(self, text: str, top_k: int = 10) -> list[str]:
        return [c.concept_id for c in self.rank(text, top_k=top_k)]

    # -- feature texts ------------------------------------------------------------------------
    def feature_polarity(self, feature: FeatureText) -> str | None:
        """The polarity a recognizer stated: values["polarity"], else the valence of the
        concepts it observed (e.g. me_class:negative), when they agree."""
        pol = feature.values.get("polarity")
        if isinstance(pol, dict) and isinstance(pol.get("label"), str):
            return str(pol["label"])
        if isinstance(pol, str):
            return pol
        found = {self.valence.get(str(c)) for c in feature.values.get("concept_ids", [])}
        found &= {"positive", "negative"}
        return found.pop() if len(found) == 1 else None

    def concept_type(self, concept_id: str) -> str | None:
        i = self.index.get(concept_id)
        return self.concepts[i].type if i is not None else None

    def align(
        self, features: Sequence[FeatureText], feature_ids: Sequence[str], *, top_k: int = 3,
        min_score: float = MIN_FEATURE_SCORE, covered: dict[str, frozenset[str]] | None = None,
    ) -> list[Alignment]:
        """Top-k semantic alignments per feature text (method `joint-space`).

        covered: feature id -> concept types a recognizer already aligned exactly (e.g. the
        SDS band it computed); the semantic aligner does not add near-misses of those types.
        """
        out: list[Alignment] = []
        covered = covered or {}
        for feature, fid in zip(features, feature_ids, strict=True):
            text = f"{feature.text.zh} {feature.text.en}"
            label = self.feature_polarity(feature)
            ranked = self.rank(text, modality=feature.modality, kind=feature.kind,
                               polarity=label, top_k=top_k,
                               exclude_types=covered.get(fid, frozenset()))
            for rank, cand in enumerate((c for c in ranked if c.score >= min_score), start=1):
                out.append(Alignment(feature_id=fid, concept_id=cand.concept_id,
                                     score=round(max(-1.0, min(1.0, cand.score)), 4),
                                     method="joint-space", rank=rank))
        return out


def concept_valence(view: GraphView) -> dict[str, str]:
    """Valence of each concept reached through IS_A / INDICATES (two hops) from valence roots."""
    parents: dict[str, list[str]] = defaultdict(list)
    for _rel, src_label, src, dst_label, dst, _w in view.edges(("IS_A", "INDICATES")):
        if src_label == "Concept" and dst_label == "Concept":
            parents[src].append(dst)
    out: dict[str, str] = dict(VALENCE_ROOTS)

    @cache
    def find(cid: str, depth: int) -> str | None:
        if cid in VALENCE_ROOTS:
            return VALENCE_ROOTS[cid]
        if depth == 0:
            return None
        votes = [v for p in parents.get(cid, []) if (v := find(p, depth - 1))]
        # the most voted; a tie goes to the first parent's (in the view's edge order), not to
        # the iteration order of a set of strings, which changes with every process
        return max(dict.fromkeys(votes), key=votes.count) if votes else None

    for cid in list(parents):
        v = find(cid, 2)
        if v:
            out[cid] = v
    return out


def cilin_synonyms(concepts: Sequence[ConceptInfo]) -> dict[str, frozenset[str]]:
    """Word -> its Cilin word-group mates, from the WordGroup concepts' aliases in the graph."""
    out: dict[str, set[str]] = defaultdict(set)
    for c in concepts:
        if c.type != "WordGroup":
            continue
        members = [n for n in c.names if _CJK.search(n) and len(n) <= 6]
        for m in members:
            out[m].update(x for x in members if x != m)
    return {k: frozenset(v) for k, v in out.items()}
