"""Deterministic parallel skip-gram with negative sampling (SGNS), compiled with numba.

gensim's `Word2Vec(sg=1, negative=N)` model: for each kept word, each context word within a
randomly reduced window predicts it through the output layer (`syn1neg`) against N noise
words drawn from unigram counts ** 0.75; frequent words are subsampled (`sample`), the
learning rate falls linearly from `alpha` to `min_alpha`, and per-row lock factors scale the
input-row updates (0 = frozen, as the joint model's pretrained rows are). Two differences,
both for memory traffic, which is what bounds this model on a large vocabulary:

- the N noise words are drawn once per centre word and shared by its context words (gensim
  draws them per pair; "shared negatives", Ji et al. 2016, "Parallelizing Word2Vec in
  Shared and Distributed Memory"): the centre word's 1 + N output rows stay in L1 across
  its window instead of 2 * window * (1 + N) scattered reads;
- words absent from the corpus are left out of training (their rows cannot change: they are
  never a context word) and so are not drawn as noise.

Unlike gensim with several workers (Hogwild: threads race on shared rows, so every run
differs), the result is bit-identical across runs and thread counts:

- the corpus is cut at sentence boundaries into chunks of about `_CHUNK_TOKENS` tokens,
  a cut that depends on the corpus only;
- chunk c of epoch e draws from its own counter-based generator seeded from
  (seed, e, c), like the node2vec walks (`kg.embed.node2vec`);
- chunks are trained in rounds of `_ROUND_CHUNKS`: every chunk of a round starts from the
  same parameters and trains on private copies of the rows it touches (copied on first
  use, so it sees its own updates, as sequential SGD does); each copy minus the unchanged
  shared row is then added to the shared rows in chunk order. Threads only decide who
  computes which chunk, never what is computed.

A round is a small synchronous mini-batch (8 chunks, about 8k tokens), so a chunk's view of
the others' updates is at most one round stale, less than gensim's own job size.
Thread count: numba's (`NUMBA_NUM_THREADS`, or `numba.set_num_threads`).
Results are bit-identical for a given machine and compiled kernel; vector instructions
differ between CPU families, so two different CPUs may give vectors that differ in the last
bits (the joint space is cached per machine by content, so this never mixes).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
from numba import njit, prange

from kg.embed.node2vec import GOLDEN, mix64, seed_key

# Idle OpenMP threads sleep at the end of a round instead of spinning (libgomp reads this
# when numba starts its thread pool, at the first parallel call): on shared cores a spinning
# thread takes CPU from the one still training. An explicit setting of the user's wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Sentences are cut into chunks of at least this many tokens; a round trains this many
# chunks in parallel from the same parameters. Both are part of the result: changing them
# changes the vectors (bump the space version).
_CHUNK_TOKENS = 1024
_ROUND_CHUNKS = 8
_MAX_EXP = 6.0
_EXP_TABLE_SIZE = 1000
# The merge runs over this many fixed row ranges in parallel (any number of threads).
_MERGE_PARTS = 8


@dataclass(frozen=True)
class SGNSParams:
    dim: int = 100
    window: int = 5
    negative: int = 5
    epochs: int = 5
    alpha: float = 0.025
    min_alpha: float = 0.0001
    sample: float = 1e-3
    ns_exponent: float = 0.75
    seed: int = 0

    def __post_init__(self) -> None:
        if self.dim <= 0 or self.window <= 0 or self.epochs <= 0 or self.negative < 1:
            raise ValueError("dim, window and epochs must be positive and negative >= 1")
        if self.alpha <= 0.0 or self.min_alpha < 0.0 or self.sample < 0.0:
            raise ValueError("alpha must be > 0, min_alpha and sample >= 0")


@dataclass(frozen=True)
class Corpus:
    """Sentences as one flat array of vocabulary ids: sentence i is tokens[starts[i]:starts[i+1]]."""

    tokens: np.ndarray  # int32
    starts: np.ndarray  # int64, shape (sentences + 1,)

    @property
    def num_tokens(self) -> int:
        return int(self.tokens.shape[0])


def encode(sentences: Sequence[Sequence[str]], key_to_index: dict[str, int]) -> Corpus:
    """Token ids of each sentence, dropping tokens outside the vocabulary (as gensim does)."""
    get = key_to_index.get
    ids = np.fromiter((get(t, -1) for t in chain.from_iterable(sentences)), dtype=np.int64)
    lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
    known = ids >= 0
    # Sentence i starts where the known tokens before its first token end.
    seen = np.concatenate([[0], np.cumsum(known, dtype=np.int64)])
    starts = seen[np.concatenate([[0], np.cumsum(lengths)])]
    return Corpus(ids[known].astype(np.int32), starts)


def concat(parts: Sequence[Corpus]) -> Corpus:
    tokens = np.concatenate([p.tokens for p in parts]) if parts else np.empty(0, np.int32)
    starts = [np.zeros(1, np.int64)]
    offset = 0
    for p in parts:
        starts.append(p.starts[1:] + offset)
        offset += p.num_tokens
    return Corpus(tokens.astype(np.int32), np.concatenate(starts))


def chunk_bounds(starts: np.ndarray, chunk_tokens: int = _CHUNK_TOKENS) -> np.ndarray:
    """Sentence index where each chunk begins (plus the end): a cut at the first sentence
    boundary at or after each multiple of `chunk_tokens` tokens. Depends on the corpus only."""
    n_sent = starts.shape[0] - 1
    if n_sent <= 0:
        return np.zeros(1, np.int64)
    targets = np.arange(chunk_tokens, int(starts[-1]), chunk_tokens, dtype=np.int64)
    cuts = np.unique(np.searchsorted(starts[1:-1], targets, side="left") + 1) if n_sent > 1 \
        else np.empty(0, np.int64)
    return np.concatenate([[0], cuts[(cuts > 0) & (cuts < n_sent)], [n_sent]]).astype(np.int64)


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """gensim's downsampling: P(keep) = (sqrt(c / t) + 1) * t / c, capped at 1, t = sample * N."""
    counts = counts.astype(np.float64)
    if sample <= 0.0:
        return np.ones_like(counts)
    threshold = sample * counts.sum() if sample < 1.0 else sample
    with np.errstate(divide="ignore"):
        keep = (np.sqrt(counts / threshold) + 1.0) * (threshold / counts)
    return np.minimum(keep, 1.0)


@njit(cache=True)
def _alias_tables(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias tables: word i is drawn with probability weights[i] / sum."""
    n = weights.shape[0]
    prob = weights * (n / weights.sum())
    alias = np.arange(n).astype(np.int32)
    small = np.empty(n, np.int64)
    large = np.empty(n, np.int64)
    n_small = 0
    n_large = 0
    for i in range(n):
        if prob[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        lo = small[n_small]
        n_large -= 1
        hi = large[n_large]
        alias[lo] = hi
        prob[hi] = (prob[hi] + prob[lo]) - 1.0
        if prob[hi] < 1.0:
            small[n_small] = hi
            n_small += 1
        else:
            large[n_large] = hi
            n_large += 1
    for k in range(n_small):
        prob[small[k]] = 1.0
    for k in range(n_large):
        prob[large[k]] = 1.0
    return prob, alias


def noise_tables(counts: np.ndarray, exponent: float) -> tuple[np.ndarray, np.ndarray]:
    """Alias tables of the noise distribution count ** exponent: one draw costs one random
    number and two lookups in tables small enough to stay in cache (a word2vec.c unigram
    table fine enough for 125k count-1 words would not)."""
    return _alias_tables(counts.astype(np.float64) ** exponent)


def _sigmoid_table() -> np.ndarray:
    x = (np.arange(_EXP_TABLE_SIZE, dtype=np.float64) / _EXP_TABLE_SIZE * 2.0 - 1.0) * _MAX_EXP
    return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


@njit(inline="always", nogil=True, cache=True)
def _next(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    state = state + GOLDEN
    return state, mix64(state)


@njit(inline="always", nogil=True, cache=True)
def _slot(row: int, syn: np.ndarray, mapping: np.ndarray, rows: np.ndarray, priv: np.ndarray,
          n: int) -> tuple[int, int]:
    """The private slot of `row` in this chunk; its first touch copies the shared row in."""
    slot = mapping[row]
    if slot < 0:
        slot = n
        mapping[row] = slot
        rows[slot] = row
        for d in range(syn.shape[1]):
            priv[slot, d] = syn[row, d]
        n += 1
    return slot, n


@njit(nogil=True, cache=True, fastmath=True)
def _train_chunk(
    tokens: np.ndarray, starts: np.ndarray, s_lo: int, s_hi: int,
    syn0: np.ndarray, syn1: np.ndarray, lock: np.ndarray, keep: np.ndarray,
    noise_p: np.ndarray, noise_alias: np.ndarray, sig: np.ndarray,
    window: int, negative: int, alpha0: float, min_alpha: float, progress0: float,
    total: float, state: np.uint64,
    map_in: np.ndarray, rows_in: np.ndarray, priv_in: np.ndarray,
    map_out: np.ndarray, rows_out: np.ndarray, priv_out: np.ndarray,
    sent: np.ndarray, targets: np.ndarray, work: np.ndarray, counts: np.ndarray,
) -> None:
    """Train sentences s_lo..s_hi on private copies of the rows they touch.

    A row's first touch in the chunk copies the shared row into a private slot (map_* ->
    slot, rows_* -> row); the chunk then reads and writes only its slots, so it sees its own
    updates as sequential SGD does, and the shared rows stay untouched until the merge.
    Frozen input rows (lock 0) are read from the shared matrix directly.
    """
    dim = syn0.shape[1]
    n_in = 0
    n_out = 0
    n_vocab = np.uint64(syn0.shape[0])
    low32 = np.uint64(0xFFFFFFFF)
    scale = _EXP_TABLE_SIZE / _MAX_EXP / 2.0
    for s in range(s_lo, s_hi):
        a = starts[s]
        b = starts[s + 1]
        frac = (progress0 + a) / total
        alpha = alpha0 - (alpha0 - min_alpha) * frac
        if alpha < min_alpha:
            alpha = min_alpha
        # Subsample frequent words.
        n = 0
        for k in range(a, b):
            w = tokens[k]
            if keep[w] < 1.0:
                state, r = _next(state)
                if keep[w] < float(r >> np.uint64(11)) * (1.0 / 9007199254740992.0):
                    continue
            sent[n] = w
            n += 1
        for i in range(n):
            word = sent[i]
            state, r = _next(state)
            reduced = int(r % np.uint64(window))
            j0 = max(0, i - window + reduced)
            j1 = min(n, i + window + 1 - reduced)
            if j1 - j0 < 2:
                continue
            # The centre word and its noise words, drawn once for its whole window: their
            # output rows stay in L1 while every context word is trained against them.
            slot, n_out = _slot(word, syn1, map_out, rows_out, priv_out, n_out)
            targets[0] = slot
            n_t = 1
            for _neg in range(negative):
                state, r = _next(state)
                target = np.int64(((r >> np.uint64(32)) * n_vocab) >> np.uint64(32))
                if float(r & low32) * (1.0 / 4294967296.0) >= noise_p[target]:
                    target = np.int64(noise_alias[target])
                if target == word:
                    continue
                slot, n_out = _slot(int(target), syn1, map_out, rows_out, priv_out, n_out)
                targets[n_t] = slot
                n_t += 1
            for j in range(j0, j1):
                if j == i:
                    continue
                ctx = sent[j]
                lk = lock[ctx]
                if lk != 0.0:
                    c, n_in = _slot(ctx, syn0, map_in, rows_in, priv_in, n_in)
                    vin = priv_in[c]
                else:
                    vin = syn0[ctx]
                for d in range(dim):
                    work[d] = 0.0
                for t in range(n_t):
                    vout = priv_out[targets[t]]
                    f = np.float32(0.0)
                    for d in range(dim):
                        f += vin[d] * vout[d]
                    if f <= -_MAX_EXP or f >= _MAX_EXP:
                        continue
                    label = 1.0 if t == 0 else 0.0
                    g = np.float32((label - sig[int((f + _MAX_EXP) * scale)]) * alpha)
                    for d in range(dim):
                        work[d] += g * vout[d]
                        vout[d] += g * vin[d]
                if lk != 0.0:
                    for d in range(dim):
                        vin[d] += lk * work[d]
    for slot in range(n_in):
        map_in[rows_in[slot]] = -1
    for slot in range(n_out):
        map_out[rows_out[slot]] = -1
    counts[0] = n_in
    counts[1] = n_out


@njit(nogil=True, cache=True, fastmath=False)
def _to_delta(syn: np.ndarray, rows: np.ndarray, priv: np.ndarray, n: int) -> None:
    """Private rows minus the (unchanged) shared rows: what the chunk adds."""
    for slot in range(n):
        row = rows[slot]
        for d in range(syn.shape[1]):
            priv[slot, d] -= syn[row, d]


@njit(parallel=True, cache=True)
def _train(
    tokens: np.ndarray, starts: np.ndarray, bounds: np.ndarray,
    syn0: np.ndarray, syn1: np.ndarray, lock: np.ndarray, keep: np.ndarray,
    noise_p: np.ndarray, noise_alias: np.ndarray, sig: np.ndarray,
    window: int, negative: int, epochs: int, alpha0: float, min_alpha: float,
    key: np.uint64, round_chunks: int,
    map_in: np.ndarray, rows_in: np.ndarray, priv_in: np.ndarray,
    map_out: np.ndarray, rows_out: np.ndarray, priv_out: np.ndarray,
    sent: np.ndarray, targets: np.ndarray, work: np.ndarray, counts: np.ndarray,
) -> None:
    n_chunks = bounds.shape[0] - 1
    n_tok = float(tokens.shape[0])
    total = n_tok * epochs
    dim = syn0.shape[1]
    n_rows = syn0.shape[0]
    for epoch in range(epochs):
        for first in range(0, n_chunks, round_chunks):
            m = min(round_chunks, n_chunks - first)
            for k in prange(m):
                c = first + k
                state = mix64(key ^ (np.uint64(epoch * n_chunks + c + 1) * GOLDEN))
                _train_chunk(tokens, starts, bounds[c], bounds[c + 1], syn0, syn1, lock,
                             keep, noise_p, noise_alias, sig, window, negative, alpha0, min_alpha,
                             epoch * n_tok, total, state,
                             map_in[k], rows_in[k], priv_in[k], map_out[k], rows_out[k],
                             priv_out[k], sent[k], targets[k], work[k], counts[k])
                _to_delta(syn0, rows_in[k], priv_in[k], counts[k, 0])
                _to_delta(syn1, rows_out[k], priv_out[k], counts[k, 1])
            # Deterministic merge: rows split into fixed ranges (parallel); within a range
            # each row receives the chunks' deltas in chunk order, whoever runs it.
            for part in prange(_MERGE_PARTS):
                lo = part * n_rows // _MERGE_PARTS
                hi = (part + 1) * n_rows // _MERGE_PARTS
                for k in range(m):
                    for slot in range(counts[k, 0]):
                        row = rows_in[k, slot]
                        if lo <= row < hi:
                            for d in range(dim):
                                syn0[row, d] += priv_in[k, slot, d]
                    for slot in range(counts[k, 1]):
                        row = rows_out[k, slot]
                        if lo <= row < hi:
                            for d in range(dim):
                                syn1[row, d] += priv_out[k, slot, d]


def initial_vectors(vocab_size: int, dim: int, seed: int) -> np.ndarray:
    """gensim's initialisation: uniform in [-1/dim, 1/dim) from numpy's generator."""
    rng = np.random.default_rng(seed)
    vectors = rng.random((vocab_size, dim), dtype=np.float32)
    vectors *= 2.0
    vectors -= 1.0
    vectors /= dim
    return vectors


def train_sgns(
    corpus: Corpus,
    counts: np.ndarray,
    vectors: np.ndarray,
    lock: np.ndarray,
    params: SGNSParams,
) -> np.ndarray:
    """Train input rows `vectors` (V x dim float32, updated in place and returned).

    `counts`: each vocabulary word's count (subsampling and noise distribution);
    `lock`: per-row factor on input-row updates (0 frozen, 1 free).
    """
    vocab = counts.shape[0]
    if vectors.shape != (vocab, params.dim) or lock.shape != (vocab,):
        raise ValueError("vectors must be (vocabulary, dim) and lock (vocabulary,)")
    if vocab == 0 or corpus.num_tokens == 0:
        return vectors
    if np.any(counts <= 0):
        raise ValueError("every vocabulary word needs a positive count")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    seen = np.bincount(corpus.tokens, minlength=vocab) > 0
    if not seen.all():
        # A word absent from the corpus is never a context word, so its row cannot change:
        # train the others alone (absent words are not drawn as noise, and the rows being
        # trained stay compact in cache), then write their rows back.
        rows = np.flatnonzero(seen)
        index = np.full(vocab, -1, dtype=np.int32)
        index[rows] = np.arange(rows.size, dtype=np.int32)
        vectors[rows] = train_sgns(Corpus(index[corpus.tokens], corpus.starts), counts[rows],
                                   vectors[rows], lock[rows], params)
        return vectors
    syn1 = np.zeros_like(vectors)
    lock32 = np.ascontiguousarray(lock, dtype=np.float32)
    bounds = chunk_bounds(corpus.starts)
    sizes = corpus.starts[bounds[1:]] - corpus.starts[bounds[:-1]]
    max_tokens = int(sizes.max()) if sizes.size else 0
    max_sent = int(np.diff(corpus.starts).max())
    k = _ROUND_CHUNKS
    trainable = int(np.count_nonzero(lock32))
    cap_in = max(1, min(trainable, max_tokens))
    cap_out = max(1, min(vocab, max_tokens * (1 + params.negative)))
    map_in = np.full((k, vocab), -1, dtype=np.int32)
    map_out = np.full((k, vocab), -1, dtype=np.int32)
    rows_in = np.zeros((k, cap_in), dtype=np.int32)
    rows_out = np.zeros((k, cap_out), dtype=np.int32)
    priv_in = np.zeros((k, cap_in, params.dim), dtype=np.float32)
    priv_out = np.zeros((k, cap_out, params.dim), dtype=np.float32)
    _train(corpus.tokens, corpus.starts, bounds, vectors, syn1, lock32,
           keep_probabilities(counts, params.sample), *noise_tables(counts, params.ns_exponent),
           _sigmoid_table(), params.window, params.negative, params.epochs, params.alpha,
           params.min_alpha, seed_key(params.seed), k,
           map_in, rows_in, priv_in, map_out, rows_out, priv_out,
           np.zeros((k, max(1, max_sent)), dtype=np.int32),
           np.zeros((k, params.negative + 1), dtype=np.int64),
           np.zeros((k, params.dim), dtype=np.float32), np.zeros((k, 2), dtype=np.int64))
    return vectors
