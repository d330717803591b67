"""Sentence polarity scores a few texts without scikit-learn, bit-identically to its path."""

from __future__ import annotations

import random

import numpy as np
from sklearn.utils import murmurhash3_32

from kg.embed import sentence_polarity as sp

_ALPHABET = "我你他最近睡不好每天都很累对什么提起兴趣觉得自己没用学习集中注意力，。！？ abcxyz019~:😀é"


def test_murmur_hash_is_scikit_learns() -> None:
    rng = random.Random(0)
    for _ in range(2000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12)))
        assert sp.murmur3_32(text.encode()) == murmurhash3_32(text.encode(), seed=0)


def test_sparse_score_equals_the_sparse_matrix_path() -> None:
    weights = sp.SentencePolarityWeights.load(sp.WEIGHTS_FILE)
    rng = random.Random(1)
    for _ in range(100):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 400)))
        terms = [text[i:i + k] for k in (1, 2, 3) for i in range(len(text) - k + 1)]
        terms += ["~w:" + text[:2]]
        x = sp.tfidf(sp.hashed_counts([terms]), weights.idf)
        want = float(np.asarray(x @ weights.coef_sparse).ravel()[0])
        assert sp.sparse_score(terms, weights.idf, weights.coef_sparse) == want
