"""A read-only, in-memory view of the ontology part of the knowledge graph.

Fusion (spreading activation) and the decoder (constraints, evidence paths) walk the ontology
thousands of times per cohort; one pass over the store into adjacency lists keeps that cheap and
makes both backends behave identically. Without a store, the curated ontology (kg/seed/curated,
no CMeKG) is built in memory and the view says so in `source`, so callers can report it.
"""

from __future__ import annotations

import weakref
from collections import deque
from dataclasses import dataclass, field

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

    def has(self, concept_id: str) -> bool:
        return concept_id in self.names

    def name(self, concept_id: str) -> tuple[str, str]:
        """(zh, en); English falls back to zh and then to the id, never empty."""
        zh, en = self.names[concept_id]
        return (zh or en or concept_id, en or zh or concept_id)

    def add_edge(self, rel: str, src: str, dst: str, weight: float) -> None:
        self.out.setdefault(src, []).append((rel, dst, weight))

    def path(self, src: str, targets: set[str], max_hops: int = 4) -> list[str] | None:
        """Shortest directed path src -> any target over ontology edges (None if none)."""
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


def _edge_weight(props: dict[str, object]) -> float:
    w = props.get("weight")
    return float(w) if isinstance(w, int | float) and w > 0 else 1.0


_CACHE: weakref.WeakKeyDictionary[GraphStore, OntologyView] = weakref.WeakKeyDictionary()
_CURATED: list[OntologyView] = []


def view_from_store(store: GraphStore, *, refresh: bool = False) -> OntologyView:
    """The store's concepts and ontology edges, cached per store object (refresh=True reloads)."""
    if not refresh and store in _CACHE:
        return _CACHE[store]
    view = OntologyView(names={}, types={}, source=f"store:{store.backend}")
    for node in store.iter_nodes(CONCEPT):
        props = node.props
        view.names[node.key] = (str(props.get("name_zh") or ""), str(props.get("name_en") or ""))
        view.types[node.key] = str(props.get("type") or "")
    for rel in ONTOLOGY_TYPES:
        for edge in store.iter_edges(rel):
            if edge.src_key in view.names and edge.dst_key in view.names:
                view.add_edge(rel, edge.src_key, edge.dst_key, _edge_weight(edge.props))
    _CACHE[store] = view
    return view


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
    view = OntologyView(names={}, types={}, source="curated-ontology (no store)")
    for cid in seed.concept_ids():
        c = seed.concept(cid)
        view.names[cid] = (str(c.get("name_zh") or ""), str(c.get("name_en") or ""))
        view.types[cid] = seed.concept_type(cid)
    for edge in seed.edges():
        if edge.type in ONTOLOGY_TYPES and edge.src_key in view.names and edge.dst_key in view.names:
            view.add_edge(edge.type, edge.src_key, edge.dst_key, _edge_weight(dict(edge.props)))
    _CURATED.append(view)
    return view


# Concepts the decoder must be able to name; a store without them has not been seeded.
REQUIRED_CONCEPTS: tuple[str, ...] = (
    "valence:positive", "valence:negative", "valence:neutral", "emotion:surprise",
    "severity:none", "severity:mild", "severity:moderate", "severity:severe",
    "risk:none", "risk:low", "risk:moderate", "risk:high",
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
