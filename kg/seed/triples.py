"""Subject/predicate/object triples -> Concept nodes and typed edges, with provenance.

Every OpenKG-style source (an RDF dump, a TSV of triples, the CMeKG pickle) goes through this
one conversion so that predicate mapping, node typing and provenance work the same for all.
The predicate -> relationship mapping is plain data (a dict) so users can supply their own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote

from kg.schema import CONCEPT_TYPES, RELATIONSHIP_TYPES
from kg.seed.records import SeedError, SeedGraph, SourceInfo

_V = TypeVar("_V")

_CJK = re.compile(r"[\u3400-\u9fff]")
FALLBACK_REL = "RELATED_TO"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def local_name(uri: str) -> str:
    """The readable end of a URI (`http://x/ont#抑郁症` -> `抑郁症`), percent-decoded."""
    text = unquote(uri.rstrip("/#"))
    for sep in ("#", "/", ":"):
        if sep in text:
            return text.rsplit(sep, 1)[1]
    return text


def _lookup(table: Mapping[str, _V], predicate: str) -> _V | None:
    """Mappings may name a predicate by its full URI or by its local name."""
    if predicate in table:
        return table[predicate]
    return table.get(local_name(predicate)) if "/" in predicate else None


@dataclass(frozen=True)
class PredicateRule:
    """How one source predicate becomes an edge.

    reverse: the edge runs object -> subject (e.g. "A 并发症 B" is stored as B COMPLICATION_OF A);
    object_type / subject_type: the concept type this predicate gives its ends (a node reached by
    several predicates takes the type earliest in `TripleMapping.type_priority`).
    """

    rel_type: str
    reverse: bool = False
    object_type: str | None = None
    subject_type: str | None = None
    props: Mapping[str, str | bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rel_type not in RELATIONSHIP_TYPES:
            raise SeedError(f"predicate rule: unknown relationship type {self.rel_type!r}")
        for t in (self.object_type, self.subject_type):
            if t is not None and t not in CONCEPT_TYPES:
                raise SeedError(f"predicate rule: unknown concept type {t!r}")


@dataclass(frozen=True)
class Triple:
    subject: str
    predicate: str
    object: str
    object_is_literal: bool = False
    lang: str = ""


@dataclass(frozen=True)
class TripleMapping:
    """Configuration of one import: id namespace, predicate rules and attribute predicates.

    predicates: source predicate -> PredicateRule (or just a relationship type name);
    unknown predicates become RELATED_TO edges with a `predicate` property.
    attributes: predicate -> node property: `name_zh`, `name_en`, `aliases` or any other name
    (stored as a list of strings). Literal objects of unmapped predicates are stored the same
    way under a property derived from the predicate.
    """

    namespace: str
    predicates: Mapping[str, PredicateRule | str] = field(default_factory=dict)
    attributes: Mapping[str, str] = field(default_factory=dict)
    # rdf:type objects (local names) that set a concept type instead of making an IS_A edge
    classes: Mapping[str, str] = field(default_factory=lambda: {t: t for t in CONCEPT_TYPES})
    default_type: str = "Other"
    type_priority: tuple[str, ...] = (
        "Disorder",
        "Symptom",
        "Sign",
        "Scale",
        "Examination",
        "Drug",
        "Treatment",
        "Complication",
        "Other",
    )

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", self.namespace):
            raise SeedError(f"namespace must be lower-case ASCII, got {self.namespace!r}")
        if self.default_type not in CONCEPT_TYPES:
            raise SeedError(f"unknown default concept type {self.default_type!r}")

    def rule(self, predicate: str) -> PredicateRule | None:
        rule = _lookup(self.predicates, predicate)
        if isinstance(rule, str):
            return PredicateRule(rule)
        return rule

    def concept_id(self, local: str) -> str:
        local = local.strip()
        if not local:
            raise SeedError("empty subject/object in a triple")
        return f"{self.namespace}:{local}"


def _prop_name(predicate: str) -> str:
    """A Neo4j-safe property name for a literal-valued predicate we have no mapping for."""
    ascii_part = re.sub(r"[^A-Za-z0-9_]", "_", predicate).strip("_")
    if ascii_part and ascii_part[0].isalpha():
        return f"attr_{ascii_part}"[:63]
    return f"attr_{hashlib.sha1(predicate.encode()).hexdigest()[:10]}"


def _rank(mapping: TripleMapping, type_: str) -> int:
    order = mapping.type_priority
    return order.index(type_) if type_ in order else len(order)


def triples_to_seed(
    triples: Iterable[Triple],
    mapping: TripleMapping,
    source: SourceInfo,
    *,
    types: Mapping[str, str] | None = None,
    seed: SeedGraph | None = None,
    extra_props: Mapping[str, Mapping[str, Any]] | None = None,
) -> SeedGraph:
    """Convert triples; `types` fixes the concept type of given local names (e.g. seeds) and
    `extra_props` adds properties to given local names (e.g. the traversal hop)."""
    seed = SeedGraph() if seed is None else seed
    attrs: dict[str, dict[str, list[str]]] = {}
    chosen: dict[str, str] = {}
    relations: list[tuple[str, str, str, PredicateRule, bool]] = []
    known: set[str] = set()

    def vote(local: str, type_: str | None) -> None:
        known.add(local)
        if type_ is None:
            return
        if local not in chosen or _rank(mapping, type_) < _rank(mapping, chosen[local]):
            chosen[local] = type_

    for t in triples:
        vote(t.subject, None)
        if t.predicate == RDF_TYPE and not t.object_is_literal:
            cls = _lookup(mapping.classes, t.object)
            if cls is not None:
                vote(t.subject, cls)
                continue
        prop = _lookup(mapping.attributes, t.predicate)
        if prop is None and t.object_is_literal:
            prop = _prop_name(t.predicate)
        if prop is not None:
            if prop == "name_zh" and t.lang.startswith("en"):
                prop = "name_en"
            elif prop == "name_en" and t.lang.startswith("zh"):
                prop = "name_zh"
            attrs.setdefault(t.subject, {}).setdefault(prop, []).append(t.object)
            continue
        rule = mapping.rule(t.predicate)
        mapped = rule is not None
        if rule is None:
            rule = PredicateRule("IS_A" if t.predicate == RDF_TYPE else FALLBACK_REL)
        vote(t.subject, rule.subject_type)
        vote(t.object, rule.object_type)
        relations.append((t.subject, t.predicate, t.object, rule, mapped))

    for local, type_ in (types or {}).items():
        if local in known:
            chosen[local] = type_
    for local in sorted(known):
        a = attrs.get(local, {})
        is_zh = bool(_CJK.search(local))
        name_zh = (a.get("name_zh") or [local if is_zh else ""])[0]
        name_en = (a.get("name_en") or ["" if is_zh else local])[0]
        extra: dict[str, Any] = {
            k: list(dict.fromkeys(v))
            for k, v in a.items()
            if k not in ("name_zh", "name_en", "aliases")
        }
        aliases = [*a.get("name_zh", [])[1:], *a.get("name_en", [])[1:], *a.get("aliases", [])]
        extra.update((extra_props or {}).get(local, {}))
        seed.add_concept(
            mapping.concept_id(local),
            chosen.get(local, mapping.default_type),
            name_zh=name_zh,
            name_en=name_en,
            source=source,
            aliases=aliases,
            props=extra,
        )
    for subj, pred, obj, rule, mapped in relations:
        src, dst = mapping.concept_id(subj), mapping.concept_id(obj)
        if rule.reverse:
            src, dst = dst, src
        props: dict[str, str | bool] = {"predicate": pred, **rule.props}
        if not mapped:
            props["mapped"] = False
        seed.add_edge(rule.rel_type, src, dst, props, source=source)
    return seed
