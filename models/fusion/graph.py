"""Fusion's projection of the one graph read model (kg.graph_view): the ontology as names and
typed, weighted out-edges.

Fusion (spreading activation) and the decoder (constraints, evidence paths) walk the ontology
thousands of times per cohort; adjacency lists keep that cheap and make both backends behave
identically. They are projected from the same `GraphView` the aligner and the joint space read
(built once per process per store content), never read from the store again. Without a store,
the curated ontology (kg/seed/curated, no CMeKG) is built in memory and the view says so in
`source`, so callers can report it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from contracts.vocabulary import (
    GENERAL_LEVELS,
    RISK_LEVELS,
    emotion_id,
    general_level_id,
    risk_id,
    valence_id,
)
from kg.graph_view import GraphView, graph_view
from kg.schema import CONCEPT
from kg.store.base import GraphStore

# Relationship types that carry evidence towards states; session-data types are excluded.
ONTOLOGY_TYPES: tuple[str, ...] = (
    "INDICATES",
    "IS_A",
    "ASSESSES",
    "SIGNALS_RISK",
    "HAS_SEVERITY",
    "HAS_SYMPTOM",
    "SYNONYM_OF",
    "RELATED_TO",
    "MEASURED_BY",
    "HAS_ITEM",
)


@dataclass
class OntologyView:
    """Concept names and typed, weighted out-edges; `source` tells where they came from."""

    names: dict[str, tuple[str, str]]
    types: dict[str, str]
    out: dict[str, list[tuple[str, str, float]]] = field(default_factory=dict)
    source: str = ""
    # path() answers, per view: the decoder asks the same few (concept, claim) pairs on every
    # request, and on a seeded graph each search walks thousands of nodes
    _paths: dict[tuple[str, frozenset[str], int], tuple[str, ...] | None] = field(
        default_factory=dict, repr=False, compare=False)
    # weighted_out() answers: spreading activation asks them for hundreds of nodes a request
    _weighted: dict[str, tuple[float, tuple[tuple[str, float], ...]]] = field(
        default_factory=dict, repr=False, compare=False)

    def has(self, concept_id: str) -> bool:
        return concept_id in self.names

    def name(self, concept_id: str) -> tuple[str, str]:
        """(zh, en); English falls back to zh and then to the id, never empty."""
        zh, en = self.names[concept_id]
        return (zh or en or concept_id, en or zh or concept_id)

    def add_edge(self, rel: str, src: str, dst: str, weight: float) -> None:
        self.out.setdefault(src, []).append((rel, dst, weight))
        self._paths.clear()
        self._weighted.clear()

    def weighted_out(self, node: str) -> tuple[float, tuple[tuple[str, float], ...]]:
        """(the sum of the weights, (target, weight) per edge) of the node's out-edges."""
        found = self._weighted.get(node)
        if found is None:
            edges = self.out.get(node, ())
            found = (sum(w for _r, _d, w in edges), tuple((d, w) for _r, d, w in edges))
            self._weighted[node] = found
        return found

    def path(self, src: str, targets: set[str], max_hops: int = 4) -> list[str] | None:
        """Shortest directed path src -> any target over ontology edges (None if none)."""
        key = (src, frozenset(targets), max_hops)
        try:
            found = self._paths[key]
        except KeyError:  # not asked yet (request threads share the view: no check-then-get)
            pass
        else:
            return list(found) if found is not None else None
        chain = self._search(src, targets, max_hops)
        if len(self._paths) >= _MAX_PATHS:
            self._paths.clear()
        self._paths[key] = tuple(chain) if chain is not None else None
        return chain

    def _search(self, src: str, targets: set[str], max_hops: int) -> list[str] | None:
        if src in targets:
            return [src]
        prev: dict[str, str] = {src: src}
        queue: deque[tuple[str, int]] = deque([(src, 0)])
        while queue:
            node, depth = queue.popleft()
            if depth >= max_hops:
                continue
            for _rel, dst, _w in self.out.get(node, ()):
                if dst in prev:
                    continue
                prev[dst] = node
                if dst in targets:
                    chain = [dst]
                    while chain[-1] != src:
                        chain.append(prev[chain[-1]])
                    return chain[::-1]
                queue.append((dst, depth + 1))
        return None


_MAX_PATHS = 100_000
_VIEWS: dict[tuple[str, str], OntologyView] = {}
_CURATED: list[OntologyView] = []


def view_of(graph: GraphView) -> OntologyView:
    """The ontology projection of a graph view, made once per view."""
    memo = (graph.key, graph.source)
    if memo not in _VIEWS:
        _VIEWS[memo] = OntologyView(names=graph.names, types=graph.types,
                                    out=graph.adjacency(ONTOLOGY_TYPES), source=graph.source)
    return _VIEWS[memo]


def view_from_store(store: GraphStore, *, refresh: bool = False) -> OntologyView:
    """The store's concepts and ontology edges (refresh=True re-reads the store)."""
    return view_of(graph_view(store, refresh=refresh))


def curated_view() -> OntologyView:
    """The curated ontology without CMeKG or Cilin, built once per process (no store needed)."""
    if _CURATED:
        return _CURATED[0]
    from kg.seed.curated import add_emotions, add_facs, add_scales_and_symptoms, add_speech
    from kg.seed.records import SeedGraph

    seed = SeedGraph()
    # Order matters: FACS adds INDICATES edges to symptoms, so symptoms must exist first.
    add_scales_and_symptoms(seed)
    add_emotions(seed)
    add_speech(seed)
    add_facs(seed)
    graph = GraphView.build(
        ((CONCEPT, cid, {**seed.concept(cid), "type": seed.concept_type(cid)})
         for cid in seed.concept_ids()),
        ((e.type, e.src_label, e.src_key, e.dst_label, e.dst_key, e.props)
         for e in seed.edges() if e.type in ONTOLOGY_TYPES),
        source="curated-ontology (no store)")
    _CURATED.append(view_of(graph))
    return _CURATED[0]


# Concepts the decoder must be able to name; a store without them has not been seeded.
REQUIRED_CONCEPTS: tuple[str, ...] = (
    *(valence_id(v) for v in ("positive", "negative", "neutral")), emotion_id("surprise"),
    *(general_level_id(level) for level in GENERAL_LEVELS),
    *(risk_id(level) for level in RISK_LEVELS),
)


def ontology_view(store: GraphStore | None) -> OntologyView:
    """The store's ontology, or the curated one (reported in `source`) when there is no store
    or the store lacks the state concepts (not seeded yet)."""
    if store is None:
        return curated_view()
    view = view_from_store(store)
    lacking = [c for c in REQUIRED_CONCEPTS if not view.has(c)]
    if not lacking:
        return view
    curated = curated_view()
    return OntologyView(
        names=curated.names, types=curated.types, out=curated.out,
        source=f"curated-ontology (store:{store.backend} lacks {len(lacking)} state concepts, "
        f"e.g. {lacking[0]}; run `mindkg kg seed`)",
    )
