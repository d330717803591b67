"""Our skip-gram trainer: bit-identical across runs and thread counts, and it learns."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kg.embed import sgns

REPO = Path(__file__).resolve().parents[2]


def _corpus(seed: int = 0) -> tuple[sgns.Corpus, np.ndarray]:
    """Two topics: words 0-19 co-occur, words 20-39 co-occur, never across; 400 sentences."""
    rng = np.random.default_rng(seed)
    sentences = [[f"w{int(t) + 20 * (i % 2)}" for t in rng.integers(0, 20, size=12)]
                 for i in range(400)]
    keys = [f"w{i}" for i in range(40)]
    index = {k: i for i, k in enumerate(keys)}
    corpus = sgns.encode(sentences, index)
    return corpus, np.bincount(corpus.tokens, minlength=40).astype(np.int64)


def _train(lock: np.ndarray | None = None, epochs: int = 3) -> np.ndarray:
    corpus, counts = _corpus()
    vectors = sgns.initial_vectors(40, 16, seed=1)
    lock = np.ones(40, np.float32) if lock is None else lock
    return sgns.train_sgns(corpus, counts, vectors, lock, sgns.SGNSParams(dim=16, epochs=epochs))


def test_bit_identical_across_runs() -> None:
    assert np.array_equal(_train(), _train())


def test_bit_identical_with_one_and_two_threads() -> None:
    code = ("import hashlib; from tests.unit.test_sgns import _train;"
            "print(hashlib.sha256(_train().tobytes()).hexdigest())")
    digests = set()
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads, PYTHONPATH=str(REPO))
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True, timeout=600)
        digests.add(out.stdout.strip().splitlines()[-1])
    digests.add(hashlib.sha256(_train().tobytes()).hexdigest())
    assert len(digests) == 1


def test_learns_topics_and_keeps_frozen_rows() -> None:
    lock = np.ones(40, np.float32)
    lock[[0, 20]] = 0.0  # frozen, as pretrained rows are in the joint model
    before = sgns.initial_vectors(40, 16, seed=1)
    vectors = _train(lock, epochs=10)
    assert np.array_equal(vectors[[0, 20]], before[[0, 20]])
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    same = np.mean([sims[i, j] for i in range(1, 20) for j in range(1, 20) if i != j])
    across = np.mean([sims[i, j] for i in range(1, 20) for j in range(21, 40)])
    assert same > across + 0.3


def test_words_absent_from_the_corpus_keep_their_rows() -> None:
    corpus, counts = _corpus()
    counts = np.concatenate([counts, [1, 1]])  # two vocabulary words no sentence uses
    before = sgns.initial_vectors(42, 16, seed=1)
    vectors = sgns.train_sgns(corpus, counts, before.copy(), np.ones(42, np.float32),
                              sgns.SGNSParams(dim=16, epochs=2))
    assert np.array_equal(vectors[40:], before[40:])
    assert not np.array_equal(vectors[:40], before[:40])


def test_chunks_cover_the_corpus_and_depend_on_it_only() -> None:
    corpus, _ = _corpus()
    bounds = sgns.chunk_bounds(corpus.starts, chunk_tokens=100)
    assert bounds[0] == 0 and bounds[-1] == len(corpus.starts) - 1
    assert np.all(np.diff(bounds) > 0)
    sizes = corpus.starts[bounds[1:]] - corpus.starts[bounds[:-1]]
    longest = int(np.diff(corpus.starts).max())
    assert np.all(np.abs(sizes[:-1] - 100) <= longest)


def test_noise_draws_follow_the_counts() -> None:
    prob, alias = sgns.noise_tables(np.array([1, 1, 8, 16], np.int64), 1.0)
    # Probability of word i: (prob[i] + sum of (1 - prob[j]) over j aliased to i) / n.
    p = prob.copy()
    for j in range(4):
        p[alias[j]] += 1.0 - prob[j]
    np.testing.assert_allclose(p / 4, np.array([1, 1, 8, 16]) / 26)


def test_bad_shapes_are_rejected() -> None:
    corpus, counts = _corpus()
    with pytest.raises(ValueError):
        sgns.train_sgns(corpus, counts, np.zeros((3, 16), np.float32), np.ones(40, np.float32),
                        sgns.SGNSParams(dim=16))
    with pytest.raises(ValueError):
        sgns.SGNSParams(dim=0)
