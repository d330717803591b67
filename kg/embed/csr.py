"""Compressed sparse row (CSR) graphs for random walks.

Walk kernels need flat integer arrays, not Python dicts: a CSR graph costs O(nodes + edges)
memory and gives each node's neighbours as one contiguous, sorted slice, so "is x a
neighbour of t?" is a binary search. Node ids are sorted before indexing so the same graph
gets the same indices (hence the same walks) whatever order its edges arrive in, e.g. from
the Neo4j or the embedded store.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.store.base import GraphStore

# One edge: (source id, target id) or (source id, target id, weight).
EdgeTuple = tuple[str, str] | tuple[str, str, float]


class GraphInputError(ValueError):
    """Edges that cannot make a graph (empty ids, non-positive or non-finite weights)."""


@dataclass(frozen=True, eq=False)
class CSRGraph:
    """Adjacency in CSR form: the neighbours of node i are indices[indptr[i]:indptr[i+1]].

    Rows are sorted ascending and hold no duplicates or self-loops. An undirected graph
    stores each edge in both rows. `weights` is None for an unweighted graph (all 1).
    """

    indptr: np.ndarray  # int64, shape (n + 1,)
    indices: np.ndarray  # int32, shape (arcs,)
    weights: np.ndarray | None  # float64, shape (arcs,), or None
    ids: tuple[str, ...]  # index -> node id
    directed: bool = False
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.ids)
        if self.indptr.shape != (n + 1,) or self.indptr[0] != 0:
            raise GraphInputError("indptr must have one entry per node plus one, starting at 0")
        if self.indices.shape != (int(self.indptr[-1]),):
            raise GraphInputError("indices must have indptr[-1] entries")
        if self.weights is not None and self.weights.shape != self.indices.shape:
            raise GraphInputError("weights must have one entry per stored arc")
        object.__setattr__(self, "_index", {node: i for i, node in enumerate(self.ids)})
        if len(self._index) != n:
            raise GraphInputError("node ids must be unique")

    @property
    def num_nodes(self) -> int:
        return len(self.ids)

    @property
    def num_arcs(self) -> int:
        """Stored arcs: twice the edge count for an undirected graph."""
        return int(self.indices.shape[0])

    @property
    def num_edges(self) -> int:
        return self.num_arcs if self.directed else self.num_arcs // 2

    @property
    def weighted(self) -> bool:
        return self.weights is not None

    def index_of(self, node_id: str) -> int:
        try:
            return self._index[node_id]
        except KeyError:
            raise KeyError(f"node {node_id!r} is not in the graph") from None

    def degree(self, node_id: str) -> int:
        i = self.index_of(node_id)
        return int(self.indptr[i + 1] - self.indptr[i])

    def neighbors(self, node_id: str) -> list[str]:
        i = self.index_of(node_id)
        return [self.ids[j] for j in self.indices[self.indptr[i] : self.indptr[i + 1]]]

    def has_edge(self, src: str, dst: str) -> bool:
        i, j = self.index_of(src), self.index_of(dst)
        row = self.indices[self.indptr[i] : self.indptr[i + 1]]
        k = int(np.searchsorted(row, j))
        return k < row.shape[0] and int(row[k]) == j

    def edge_weight(self, src: str, dst: str) -> float:
        """Weight of the arc src -> dst (1.0 when unweighted); KeyError when absent."""
        i, j = self.index_of(src), self.index_of(dst)
        start = int(self.indptr[i])
        row = self.indices[start : self.indptr[i + 1]]
        k = int(np.searchsorted(row, j))
        if k >= row.shape[0] or int(row[k]) != j:
            raise KeyError(f"no edge {src!r} -> {dst!r}")
        return 1.0 if self.weights is None else float(self.weights[start + k])


def csr_from_edges(
    edges: Iterable[Sequence[object]],
    *,
    directed: bool = False,
    nodes: Iterable[str] = (),
) -> CSRGraph:
    """Build a CSR graph from (src, dst) or (src, dst, weight) tuples of string ids.

    The graph is weighted when any edge carries a weight (others then weigh 1). Repeated
    edges merge into one whose weight is the sum (several relations between two concepts
    tie them more strongly); self-loops are dropped since they carry no neighbourhood
    information. `nodes` adds nodes that may have no edge (isolated nodes get walks of
    length one).
    """
    index: dict[str, int] = {}
    src_list: list[int] = []
    dst_list: list[int] = []
    wts: list[float] = []
    weighted = False

    def idx(node: object, where: str) -> int:
        if not isinstance(node, str) or not node:
            raise GraphInputError(f"{where}: node ids must be non-empty strings, got {node!r}")
        got = index.get(node)
        if got is None:
            got = index[node] = len(index)
        return got

    for n_edge, edge in enumerate(edges):
        where = f"edge {n_edge}"
        if len(edge) not in (2, 3):
            raise GraphInputError(f"{where}: expected (src, dst) or (src, dst, weight): {edge!r}")
        s, d = idx(edge[0], where), idx(edge[1], where)
        w = 1.0
        if len(edge) == 3:
            raw = edge[2]
            if isinstance(raw, bool) or not isinstance(raw, int | float | np.floating):
                raise GraphInputError(f"{where}: weight must be a number, got {raw!r}")
            w = float(raw)
            if not math.isfinite(w) or w <= 0.0:
                raise GraphInputError(f"{where}: weight must be finite and > 0, got {raw!r}")
            weighted = True
        src_list.append(s)
        dst_list.append(d)
        wts.append(w)
    for node in nodes:
        idx(node, "nodes")

    # Re-index by sorted id so the graph does not depend on edge order.
    first_seen = list(index)
    order = sorted(range(len(first_seen)), key=first_seen.__getitem__)
    remap = np.empty(len(first_seen), dtype=np.int64)
    remap[np.asarray(order, dtype=np.int64)] = np.arange(len(first_seen), dtype=np.int64)
    ids = tuple(first_seen[i] for i in order)
    src = remap[np.asarray(src_list, dtype=np.int64)] if src_list else np.empty(0, np.int64)
    dst = remap[np.asarray(dst_list, dtype=np.int64)] if dst_list else np.empty(0, np.int64)
    return _assemble(src, dst, np.asarray(wts, dtype=np.float64), ids, directed, weighted)


def _assemble(
    src: np.ndarray,
    dst: np.ndarray,
    w: np.ndarray,
    ids: tuple[str, ...],
    directed: bool,
    weighted: bool,
) -> CSRGraph:
    n = len(ids)
    keep = src != dst
    src, dst, w = src[keep], dst[keep], w[keep]
    if not directed:
        src, dst, w = np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w])
    # np.unique sorts the keys: rows come out in order with sorted neighbours.
    keys, inverse = np.unique(src * max(n, 1) + dst, return_inverse=True)
    rows = keys // max(n, 1)
    indices = (keys % max(n, 1)).astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    weights = np.bincount(inverse, weights=w, minlength=keys.shape[0]) if weighted else None
    return CSRGraph(indptr=indptr, indices=indices, weights=weights, ids=ids, directed=directed)


def label_checked_keys() -> Callable[[str, str], str]:
    """A `key(label, node_key) -> node_key` function for one graph build: it remembers the
    label each key came with and raises GraphInputError when a key comes back under another
    label, since MindKG's keys are unique across labels and a merge would be silent."""
    labels_of: dict[str, str] = {}

    def key(label: str, node_key: str) -> str:
        seen = labels_of.setdefault(node_key, label)
        if seen != label:
            raise GraphInputError(
                f"node key {node_key!r} appears under labels {seen} and {label}; "
                "keys must be unique across labels to embed the graph"
            )
        return node_key

    return key


def csr_from_store(
    store: GraphStore,
    rel_types: Sequence[str] | None = None,
    *,
    directed: bool = False,
    weight_property: str | None = None,
    node_labels: Sequence[str] = (),
) -> CSRGraph:
    """Build a CSR graph from a GraphStore's relationships (all types, or `rel_types`).

    Nodes are identified by their key (`id`), which MindKG's conventions make unique across
    labels; a key seen under two labels is an error rather than a silent merge.
    `weight_property` names a numeric edge property used as weight (missing -> 1.0).
    `node_labels` also brings in nodes of those labels that have no selected edge.
    """
    key = label_checked_keys()

    def edge_rows() -> Iterable[Sequence[object]]:
        for rel_type in rel_types if rel_types is not None else [None]:
            for e in store.iter_edges(rel_type):
                s, d = key(e.src_label, e.src_key), key(e.dst_label, e.dst_key)
                if weight_property is None:
                    yield (s, d)
                else:
                    raw = e.props.get(weight_property, 1.0)
                    yield (s, d, raw)

    edges = list(edge_rows())
    extra = [key(n.label, n.key) for label in node_labels for n in store.iter_nodes(label)]
    return csr_from_edges(edges, directed=directed, nodes=extra)


def read_edge_list(path: Path, *, directed: bool = False, delimiter: str = "\t") -> CSRGraph:
    """Read `src<TAB>dst[<TAB>weight]` lines; blank lines and lines starting with # skipped."""
    edges: list[Sequence[object]] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            text = line.rstrip("\n\r")
            if not text.strip() or text.startswith("#"):
                continue
            parts = text.split(delimiter)
            if len(parts) == 2:
                edges.append((parts[0], parts[1]))
            elif len(parts) == 3:
                try:
                    edges.append((parts[0], parts[1], float(parts[2])))
                except ValueError:
                    raise GraphInputError(
                        f"{path}:{line_no}: weight {parts[2]!r} is not a number"
                    ) from None
            else:
                raise GraphInputError(
                    f"{path}:{line_no}: expected 2 or 3 {delimiter!r}-separated fields, "
                    f"got {len(parts)}"
                )
    return csr_from_edges(edges, directed=directed)
