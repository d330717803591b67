"""The GraphStore interface shared by the Neo4j and embedded backends.

Both are exercised by the same contract tests (tests/contract/). Writes are all-or-nothing:
one `write` call is one transaction, which is how one session ingest stays atomic.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from kg.graph_model import Edge, Node, StoredEdge, StoredNode, WriteStats

Direction = Literal["out", "in", "both"]
# Called after each committed-to-transaction batch with (batches done, batches total).
BatchCallback = Callable[[int, int], None]

DEFAULT_BATCH_SIZE = 1000


class StoreError(RuntimeError):
    """The store failed; nothing of the failed write is kept."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (server down, wrong credentials): callers may retry."""


class GraphStore(ABC):
    backend: str
    # Where artefacts derived from the store's ontology may be cached on disk (kg.graph_view):
    # set by `open_store` to the settings' cache home; None keeps them in memory only.
    derived_cache: Path | None = None

    def revision(self) -> Hashable | None:
        """A token that changes whenever the content may have changed (None: cannot tell)."""
        return None

    def raw_digest(self, label: str, rel_types: Sequence[str]) -> str | None:
        """A hash of the stored `label` nodes and `rel_types` edges, computed without decoding
        them; None when the backend cannot do that cheaply."""
        return None

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create uniqueness constraints and indexes; idempotent, run before any MERGE."""

    @abstractmethod
    def write(
        self,
        nodes: Sequence[Node],
        edges: Sequence[Edge] = (),
        *,
        replace_features_of: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_batch: BatchCallback | None = None,
    ) -> WriteStats:
        """Merge nodes (on label+key) then edges (on type+ends) in ONE transaction.

        replace_features_of: a Session key whose FeatureText and Assessment nodes (with their
        relationships) are removed first in the same transaction, so re-analysing a session replaces its
        observations instead of piling up stale ones. Edges whose ends do not exist make the
        whole write fail.
        """

    @abstractmethod
    def get_node(self, label: str, key: str) -> StoredNode | None: ...

    @abstractmethod
    def find_nodes(
        self, label: str, where: dict[str, Any] | None = None, limit: int | None = None
    ) -> list[StoredNode]:
        """Nodes with `label` whose properties equal every entry of `where`, ordered by key."""

    @abstractmethod
    def edges(
        self,
        label: str,
        key: str,
        rel_type: str | None = None,
        direction: Direction = "out",
    ) -> list[StoredEdge]:
        """Relationships touching one node, ordered by (type, other end)."""

    @abstractmethod
    def iter_nodes(self, label: str | None = None) -> Iterator[StoredNode]: ...

    @abstractmethod
    def iter_edges(self, rel_type: str | None = None) -> Iterator[StoredEdge]: ...

    @abstractmethod
    def count_by_label(self) -> dict[str, int]:
        """Nodes per label, counting extra labels too (a Concept:Emotion counts for both)."""

    @abstractmethod
    def count_by_type(self) -> dict[str, int]: ...

    @abstractmethod
    def delete_student(self, student_key: str) -> int:
        """Remove a student with their sessions, feature texts and assessments (erasure)."""

    @abstractmethod
    def ping(self) -> None:
        """Raise StoreUnavailable if the store cannot serve requests."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
