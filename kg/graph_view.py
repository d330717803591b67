"""The one read model of the concept graph: what the aligner, the joint space and fusion read.

The ontology part of the graph (Concept nodes and the ontology relations between them) is read
from the store once per process per content, into flat arrays and one string table. Everything
that walks or indexes the ontology takes it from here: the joint space (`concepts`, `csr`), the
aligner (`concepts`, `edges` for valence), fusion and the decoder (`names`, `adjacency`).

The view is a derived artefact keyed by the content it derives from (`GraphStore.raw_digest`:
the stored rows, hashed without decoding them). It is written once under the store's
`derived_cache` and memory-mapped on load, so a warm process decodes no node JSON at all. In a
long-running process (API, workers) a view is reused for as long as the store's `revision`
token is unchanged; a store that cannot say (Neo4j) keeps the view of its first read.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.derived import write_folder
from kg.schema import CONCEPT
from kg.store.base import GraphStore

if TYPE_CHECKING:
    from kg.embed.csr import CSRGraph

# Bump when what a view holds, or how it is stored, changes (cached views are keyed by it).
GRAPH_VIEW_VERSION = 1
# The ontology relations a view holds, in the order they are read and kept: the relations that
# carry evidence towards states first (fusion walks each concept's edges in this order), then
# the rest of the ontology (the joint space walks them too). Session relations are left out.
ONTOLOGY_RELATIONS: tuple[str, ...] = (
    "INDICATES", "IS_A", "ASSESSES", "SIGNALS_RISK", "HAS_SEVERITY", "HAS_SYMPTOM",
    "SYNONYM_OF", "RELATED_TO", "MEASURED_BY", "HAS_ITEM",
    "PART_OF", "HAS_SIGN", "TREATED_BY", "EXAMINED_BY", "COMPLICATION_OF", "MOVES",
    "LOCATED_IN",
)
_NAME_PROPS = ("name_zh", "name_en", "facs_name", "paper_description", "item_name_zh",
               "item_name_en", "description_zh", "description_en")
_FILES = ("strings.json", "nodes.npy", "name_ptr.npy", "name_idx.npy", "edges.npy",
          "weights.npy", "view.json")
_NONE = -1  # string index of an absent property

Row = tuple[str, str, Mapping[str, Any]]  # (primary label, key, props) of a Concept node
EdgeRow = tuple[str, str, str, str, str, Mapping[str, Any]]  # type, src label/key, dst label/key


@dataclass(frozen=True)
class ConceptInfo:
    id: str
    type: str
    source: str
    names: tuple[str, ...]  # every name a text may use for it: labels, aliases, descriptions


def concept_names(props: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for prop in _NAME_PROPS:
        value = props.get(prop)
        if isinstance(value, str) and value.strip():
            names.append(value.strip())
    aliases = props.get("aliases") or []
    names += [a.strip() for a in aliases if isinstance(a, str) and a.strip()]
    return tuple(dict.fromkeys(names))


def edge_weight(props: Mapping[str, Any]) -> float:
    """An edge's `weight` property when positive, else 1."""
    w = props.get("weight")
    return float(w) if isinstance(w, int | float) and w > 0 else 1.0


class GraphView:
    """Concept nodes (in key order) and ontology edges (in `ONTOLOGY_RELATIONS` order, each
    relation in the store's order) as integer arrays over one string table."""

    def __init__(
        self,
        strings: list[str],
        nodes: np.ndarray,  # int32 (n, 6): label, key, type, source, name_zh, name_en
        name_ptr: np.ndarray,  # int32 (n + 1,): names of node i are name_idx[ptr[i]:ptr[i+1]]
        name_idx: np.ndarray,  # int32
        edges: np.ndarray,  # int32 (m, 5): type, src label, src key, dst label, dst key
        weights: np.ndarray,  # float64 (m,): `edge_weight` of each edge
        *,
        key: str,
        source: str,
    ) -> None:
        self.strings = strings
        self.key = key
        self.source = source
        self._nodes = nodes.tolist()
        self._name_ptr = name_ptr.tolist()
        self._name_idx = name_idx.tolist()
        self._edges = edges.tolist()
        self._weights = weights.tolist()
        self.ids: tuple[str, ...] = tuple(strings[row[1]] for row in self._nodes)

    def __len__(self) -> int:
        return len(self.ids)

    def _str(self, i: int, default: str = "") -> str:
        return default if i == _NONE else self.strings[i]

    @cached_property
    def index(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.ids)}

    def has(self, concept_id: str) -> bool:
        return concept_id in self.index

    @cached_property
    def concepts(self) -> list[ConceptInfo]:
        """The concepts that have a name (the rows of the joint space and the aligner)."""
        out = []
        for i, row in enumerate(self._nodes):
            lo, hi = self._name_ptr[i], self._name_ptr[i + 1]
            if lo == hi:
                continue
            out.append(ConceptInfo(
                id=self.ids[i], type=self._str(row[2], "Other"), source=self._str(row[3]),
                names=tuple(self.strings[j] for j in self._name_idx[lo:hi])))
        return out

    @cached_property
    def names(self) -> dict[str, tuple[str, str]]:
        """Concept id -> (name_zh, name_en), either may be empty."""
        return {cid: (self.strings[row[4]], self.strings[row[5]])
                for cid, row in zip(self.ids, self._nodes, strict=True)}

    @cached_property
    def types(self) -> dict[str, str]:
        return {cid: self._str(row[2]) for cid, row in zip(self.ids, self._nodes, strict=True)}

    def edges(self, rel_types: Sequence[str]) -> Iterator[tuple[str, str, str, str, str, float]]:
        """(type, src label, src key, dst label, dst key, weight), relation by relation in
        the order of `rel_types`, each in the store's order."""
        s = self.strings
        for rel in rel_types:
            for i in self._by_relation.get(rel, ()):
                row = self._edges[i]
                yield rel, s[row[1]], s[row[2]], s[row[3]], s[row[4]], self._weights[i]

    @cached_property
    def _by_relation(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i, row in enumerate(self._edges):
            out.setdefault(self.strings[row[0]], []).append(i)
        return out

    def adjacency(self, rel_types: Iterable[str]) -> dict[str, list[tuple[str, str, float]]]:
        """Concept -> [(relation, concept, weight)] out-edges between concepts, in view order."""
        wanted = set(rel_types)
        index, s = self.index, self.strings
        out: dict[str, list[tuple[str, str, float]]] = {}
        for row, w in zip(self._edges, self._weights, strict=True):
            rel, src, dst = s[row[0]], s[row[2]], s[row[4]]
            if rel in wanted and src in index and dst in index:
                out.setdefault(src, []).append((rel, dst, w))
        return out

    def csr(self, rel_types: Sequence[str], *, directed: bool = False) -> CSRGraph:
        """The graph of `rel_types` over all concepts, as `csr_from_store` reads it from the
        store (a key under two labels is an error)."""
        from kg.embed.csr import GraphInputError, csr_from_edges

        labels_of: dict[str, str] = {}

        def key(label: str, node_key: str) -> str:
            seen = labels_of.setdefault(node_key, label)
            if seen != label:
                raise GraphInputError(
                    f"node key {node_key!r} appears under labels {seen} and {label}; "
                    "keys must be unique across labels to embed the graph"
                )
            return node_key

        pairs = [(key(sl, sk), key(dl, dk)) for _r, sl, sk, dl, dk, _w in self.edges(rel_types)]
        nodes = [key(self.strings[row[0]], cid) for cid, row in zip(self.ids, self._nodes,
                                                                      strict=True)]
        return csr_from_edges(pairs, directed=directed, nodes=nodes)

    # -- storage ----------------------------------------------------------------------------
    @classmethod
    def build(cls, nodes: Iterable[Row], edges: Iterable[EdgeRow], *, source: str,
              key: str | None = None) -> GraphView:
        """A view of these rows; `key` defaults to a hash of their content."""
        strings: list[str] = []
        interned: dict[str, int] = {}
        digest = hashlib.sha256(json.dumps([GRAPH_VIEW_VERSION, ONTOLOGY_RELATIONS]).encode())

        def sid(value: object) -> int:
            if value is None:
                return _NONE
            text = str(value)
            got = interned.get(text)
            if got is None:
                got = interned[text] = len(strings)
                strings.append(text)
            return got

        node_rows: list[tuple[int, ...]] = []
        name_ptr, name_idx = [0], []
        for label, node_key, props in nodes:
            node_rows.append((sid(label), sid(node_key), sid(props.get("type")),
                              sid(props.get("source")), sid(props.get("name_zh") or ""),
                              sid(props.get("name_en") or "")))
            name_idx += [sid(n) for n in concept_names(props)]
            name_ptr.append(len(name_idx))
            if key is None:
                digest.update(json.dumps([label, node_key, props], sort_keys=True,
                                         default=str).encode() + b"\x1e")
        edge_rows, weights = [], []
        for rel, sl, sk, dl, dk, props in edges:
            edge_rows.append((sid(rel), sid(sl), sid(sk), sid(dl), sid(dk)))
            weights.append(edge_weight(props))
            if key is None:
                digest.update(json.dumps([rel, sl, sk, dl, dk, props], sort_keys=True,
                                         default=str).encode() + b"\x1e")
        return cls(strings, np.array(node_rows, dtype=np.int32).reshape(-1, 6),
                   np.array(name_ptr, dtype=np.int32), np.array(name_idx, dtype=np.int32),
                   np.array(edge_rows, dtype=np.int32).reshape(-1, 5),
                   np.array(weights, dtype=np.float64),
                   key=key or digest.hexdigest()[:16], source=source)

    def save(self, folder: Path) -> bool:
        def fill(tmp: Path) -> None:
            (tmp / "strings.json").write_text(json.dumps(self.strings, ensure_ascii=False),
                                              encoding="utf-8")
            np.save(tmp / "nodes.npy", np.array(self._nodes, dtype=np.int32).reshape(-1, 6))
            np.save(tmp / "name_ptr.npy", np.array(self._name_ptr, dtype=np.int32))
            np.save(tmp / "name_idx.npy", np.array(self._name_idx, dtype=np.int32))
            np.save(tmp / "edges.npy", np.array(self._edges, dtype=np.int32).reshape(-1, 5))
            np.save(tmp / "weights.npy", np.array(self._weights, dtype=np.float64))
            (tmp / "view.json").write_text(json.dumps(
                {"version": GRAPH_VIEW_VERSION, "key": self.key, "concepts": len(self)}),
                encoding="utf-8")

        return write_folder(folder, fill)

    @classmethod
    def load(cls, folder: Path, *, source: str) -> GraphView | None:
        """The view saved in `folder` (arrays memory-mapped), or None if it is not complete."""
        if not all((folder / name).is_file() for name in _FILES):
            return None
        try:
            meta = json.loads((folder / "view.json").read_text(encoding="utf-8"))
            if meta.get("version") != GRAPH_VIEW_VERSION:
                return None
            strings = json.loads((folder / "strings.json").read_text(encoding="utf-8"))
            arrays = [np.load(folder / f, mmap_mode="r") for f in _FILES[1:6]]
            return cls(strings, *arrays, key=str(meta["key"]), source=source)
        except (OSError, ValueError, KeyError):
            return None


def read_store(store: GraphStore, *, key: str | None = None) -> GraphView:
    """Read (decode) the store's concepts and ontology edges into a view."""
    nodes = ((n.label, n.key, n.props) for n in store.iter_nodes(CONCEPT))
    edges = ((e.type, e.src_label, e.src_key, e.dst_label, e.dst_key, e.props)
             for rel in ONTOLOGY_RELATIONS for e in store.iter_edges(rel))
    return GraphView.build(nodes, edges, source=f"store:{store.backend}", key=key)


_LOCK = threading.RLock()
_BY_KEY: dict[tuple[str, str], GraphView] = {}
_BY_STORE: weakref.WeakKeyDictionary[GraphStore, tuple[Hashable, GraphView]] = (
    weakref.WeakKeyDictionary())


def graph_view(store: GraphStore, *, refresh: bool = False) -> GraphView:
    """The view of the store's current ontology: built once per process per content, and
    once per machine where the store has a `derived_cache` (refresh=True re-reads the store)."""
    with _LOCK:
        revision = store.revision()
        memo = _BY_STORE.get(store)
        if memo is not None and not refresh and (revision is None or memo[0] == revision):
            return memo[1]
        source = f"store:{store.backend}"
        digest = store.raw_digest(CONCEPT, ONTOLOGY_RELATIONS)
        view = None
        if digest is not None:
            key = hashlib.sha256(json.dumps(
                [GRAPH_VIEW_VERSION, ONTOLOGY_RELATIONS, digest]).encode()).hexdigest()[:16]
            view = None if refresh else _BY_KEY.get((key, source))
            folder = (store.derived_cache / "models" / f"graph-{key}"
                      if store.derived_cache is not None else None)
            if view is None and folder is not None and not refresh:
                view = GraphView.load(folder, source=source)
            if view is None:
                view = read_store(store, key=key)
                if folder is not None:
                    view.save(folder)
        else:
            view = read_store(store)
        _BY_KEY[(view.key, source)] = view
        _BY_STORE[store] = (revision, view)
        return view
