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
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
LEXICAL_VERSION = 1
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


def _dice(a: frozenset[str], b: frozenset[str], wa: int, wb: int) -> float:
    """Weighted Dice overlap of two feature sets whose weights are `wa` and `wb`."""
    if not a or not b:
        return 0.0
    return 2 * _weight(a & b) / (wa + wb)


class LexicalIndex:
    """Which concepts' names share a text feature (bigram, word stem, AU code) with a text.

    Derived from the concept names only, so it is cached by the graph view's content key
    (`load_lexical_index`) and memory-mapped: a warm start computes no name features.
    """

    def __init__(self, features: list[str], ptr: np.ndarray, rows: np.ndarray) -> None:
        self.features = features  # sorted
        self.ptr = ptr  # rows of features[k] are rows[ptr[k]:ptr[k + 1]], ascending
        self.row_ids = rows

    @classmethod
    def build(cls, concepts: Sequence[ConceptInfo]) -> LexicalIndex:
        inverted: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(concepts):
            for f in set().union(*(text_features(n) for n in c.names)):
                if len(f) > 1:
                    inverted[f].append(i)
        features = sorted(inverted)
        ptr = np.zeros(len(features) + 1, dtype=np.int64)
        np.cumsum([len(inverted[f]) for f in features], out=ptr[1:])
        rows = np.array([i for f in features for i in inverted[f]], dtype=np.int32)
        return cls(features, ptr, rows)

    def rows(self, feature: str) -> list[int]:
        k = bisect_left(self.features, feature)
        if k == len(self.features) or self.features[k] != feature:
            return []
        return self.row_ids[self.ptr[k] : self.ptr[k + 1]].tolist()

    def save(self, folder: Path) -> bool:
        def fill(tmp: Path) -> None:
            (tmp / "features.json").write_text(json.dumps(self.features, ensure_ascii=False),
                                               encoding="utf-8")
            np.save(tmp / "ptr.npy", self.ptr)
            np.save(tmp / "rows.npy", self.row_ids)

        return write_folder(folder, fill)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        try:
            features = json.loads((folder / "features.json").read_text(encoding="utf-8"))
            ptr = np.load(folder / "ptr.npy", mmap_mode="r")
            rows = np.load(folder / "rows.npy", mmap_mode="r")
        except (OSError, ValueError):
            return None
        if ptr.shape != (len(features) + 1,) or rows.shape != (int(ptr[-1]),):
            return None
        return cls(features, ptr, rows)


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


class Aligner:
    def __init__(
        self,
        space: JointSpace,
        valence: dict[str, str] | None = None,
        synonyms: dict[str, frozenset[str]] | None = None,
        weights: AlignWeights | None = None,
        lexicon: LexicalIndex | None = None,
    ) -> None:
        self.space = space
        self.concepts = space.concepts
        self.index = {c.id: i for i, c in enumerate(self.concepts)}
        self.weights = weights or AlignWeights()
        self.valence = valence or {}
        self.synonyms = synonyms or {}
        self.lexicon = lexicon or LexicalIndex.build(self.concepts)
        # each name's features and their weight, filled in as rows are scored
        self._name_feats: dict[int, list[tuple[frozenset[str], int]]] = {}
        self._types = np.array([c.type for c in self.concepts])
        self._curated = np.array([c.source == CURATED_SOURCE for c in self.concepts])

    # -- scoring ------------------------------------------------------------------------------
    def _names_of(self, i: int) -> list[tuple[frozenset[str], int]]:
        feats = self._name_feats.get(i)
        if feats is None:
            feats = self._name_feats[i] = [(f, _weight(f)) for f in
                                           (text_features(n) for n in self.concepts[i].names)]
        return feats

    def _lexical(self, feats: frozenset[str], rows: Iterable[int]) -> dict[int, float]:
        w = _weight(feats)
        return {i: max((_dice(feats, nf, w, nw) for nf, nw in self._names_of(i)), default=0.0)
                for i in rows}

    def _expand(self, text: str) -> frozenset[str]:
        """Text features after adding each token's Cilin synonyms (Chinese words only)."""
        extra: set[str] = set()
        for token in tokenize(text):
            for syn in self.synonyms.get(token, ()):
                extra |= text_features(syn)
        return frozenset(extra)

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
        allowed = allowed_types(modality, kind) - exclude_types
        mask = np.isin(self._types, list(allowed))
        if not mask.any():
            return []
        vec, _coverage = self.space.text_vector(text)
        n = len(self.concepts)
        cos = self.space.name_matrix @ vec if vec is not None else np.zeros(n)
        node_cos = self.space.node_matrix @ vec if vec is not None else np.zeros(n)
        feats = text_features(text)
        rows = {i for f in feats if len(f) > 1 for i in self.lexicon.rows(f)}
        lex = self._lexical(feats, rows)
        syn_feats = self._expand(text) - feats
        syn_rows = {i for f in syn_feats if len(f) > 1 for i in self.lexicon.rows(f)}
        syn = self._lexical(syn_feats | feats, syn_rows) if syn_feats else {}
        w = self.weights
        score = w.vector * cos + w.node * node_cos + w.curated_prior * self._curated
        for i, v in lex.items():
            score[i] += w.lexical * v
        for i, v in syn.items():
            score[i] += w.synonym * v
        if polarity in ("positive", "negative"):
            opposite = "negative" if polarity == "positive" else "positive"
            for i, c in enumerate(self.concepts):
                if self.valence.get(c.id) == opposite:
                    score[i] *= w.polarity_penalty if score[i] > 0 else 1.0
        score = np.where(mask, score, -np.inf)
        order = np.argsort(-score, kind="stable")[:top_k]
        return [
            Candidate(self.concepts[i].id, float(score[i]), float(cos[i]), lex.get(int(i), 0.0),
                      syn.get(int(i), 0.0))
            for i in order if np.isfinite(score[i])
        ]

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
        return max(set(votes), key=votes.count) if votes else None

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
