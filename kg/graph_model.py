"""Backend-neutral graph records written and read by every GraphStore.

Property values are restricted to what Neo4j can store natively (scalars and homogeneous
lists of scalars) so that both backends hold exactly the same data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kg.schema import LABELS, RELATIONSHIP_TYPES

PropValue = str | int | float | bool | list[str] | list[int] | list[float] | list[bool] | None
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


class GraphDataError(ValueError):
    """A record that no store should accept (unknown label, bad property value)."""


def check_label(label: str) -> str:
    """Labels and types are spliced into Cypher (they cannot be parameters): whitelist them."""
    if label not in LABELS:
        raise GraphDataError(f"unknown node label {label!r}; known: {sorted(LABELS)}")
    return label


def check_rel_type(rel_type: str) -> str:
    if rel_type not in RELATIONSHIP_TYPES:
        raise GraphDataError(
            f"unknown relationship type {rel_type!r}; known: {sorted(RELATIONSHIP_TYPES)}"
        )
    return rel_type


def check_props(props: Mapping[str, Any], where: str) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in props.items():
        if not _IDENTIFIER.match(name):
            raise GraphDataError(f"{where}: property name {name!r} is not an identifier")
        if isinstance(value, list | tuple):
            kinds = {type(v) for v in value}
            if len(kinds) > 1 or not kinds <= {str, int, float, bool}:
                raise GraphDataError(
                    f"{where}: property {name!r} must be a list of one scalar type"
                )
            clean[name] = list(value)
        elif value is None or isinstance(value, str | int | float | bool):
            clean[name] = value
        else:
            raise GraphDataError(
                f"{where}: property {name!r} has type {type(value).__name__}; "
                "serialise nested values to JSON first"
            )
    return clean


@dataclass(frozen=True)
class Node:
    """A node keyed by (label, key); extra_labels add types such as Concept:Emotion."""

    label: str
    key: str
    props: Mapping[str, Any] = field(default_factory=dict)
    extra_labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_label(self.label)
        for extra in self.extra_labels:
            check_label(extra)
        if not self.key:
            raise GraphDataError(f"{self.label} node needs a non-empty key")
        object.__setattr__(self, "props", check_props(self.props, f"{self.label}({self.key})"))


@dataclass(frozen=True)
class Edge:
    """A relationship, merged on (type, source, target): at most one per type and pair."""

    type: str
    src_label: str
    src_key: str
    dst_label: str
    dst_key: str
    props: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_rel_type(self.type)
        check_label(self.src_label)
        check_label(self.dst_label)
        where = (
            f"({self.src_label} {self.src_key})-[{self.type}]->({self.dst_label} {self.dst_key})"
        )
        object.__setattr__(self, "props", check_props(self.props, where))


@dataclass(frozen=True)
class StoredNode:
    label: str
    key: str
    labels: tuple[str, ...]
    props: dict[str, Any]


@dataclass(frozen=True)
class StoredEdge:
    type: str
    src_label: str
    src_key: str
    dst_label: str
    dst_key: str
    props: dict[str, Any]


@dataclass
class WriteStats:
    nodes: int = 0
    edges: int = 0
    deleted_nodes: int = 0
    batches: int = 0
