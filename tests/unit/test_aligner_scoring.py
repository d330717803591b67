"""The aligner's array scoring and its rank cache give exactly what per-concept scoring gave.

`reference_rank` is the scoring as it was written before it was vectorised (issue 13 point
6): every concept scored, lexical overlap name by name in Python. The real aligner must return
the same candidates with bit-identical scores, from a cold or a warm cache.
"""

from __future__ import annotations

import random
import weakref
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest

from kg.align.aligner import (
    Aligner,
    AlignWeights,
    Candidate,
    LexicalIndex,
    cilin_synonyms,
    concept_valence,
    text_features,
)
from kg.align.rules import ALLOWED_TYPES, allowed_types
from kg.align.space import JointSpace
from kg.embed.tokenize import tokenize
from kg.embed.word_vectors import WordSpace
from kg.graph_view import ConceptInfo, GraphView

ZH = ["悲伤", "难过", "快乐", "高兴", "失眠", "睡眠", "焦虑", "紧张", "抑郁", "情绪", "低落", "疲劳",
      "乏力", "兴趣", "减退", "自杀", "念头", "眉头", "紧锁", "嘴角", "下拉", "上扬", "语速", "缓慢",
      "停顿", "食欲", "下降", "注意力", "集中", "无望", "无价值", "愤怒", "恐惧", "惊讶", "量表", "总分"]
EN = ["sad", "sadness", "happy", "insomnia", "sleep", "anxiety", "tense", "depressed", "mood",
      "low", "fatigue", "interest", "loss", "suicidal", "brow", "lowered", "raised", "lip",
      "corner", "slow", "speech", "pause", "appetite", "hopeless", "worthless", "anger", "fear",
      "surprise", "scale", "total", "moderate", "severe"]
TYPES = ["Emotion", "Symptom", "Scale", "Severity", "RiskLevel", "ScaleItem", "ActionUnit",
         "Prosody", "SpeechRate", "ContentPolarity", "Disorder", "Drug"]


def _concepts(rng: random.Random) -> list[ConceptInfo]:
    out = []
    for i in range(400):
        kind = TYPES[i % len(TYPES)]
        names = []
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.6:
                names.append("".join(rng.sample(ZH, rng.randint(1, 3))))
            else:
                names.append(" ".join(rng.sample(EN, rng.randint(1, 3))))
        if kind == "ActionUnit":
            names.append(f"AU{i % 30} {rng.choice(ZH)}")
        source = "source:mindkg-curated" if rng.random() < 0.5 else "source:other"
        out.append(ConceptInfo(f"c:{i:03d}", kind, source, tuple(dict.fromkeys(names))))
    for g in range(20):  # Cilin word groups: synonyms for the lexical expansion
        out.append(ConceptInfo(f"cilin:{g}", "WordGroup", "source:cilin",
                               tuple(rng.sample(ZH, 3))))
    return out


def _space(concepts: list[ConceptInfo], seed: int = 7) -> JointSpace:
    gen = np.random.default_rng(seed)
    words = sorted({t for w in [*ZH, *EN] for t in tokenize(w)} | set(ZH) | set(EN))
    matrix = gen.standard_normal((len(words), 16)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)

    def unit(rows: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return (rows / np.where(norms == 0, 1, norms)).astype(np.float32)

    names = unit(gen.standard_normal((len(concepts), 16)))
    nodes = unit(gen.standard_normal((len(concepts), 16)) * (gen.random((len(concepts), 1)) < 0.7))
    return JointSpace(WordSpace.from_rows(words, matrix), concepts, names, nodes, Path("."))


def _aligner(cache_size: int = 0) -> Aligner:
    rng = random.Random(3)
    concepts = _concepts(rng)
    valence = {c.id: rng.choice(["positive", "negative", "neutral"]) for c in concepts
               if rng.random() < 0.4}
    return Aligner(_space(concepts), valence, cilin_synonyms(concepts),
                   lexicon=LexicalIndex.build(concepts), cache_size=cache_size)


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    def weight(feats: Iterable[str]) -> int:
        return sum(1 if len(f) == 1 else 2 for f in feats)

    if not a or not b:
        return 0.0
    return 2 * weight(a & b) / (weight(a) + weight(b))


_NAME_FEATURES: weakref.WeakKeyDictionary[Aligner, list[list[frozenset[str]]]] = (
    weakref.WeakKeyDictionary())


def reference_rank(al: Aligner, text: str, *, modality: str | None = None,
                   kind: str | None = None, polarity: str | None = None, top_k: int = 10,
                   exclude_types: frozenset[str] = frozenset()) -> list[Candidate]:
    """The aligner's scoring, concept by concept, as it was before it was vectorised."""
    allowed = allowed_types(modality, kind) - exclude_types
    types = np.array([c.type for c in al.concepts])
    curated = np.array([c.source == "source:mindkg-curated" for c in al.concepts])
    mask = np.isin(types, list(allowed))
    if not mask.any():
        return []
    vec, _coverage = al.space.text_vector(text)
    n = len(al.concepts)
    cos = al.space.name_matrix @ vec if vec is not None else np.zeros(n)
    node_cos = al.space.node_matrix @ vec if vec is not None else np.zeros(n)

    names = _NAME_FEATURES.setdefault(al, [[text_features(nm) for nm in c.names]
                                                for c in al.concepts])

    def lexical(feats: frozenset[str], rows: Iterable[int]) -> dict[int, float]:
        return {i: max((_dice(feats, nf) for nf in names[i]), default=0.0) for i in rows}

    def postings(feats: Iterable[str]) -> set[int]:
        multi = {f for f in feats if len(f) > 1}
        return {i for i, per in enumerate(names) if any(nf & multi for nf in per)}

    feats = text_features(text)
    lex = lexical(feats, postings(feats))
    extra: set[str] = set()
    for token in tokenize(text):
        for syn in al.synonyms.get(token, ()):
            extra |= text_features(syn)
    syn_feats = frozenset(extra) - feats
    syn = lexical(syn_feats | feats, postings(syn_feats)) if syn_feats else {}
    w = al.weights
    score = w.vector * cos + w.node * node_cos + w.curated_prior * curated
    for i, v in lex.items():
        score[i] += w.lexical * v
    for i, v in syn.items():
        score[i] += w.synonym * v
    if polarity in ("positive", "negative"):
        opposite = "negative" if polarity == "positive" else "positive"
        for i, c in enumerate(al.concepts):
            if al.valence.get(c.id) == opposite:
                score[i] *= w.polarity_penalty if score[i] > 0 else 1.0
    score = np.where(mask, score, -np.inf)
    order = np.argsort(-score, kind="stable")[:top_k]
    return [Candidate(al.concepts[i].id, float(score[i]), float(cos[i]), lex.get(int(i), 0.0),
                      syn.get(int(i), 0.0)) for i in order if np.isfinite(score[i])]


def _texts(rng: random.Random, count: int) -> list[str]:
    out = ["", "。", "AU4 眉头紧锁", "PHQ-9 总分 13，中度抑郁 PHQ-9 total 13, moderate"]
    for _ in range(count):
        zh = "".join(rng.choice(ZH) for _ in range(rng.randint(0, 4)))
        en = " ".join(rng.choice(EN) for _ in range(rng.randint(0, 3)))
        out.append(f"{zh}，{en} {rng.randint(0, 80)}")
    return out


MODALITIES = [(None, None), *ALLOWED_TYPES, ("text", "transcript"), ("audio", "speech_emotion")]


def test_array_scoring_is_bit_identical_to_concept_by_concept_scoring() -> None:
    al = _aligner()
    rng = random.Random(11)
    checked = 0
    for i, text in enumerate(_texts(rng, 60)):
        modality, kind = MODALITIES[i % len(MODALITIES)]
        for polarity in (None, "positive", "negative"):
            exclude = frozenset({"Severity", "Emotion"}) if i % 3 == 0 else frozenset()
            top_k = (1, 3, 10, 500)[i % 4]
            args = dict(modality=modality, kind=kind, polarity=polarity, top_k=top_k,
                        exclude_types=exclude)
            assert al.rank(text, **args) == reference_rank(al, text, **args), (text, args)
            checked += 1
    assert checked > 150


def test_the_rank_cache_returns_what_scoring_returns_and_counts_hits() -> None:
    cold, warm = _aligner(cache_size=0), _aligner(cache_size=16)
    texts = _texts(random.Random(5), 10)
    for _round in range(2):
        for text in texts:
            for modality, kind in MODALITIES[:4]:
                got = warm.rank(text, modality=modality, kind=kind, top_k=5)
                assert got == cold.rank(text, modality=modality, kind=kind, top_k=5)
    stats = warm.cache.stats()
    assert stats["entries"] == 16  # bounded
    assert stats["hits"] + stats["misses"] == 2 * len(texts) * 4 and stats["misses"] > 0
    assert cold.cache.stats()["hits"] == 0
    # the weights are part of the key: new weights never return the old ranking
    text = texts[3]
    before = warm.rank(text, top_k=5)
    warm.weights = AlignWeights(lexical=0.0)
    assert warm.rank(text, top_k=5) == reference_rank(warm, text, top_k=5) != before
    # a caller mutating the list it got does not change the cached entry
    first = warm.rank(text, top_k=5)
    first.clear()
    assert warm.rank(text, top_k=5) == reference_rank(warm, text, top_k=5)


def test_lexical_index_keeps_name_features_through_save_and_load(tmp_path: Path) -> None:
    concepts = _concepts(random.Random(3))
    built = LexicalIndex.build(concepts)
    assert built.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded is not None
    rows = np.arange(len(concepts))
    for text in _texts(random.Random(9), 20):
        feats = text_features(text)
        expected = [max((_dice(feats, text_features(n)) for n in c.names), default=0.0)
                    for c in concepts]
        assert loaded.dice(feats, rows).tolist() == expected == built.dice(feats, rows).tolist()
        assert np.array_equal(loaded.candidates(feats), built.candidates(feats))


@pytest.mark.parametrize("first", ["valence:positive", "valence:negative"])
def test_a_valence_tie_goes_to_the_first_parent(first: str) -> None:
    second = "valence:negative" if first == "valence:positive" else "valence:positive"
    props = {"type": "Emotion", "source": "s", "name_zh": "某", "name_en": "x"}
    nodes = [("Concept", cid, props) for cid in ("emotion:x", first, second)]
    edges = [("IS_A", "Concept", "emotion:x", "Concept", first, {}),
             ("IS_A", "Concept", "emotion:x", "Concept", second, {})]
    view = GraphView.build(nodes, edges, source="test")
    assert concept_valence(view)["emotion:x"] == first.split(":")[1]


def test_rank_among_scores_the_given_concepts_as_rank_does() -> None:
    al = _aligner()
    wanted = [c.id for c in al.concepts if c.type in ("Symptom", "Emotion")][:25]
    wanted += ["c:missing"]  # an id the space lacks is skipped
    for text in _texts(random.Random(13), 20):
        got = al.rank_among(text, wanted, top_k=len(wanted))
        ref = {c.concept_id: c.score for c in reference_rank(al, text, top_k=10_000)}
        assert {c.concept_id: c.score for c in got} == {c: ref[c] for c in wanted if c in ref}
        assert al.rank_among(text, wanted)[:1] == got[:1]
