"""Seedable node2vec: compiled second-order walks on a CSR graph, then Word2Vec.

Walks follow node2vec (Grover & Leskovec 2016): from edge (t -> v) the next node x is drawn
with weight w(v, x) * a, where a = 1/p if x == t, 1 if x is a neighbour of t, else 1/q.
Like PecanPy's SparseOTF nothing is precomputed per edge pair, so memory stays O(edges);
unlike it, a step costs O(log degree) instead of O(degree): a candidate is drawn from the
first-order distribution and accepted with probability a / max(a) (rejection sampling, exact
in distribution), the "is x a neighbour of t" test being a binary search in t's sorted row.
When the bias ratio makes rejection wasteful (extreme p or q) a step falls back to an exact
O(degree) scan.

Determinism: walk i draws from its own counter-based generator (splitmix64 seeded from
(seed, i)), so walks are bit-identical whatever the number of threads and scheduling. The
Word2Vec step of `Node2Vec.fit` uses gensim with one worker and a fixed seed, which gensim
documents as the only reproducible setting; so embeddings are bit-identical across runs and
`workers`. (The joint space trains walks with `kg.embed.sgns` instead, deterministic on
any number of threads.)

Parameter names follow the `node2vec` PyPI package, the users' reference; `walk_length` is
the number of nodes in a walk, start included, as there.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numba import njit
from tqdm import tqdm

from kg.embed.csr import CSRGraph

DEFAULT_PREFIX = "node::"
# Above this ratio between the largest and smallest bias, rejection sampling would need too
# many draws per step on average, so the step is computed exactly instead.
_MAX_REJECTION_RATIO = 8.0
# Walks per compiled call: small enough to balance threads on a busy machine and keep the
# progress bar live, large enough that the call overhead does not show.
_CHUNK = 1 << 13

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(inline="always", nogil=True, cache=True)
def mix64(z: np.uint64) -> np.uint64:
    """splitmix64 finaliser: a bijective 64-bit mixer with full avalanche."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(inline="always", nogil=True, cache=True)
def _uniform(state: np.uint64) -> tuple[np.uint64, float]:
    """Next splitmix64 state and a double in [0, 1) from its top 53 bits."""
    state = state + GOLDEN
    return state, float(mix64(state) >> np.uint64(11)) * _TO_UNIT


@njit(inline="always", nogil=True, cache=True)
def _is_neighbor(indptr: np.ndarray, indices: np.ndarray, t: int, x: int) -> bool:
    lo = indptr[t]
    hi = indptr[t + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        if indices[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo < indptr[t + 1] and indices[lo] == x


@njit(nogil=True, cache=True)
def _first_order(
    indptr: np.ndarray,
    indices: np.ndarray,
    cumw: np.ndarray,
    weighted: bool,
    v: int,
    u: float,
) -> int:
    """Neighbour of v drawn with probability proportional to edge weight, from u in [0, 1)."""
    start = indptr[v]
    end = indptr[v + 1]
    if not weighted:
        k = start + int(u * (end - start))
        return indices[min(k, end - 1)]
    # cumw holds per-row running sums: find the first arc whose running sum exceeds target.
    target = u * cumw[end - 1]
    lo = start
    hi = end - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if cumw[mid] <= target:
            lo = mid + 1
        else:
            hi = mid
    return indices[lo]


@njit(inline="always", nogil=True, cache=True)
def _bias(
    indptr: np.ndarray, indices: np.ndarray, t: int, x: int, inv_p: float, inv_q: float
) -> float:
    if x == t:
        return inv_p
    if _is_neighbor(indptr, indices, t, x):
        return 1.0
    return inv_q


@njit(nogil=True, cache=True)
def _exact_step(
    indptr: np.ndarray,
    indices: np.ndarray,
    cumw: np.ndarray,
    weighted: bool,
    t: int,
    v: int,
    inv_p: float,
    inv_q: float,
    u: float,
) -> int:
    """One biased step by scanning v's row twice (total mass, then the draw)."""
    start = indptr[v]
    end = indptr[v + 1]
    total = 0.0
    prev_cum = 0.0
    for k in range(start, end):
        w = 1.0
        if weighted:
            w = cumw[k] - prev_cum
            prev_cum = cumw[k]
        total += w * _bias(indptr, indices, t, indices[k], inv_p, inv_q)
    target = u * total
    acc = 0.0
    prev_cum = 0.0
    for k in range(start, end):
        w = 1.0
        if weighted:
            w = cumw[k] - prev_cum
            prev_cum = cumw[k]
        acc += w * _bias(indptr, indices, t, indices[k], inv_p, inv_q)
        if target < acc:
            return indices[k]
    return indices[end - 1]


@njit(nogil=True, cache=True)
def _walk_kernel(
    indptr: np.ndarray,
    indices: np.ndarray,
    cumw: np.ndarray,
    weighted: bool,
    starts: np.ndarray,
    first_walk: int,
    walk_length: int,
    inv_p: float,
    inv_q: float,
    key: np.uint64,
    out: np.ndarray,
    lengths: np.ndarray,
) -> None:
    """Fill out[i, :lengths[i]] with walk number first_walk + i, starting at starts[i]."""
    bound = max(inv_p, 1.0, inv_q)
    use_rejection = bound / min(inv_p, 1.0, inv_q) <= _MAX_REJECTION_RATIO
    for i in range(starts.shape[0]):
        state = mix64(key ^ (np.uint64(first_walk + i) * GOLDEN))
        cur = starts[i]
        out[i, 0] = cur
        n = 1
        prev = -1
        while n < walk_length and indptr[cur + 1] > indptr[cur]:
            state, u = _uniform(state)
            if prev < 0:
                nxt = _first_order(indptr, indices, cumw, weighted, cur, u)
            elif use_rejection:
                while True:
                    nxt = _first_order(indptr, indices, cumw, weighted, cur, u)
                    a = _bias(indptr, indices, prev, nxt, inv_p, inv_q)
                    if a >= bound:
                        break
                    state, u = _uniform(state)
                    if u * bound < a:
                        break
                    state, u = _uniform(state)
            else:
                nxt = _exact_step(indptr, indices, cumw, weighted, prev, cur, inv_p, inv_q, u)
            out[i, n] = nxt
            n += 1
            prev = cur
            cur = nxt
        lengths[i] = n


def _row_cumsum(graph: CSRGraph) -> np.ndarray:
    """Per-row running sums of weights (first-order sampling by binary search)."""
    if graph.weights is None:
        return np.empty(0, dtype=np.float64)
    total = np.cumsum(graph.weights)
    starts = graph.indptr[:-1]
    base = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0.0)
    degrees = np.diff(graph.indptr)
    return total - np.repeat(base, degrees)


def seed_key(seed: int) -> np.uint64:
    return np.uint64(int.from_bytes(hashlib.blake2b(str(seed).encode(), digest_size=8).digest()))


def _stable_hash(text: str) -> int:
    """Process-independent string hash for gensim (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


class WalkTokens(Sequence[list[str]]):
    """Walks as token lists (`prefix + node id`), built lazily so they cost no extra memory.

    A Sequence, hence restartable: gensim reads it once for the vocabulary and once per
    epoch, and it can be chained with sentence corpora for a joint Word2Vec model.
    """

    def __init__(self, walks: Walks, prefix: str = DEFAULT_PREFIX) -> None:
        self._walks = walks
        self._tokens = [prefix + node for node in walks.ids]

    def __len__(self) -> int:
        return len(self._walks)

    @overload
    def __getitem__(self, i: int) -> list[str]: ...
    @overload
    def __getitem__(self, i: slice) -> list[list[str]]: ...
    def __getitem__(self, i: int | slice) -> list[str] | list[list[str]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        row = self._walks.nodes[i, : self._walks.lengths[i]]
        tokens = self._tokens
        return [tokens[j] for j in row.tolist()]

    def __iter__(self) -> Iterator[list[str]]:
        tokens = self._tokens
        for row, length in zip(self._walks.nodes, self._walks.lengths.tolist(), strict=True):
            yield [tokens[j] for j in row[:length].tolist()]


@dataclass(frozen=True, eq=False)
class Walks:
    """Walks as a padded index matrix: walk i is nodes[i, :lengths[i]] (padding is -1)."""

    nodes: np.ndarray  # int32, shape (num_walks * num_nodes, walk_length)
    lengths: np.ndarray  # int32
    ids: tuple[str, ...]  # index -> node id, as in the graph

    def __len__(self) -> int:
        return int(self.lengths.shape[0])

    def as_ids(self, i: int) -> list[str]:
        return [self.ids[j] for j in self.nodes[i, : self.lengths[i]].tolist()]

    def as_tokens(self, prefix: str = DEFAULT_PREFIX) -> WalkTokens:
        return WalkTokens(self, prefix)


def walks_as_tokens(walks: Walks, prefix: str = DEFAULT_PREFIX) -> WalkTokens:
    """Token lists `prefix + node id` for training Word2Vec on walks (alone or with text)."""
    return WalkTokens(walks, prefix)


def _check_positive(name: str, value: float, integer: bool) -> None:
    if integer and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def generate_walks(
    graph: CSRGraph,
    *,
    walk_length: int = 80,
    num_walks: int = 10,
    p: float = 1.0,
    q: float = 1.0,
    seed: int = 0,
    workers: int = 1,
    progress: bool = False,
) -> Walks:
    """`num_walks` rounds of one walk from every node; each round visits nodes in a seeded
    random order (as the reference implementation does) so Word2Vec sees no ordered runs."""
    for name, val, integer in (
        ("walk_length", walk_length, True),
        ("num_walks", num_walks, True),
        ("workers", workers, True),
        ("p", p, False),
        ("q", q, False),
    ):
        _check_positive(name, val, integer)
    _check_seed(seed)
    n = graph.num_nodes
    rng = np.random.default_rng(seed)
    starts = np.concatenate(
        [rng.permutation(n).astype(np.int32) for _ in range(num_walks)]
    ) if n else np.empty(0, np.int32)
    total = int(starts.shape[0])
    out = np.full((total, walk_length), -1, dtype=np.int32)
    lengths = np.zeros(total, dtype=np.int32)
    cumw = _row_cumsum(graph)
    key = seed_key(seed)
    weighted = graph.weights is not None

    def run(lo: int) -> int:
        hi = min(total, lo + _CHUNK)
        _walk_kernel(graph.indptr, graph.indices, cumw, weighted, starts[lo:hi], lo,
                     walk_length, 1.0 / p, 1.0 / q, key, out[lo:hi], lengths[lo:hi])
        return hi - lo

    chunks = range(0, total, _CHUNK)
    # The kernel releases the GIL (nogil), so plain threads run walks in parallel; chunks
    # are handed out dynamically, which copes with a loaded machine better than a static
    # split. Walk i's randomness depends only on (seed, i), never on which thread runs it.
    with tqdm(total=total, desc="node2vec walks", unit="walk", disable=not progress) as bar:
        if workers == 1 or len(chunks) <= 1:
            for lo in chunks:
                bar.update(run(lo))
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for done in pool.map(run, chunks):
                    bar.update(done)
    return Walks(nodes=out, lengths=lengths, ids=graph.ids)


class Node2Vec:
    """node2vec with the `node2vec` package's parameter names; reproducible by design.

    `workers` parallelises the walks (threads; results do not depend on it). Word2Vec runs
    with `word2vec_workers` threads, 1 by default: gensim is reproducible only then, so
    raising it trades bit-identical embeddings for speed.
    """

    def __init__(
        self,
        dimensions: int = 128,
        walk_length: int = 80,
        num_walks: int = 10,
        p: float = 1.0,
        q: float = 1.0,
        workers: int = 1,
        seed: int = 0,
        window: int = 10,
        min_count: int = 1,
        epochs: int = 1,
        negative: int = 5,
        word2vec_workers: int = 1,
        prefix: str = DEFAULT_PREFIX,
        progress: bool = False,
    ) -> None:
        for name, val, integer in (
            ("dimensions", dimensions, True),
            ("walk_length", walk_length, True),
            ("num_walks", num_walks, True),
            ("workers", workers, True),
            ("window", window, True),
            ("min_count", min_count, True),
            ("epochs", epochs, True),
            ("word2vec_workers", word2vec_workers, True),
            ("p", p, False),
            ("q", q, False),
        ):
            _check_positive(name, val, integer)
        _check_seed(seed)
        if negative < 0:
            raise ValueError(f"negative must be >= 0, got {negative!r}")
        self.dimensions = dimensions
        self.walk_length = walk_length
        self.num_walks = num_walks
        self.p = p
        self.q = q
        self.workers = workers
        self.seed = seed
        self.window = window
        self.min_count = min_count
        self.epochs = epochs
        self.negative = negative
        self.word2vec_workers = word2vec_workers
        self.prefix = prefix
        self.progress = progress
        self.walks: Walks | None = None
        self.model: Any = None  # gensim Word2Vec after fit()

    def generate_walks(self, graph: CSRGraph) -> Walks:
        self.walks = generate_walks(
            graph,
            walk_length=self.walk_length,
            num_walks=self.num_walks,
            p=self.p,
            q=self.q,
            seed=self.seed,
            workers=self.workers,
            progress=self.progress,
        )
        return self.walks

    def walks_as_tokens(self, prefix: str | None = None) -> WalkTokens:
        if self.walks is None:
            raise RuntimeError("no walks yet: call generate_walks() or fit() first")
        return WalkTokens(self.walks, self.prefix if prefix is None else prefix)

    def word2vec_params(self) -> dict[str, Any]:
        """The gensim.models.Word2Vec arguments used by fit(), for joint models to reuse."""
        return {
            "vector_size": self.dimensions,
            "window": self.window,
            "min_count": self.min_count,
            "sg": 1,
            "negative": self.negative,
            "epochs": self.epochs,
            "workers": self.word2vec_workers,
            "seed": self.seed,
            "hashfxn": _stable_hash,
        }

    def fit(self, graph: CSRGraph) -> Node2Vec:
        """Generate walks and train skip-gram Word2Vec on them; keys are prefix + node id."""
        from gensim.models import Word2Vec  # heavy import, only when training

        walks = self.generate_walks(graph)
        corpus = WalkTokens(walks, self.prefix)
        callbacks = [_EpochBar(self.epochs)] if self.progress else []
        self.model = Word2Vec(corpus, callbacks=callbacks, **self.word2vec_params())
        return self

    def vector(self, node_id: str) -> np.ndarray:
        if self.model is None:
            raise RuntimeError("no model yet: call fit() first")
        key = self.prefix + node_id
        if key not in self.model.wv.key_to_index:
            raise KeyError(f"node {node_id!r} has no embedding (not in the graph, or min_count)")
        return np.asarray(self.model.wv[key])

    def embedding_matrix(self, ids: Sequence[str]) -> np.ndarray:
        """Rows of vectors in the order of `ids` (e.g. graph.ids)."""
        return np.stack([self.vector(node) for node in ids]) if ids else np.empty((0, 0))


class _EpochBar:
    """gensim callback drawing one tqdm tick per Word2Vec epoch."""

    def __init__(self, epochs: int) -> None:
        self._bar = tqdm(total=epochs, desc="word2vec epochs", unit="epoch")

    # gensim calls these by name on every callback object.
    def on_train_begin(self, model: Any) -> None: ...
    def on_epoch_begin(self, model: Any) -> None: ...
    def on_batch_begin(self, model: Any) -> None: ...
    def on_batch_end(self, model: Any) -> None: ...

    def on_epoch_end(self, model: Any) -> None:
        self._bar.update(1)

    def on_train_end(self, model: Any) -> None:
        self._bar.close()
