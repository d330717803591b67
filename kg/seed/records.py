"""SeedGraph: an in-memory set of Concept/Source nodes and edges, merged by id before loading.

Several sources describe the same concept (CMeKG and the curated ontology both know 抑郁症), so
nodes are merged here on their id: the first type wins, names fill in where empty, aliases are
united. Edges are merged on (type, src, dst) exactly like the stores do, so what the seed counts
is what a store will hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kg.graph_model import Edge, GraphDataError, Node
from kg.schema import CONCEPT, CONCEPT_TYPES, SOURCE


class SeedError(ValueError):
    """Seed data that cannot be turned into a graph (bad source file, dangling edge, ...)."""


@dataclass(frozen=True)
class SourceInfo:
    """Provenance of imported knowledge: becomes a Source node and FROM_SOURCE edges."""

    id: str
    name: str
    version: str
    licence: str = ""
    url: str = ""
    description: str = ""

    def node(self) -> Node:
        if not self.id.startswith("source:"):
            raise SeedError(f"source ids start with 'source:', got {self.id!r}")
        return Node(
            SOURCE,
            self.id,
            {
                "name": self.name,
                "version": self.version,
                "licence": self.licence,
                "url": self.url,
                "description": self.description,
            },
        )


@dataclass
class _ConceptDraft:
    type: str
    props: dict[str, Any]
    aliases: list[str]


@dataclass
class SeedGraph:
    """Nodes and edges of a seed, keyed for merging; `nodes()`/`edges()` give store records."""

    _concepts: dict[str, _ConceptDraft] = field(default_factory=dict)
    _sources: dict[str, Node] = field(default_factory=dict)
    _edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)

    # -- building -------------------------------------------------------------------------
    def add_source(self, source: SourceInfo) -> None:
        self._sources[source.id] = source.node()

    def add_concept(
        self,
        concept_id: str,
        type_: str,
        *,
        name_zh: str,
        name_en: str,
        source: SourceInfo,
        aliases: Iterable[str] = (),
        props: Mapping[str, Any] | None = None,
    ) -> None:
        """Add or merge a Concept; also records provenance (Source node + FROM_SOURCE edge)."""
        if type_ not in CONCEPT_TYPES:
            raise SeedError(f"{concept_id}: unknown concept type {type_!r}")
        if ":" not in concept_id or not concept_id.split(":", 1)[1]:
            raise SeedError(f"concept ids are 'namespace:local', got {concept_id!r}")
        self.add_source(source)
        alias_list = [a for a in dict.fromkeys(aliases) if a]
        draft = self._concepts.get(concept_id)
        if draft is None:
            base = {
                "name_zh": name_zh,
                "name_en": name_en,
                "type": type_,
                "source": source.id,
                "source_version": source.version,
            }
            base.update(props or {})
            self._concepts[concept_id] = _ConceptDraft(type_, base, alias_list)
        else:
            for key, value in (("name_zh", name_zh), ("name_en", name_en)):
                if value and not draft.props.get(key):
                    draft.props[key] = value
            for key, value in (props or {}).items():
                draft.props.setdefault(key, value)
            draft.aliases.extend(a for a in alias_list if a not in draft.aliases)
        self.add_edge("FROM_SOURCE", concept_id, source.id, source=source, dst_label=SOURCE)

    def add_edge(
        self,
        rel_type: str,
        src: str,
        dst: str,
        props: Mapping[str, Any] | None = None,
        *,
        source: SourceInfo,
        src_label: str = CONCEPT,
        dst_label: str = CONCEPT,
    ) -> None:
        """Add an edge stamped with its provenance; a repeated (type, src, dst) keeps the first."""
        if src == dst:
            return
        key = (rel_type, src, dst)
        if key not in self._edges:
            full = {**(props or {}), "source": source.id, "source_version": source.version}
            try:
                self._edges[key] = Edge(rel_type, src_label, src, dst_label, dst, full)
            except GraphDataError as exc:
                raise SeedError(str(exc)) from exc

    def merge(self, other: SeedGraph) -> None:
        """Fold another seed into this one (this one's values win on conflicts)."""
        self._sources.update({k: v for k, v in other._sources.items() if k not in self._sources})
        for cid, draft in other._concepts.items():
            mine = self._concepts.get(cid)
            if mine is None:
                self._concepts[cid] = _ConceptDraft(
                    draft.type, dict(draft.props), list(draft.aliases)
                )
                continue
            for key, value in draft.props.items():
                if value not in ("", None) and mine.props.get(key) in ("", None):
                    mine.props[key] = value
            mine.aliases.extend(a for a in draft.aliases if a not in mine.aliases)
        for ident, edge in other._edges.items():
            self._edges.setdefault(ident, edge)

    # -- reading --------------------------------------------------------------------------
    def has_concept(self, concept_id: str) -> bool:
        return concept_id in self._concepts

    def concept(self, concept_id: str) -> dict[str, Any]:
        draft = self._concepts[concept_id]
        return {**draft.props, "aliases": list(draft.aliases)}

    def concept_ids(self, type_: str | None = None) -> list[str]:
        return [c for c, d in self._concepts.items() if type_ is None or d.type == type_]

    def concept_type(self, concept_id: str) -> str:
        return self._concepts[concept_id].type

    def nodes(self) -> list[Node]:
        out = list(self._sources.values())
        for cid, draft in self._concepts.items():
            props = dict(draft.props)
            props["aliases"] = [a for a in draft.aliases if a not in (props["name_zh"], "")]
            out.append(Node(CONCEPT, cid, props, extra_labels=(draft.type,)))
        return out

    def edges(self) -> list[Edge]:
        return list(self._edges.values())

    def counts(self) -> dict[str, int]:
        """Nodes per label (extra labels too, as GraphStore.count_by_label counts them)."""
        counts: Counter[str] = Counter()
        counts[SOURCE] = len(self._sources)
        counts[CONCEPT] = len(self._concepts)
        counts.update(d.type for d in self._concepts.values())
        return dict(sorted(counts.items()))

    def edge_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(e.type for e in self._edges.values()).items()))

    def dangling_edges(self) -> list[Edge]:
        """Edges whose ends are not nodes of this seed (a store would reject the write)."""
        keys = {(n.label, n.key) for n in self.nodes()}
        return [
            e
            for e in self._edges.values()
            if (e.src_label, e.src_key) not in keys or (e.dst_label, e.dst_key) not in keys
        ]

    def check(self) -> None:
        dangling = self.dangling_edges()
        if dangling:
            sample = ", ".join(f"{e.src_key}-[{e.type}]->{e.dst_key}" for e in dangling[:5])
            raise SeedError(f"{len(dangling)} edges point at missing nodes, e.g. {sample}")
