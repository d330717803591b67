"""Embedded default store: the graph in one SQLite file under MINDKG_HOME.

Why SQLite (docs/embedded-store.md): it ships with Python, is ACID with one writer and many
readers, survives crashes, and a (label, key) / (type, ends) schema maps one-to-one onto the
property-graph model that Neo4j holds, so both stores pass the same contract tests.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kg.graph_model import (
    Edge,
    GraphDataError,
    Node,
    StoredEdge,
    StoredNode,
    WriteStats,
    check_label,
    check_rel_type,
)
from kg.private_files import private_sqlite
from kg.schema import ASSESSMENT, FEATURE_TEXT, SESSION
from kg.store.base import (
    DEFAULT_BATCH_SIZE,
    BatchCallback,
    Direction,
    GraphStore,
    StoreError,
    StoreUnavailable,
    batched,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    label  TEXT NOT NULL,
    key    TEXT NOT NULL,
    labels TEXT NOT NULL,            -- JSON list: primary label first, then extra labels
    props  TEXT NOT NULL,            -- JSON object
    PRIMARY KEY (label, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS node_labels (
    label  TEXT NOT NULL,            -- every label of the node, primary and extra
    plabel TEXT NOT NULL,
    key    TEXT NOT NULL,
    PRIMARY KEY (label, plabel, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS edges (
    type      TEXT NOT NULL,
    src_label TEXT NOT NULL,
    src_key   TEXT NOT NULL,
    dst_label TEXT NOT NULL,
    dst_key   TEXT NOT NULL,
    props     TEXT NOT NULL,
    PRIMARY KEY (src_label, src_key, type, dst_label, dst_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_by_dst ON edges (dst_label, dst_key, type);
CREATE INDEX IF NOT EXISTS edges_by_type ON edges (type);
CREATE TABLE IF NOT EXISTS digests (  -- raw_digest results, dropped by writes that touch them
    label  TEXT NOT NULL,
    rels   TEXT NOT NULL,            -- the relationship types, joined by ','
    digest TEXT NOT NULL,
    PRIMARY KEY (label, rels)
) WITHOUT ROWID;
"""


def _decode_node(label: str, key: str, labels: str, props: str) -> StoredNode:
    return StoredNode(
        label=label, key=key, labels=tuple(json.loads(labels)), props=json.loads(props)
    )


def _decode_edge(row: tuple[str, str, str, str, str, str]) -> StoredEdge:
    return StoredEdge(
        type=row[0],
        src_label=row[1],
        src_key=row[2],
        dst_label=row[3],
        dst_key=row[4],
        props=json.loads(row[5]),
    )


class SqliteGraphStore(GraphStore):
    backend = "embedded"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            private_sqlite(self.path)  # 0600 with its WAL, whatever the umask
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"cannot open embedded graph at {self.path}: {exc}") from exc
        self._lock = threading.RLock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA secure_delete=ON")  # erased students do not linger in pages

    # -- schema ---------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        with self._lock:
            self._conn.executescript(_SCHEMA)

    # -- writes ---------------------------------------------------------------------------
    def write(
        self,
        nodes: Sequence[Node],
        edges: Sequence[Edge] = (),
        *,
        replace_features_of: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_batch: BatchCallback | None = None,
    ) -> WriteStats:
        stats = WriteStats()
        node_batches = list(batched(nodes, batch_size))
        edge_batches = list(batched(edges, batch_size))
        total = len(node_batches) + len(edge_batches)
        with self._lock:
            cur = self._conn.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                self._forget_digests(cur, set(), {e.type for e in edges})
                if replace_features_of is not None:
                    stats.deleted_nodes = self._delete_features(cur, replace_features_of)
                for batch in node_batches:
                    self._merge_nodes(cur, batch)
                    stats.nodes += len(batch)
                    stats.batches += 1
                    if on_batch:
                        on_batch(stats.batches, total)
                for batch in edge_batches:
                    self._merge_edges(cur, batch)
                    stats.edges += len(batch)
                    stats.batches += 1
                    if on_batch:
                        on_batch(stats.batches, total)
                cur.execute("COMMIT")
            except BaseException as exc:
                cur.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"embedded graph write failed, nothing kept: {exc}") from exc
                raise
        return stats

    def _merge_nodes(self, cur: sqlite3.Cursor, batch: Sequence[Node]) -> None:
        touched: set[str] = set()
        for node in batch:
            row = cur.execute(
                "SELECT labels, props FROM nodes WHERE label = ? AND key = ?",
                (node.label, node.key),
            ).fetchone()
            if row is None:
                labels = [node.label, *sorted(set(node.extra_labels))]
                props = {"id": node.key, **node.props}
            else:
                old_extras = json.loads(row[0])[1:]
                labels = [node.label, *sorted({*old_extras, *node.extra_labels})]
                props = {**json.loads(row[1]), **node.props, "id": node.key}
            props = {k: v for k, v in props.items() if v is not None}
            touched.update(labels)
            cur.execute(
                "INSERT OR REPLACE INTO nodes (label, key, labels, props) VALUES (?, ?, ?, ?)",
                (
                    node.label,
                    node.key,
                    json.dumps(labels, ensure_ascii=False),
                    json.dumps(props, ensure_ascii=False, sort_keys=True),
                ),
            )
            cur.executemany(
                "INSERT OR IGNORE INTO node_labels (label, plabel, key) VALUES (?, ?, ?)",
                [(lab, node.label, node.key) for lab in labels],
            )
        self._forget_digests(cur, touched, set())

    def _merge_edges(self, cur: sqlite3.Cursor, batch: Sequence[Edge]) -> None:
        for edge in batch:
            for label, key in ((edge.src_label, edge.src_key), (edge.dst_label, edge.dst_key)):
                if (
                    cur.execute(
                        "SELECT 1 FROM nodes WHERE label = ? AND key = ?", (label, key)
                    ).fetchone()
                    is None
                ):
                    raise GraphDataError(
                        f"{edge.type} edge refers to a missing node {label}({key})"
                    )
            ident = (edge.src_label, edge.src_key, edge.type, edge.dst_label, edge.dst_key)
            row = cur.execute(
                "SELECT props FROM edges WHERE src_label = ? AND src_key = ? AND type = ? "
                "AND dst_label = ? AND dst_key = ?",
                ident,
            ).fetchone()
            props = {**(json.loads(row[0]) if row else {}), **edge.props}
            props = {k: v for k, v in props.items() if v is not None}
            cur.execute(
                "INSERT OR REPLACE INTO edges (type, src_label, src_key, dst_label, dst_key, props)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    edge.type,
                    edge.src_label,
                    edge.src_key,
                    edge.dst_label,
                    edge.dst_key,
                    json.dumps(props, ensure_ascii=False, sort_keys=True),
                ),
            )

    def _forget_digests(self, cur: sqlite3.Cursor, labels: set[str], types: set[str]) -> None:
        """Drop the cached raw digests that nodes of `labels` or edges of `types` change."""
        try:
            cached = cur.execute("SELECT label, rels FROM digests").fetchall()
        except sqlite3.OperationalError:  # a store made before digests were kept
            return
        for label, rels in cached:
            if label in labels or types & set(rels.split(",")):
                cur.execute("DELETE FROM digests WHERE label = ? AND rels = ?", (label, rels))

    def _delete_nodes(self, cur: sqlite3.Cursor, label: str, keys: Sequence[str]) -> int:
        for key in keys:
            self._forget_digests(
                cur,
                {r[0] for r in cur.execute(
                    "SELECT label FROM node_labels WHERE plabel = ? AND key = ?", (label, key))},
                {r[0] for r in cur.execute(
                    "SELECT DISTINCT type FROM edges WHERE (src_label = ? AND src_key = ?) "
                    "OR (dst_label = ? AND dst_key = ?)", (label, key, label, key))})
            cur.execute("DELETE FROM edges WHERE src_label = ? AND src_key = ?", (label, key))
            cur.execute("DELETE FROM edges WHERE dst_label = ? AND dst_key = ?", (label, key))
            cur.execute("DELETE FROM node_labels WHERE plabel = ? AND key = ?", (label, key))
            cur.execute("DELETE FROM nodes WHERE label = ? AND key = ?", (label, key))
        return len(keys)

    def _delete_features(self, cur: sqlite3.Cursor, session_key: str) -> int:
        removed = 0
        for rel, label in (("HAS_FEATURE", FEATURE_TEXT), ("HAS_ASSESSMENT", ASSESSMENT)):
            keys = [
                r[0]
                for r in cur.execute(
                    "SELECT dst_key FROM edges WHERE src_label = ? AND src_key = ? "
                    "AND type = ? AND dst_label = ?",
                    (SESSION, session_key, rel, label),
                )
            ]
            removed += self._delete_nodes(cur, label, keys)
        return removed

    def delete_student(self, student_key: str) -> int:
        with self._lock:
            cur = self._conn.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                sessions = [
                    r[0]
                    for r in cur.execute(
                        "SELECT dst_key FROM edges WHERE src_label = 'Student' AND src_key = ? "
                        "AND type = 'HAS_SESSION'",
                        (student_key,),
                    )
                ]
                removed = 0
                for session in sessions:
                    removed += self._delete_features(cur, session)
                removed += self._delete_nodes(cur, SESSION, sessions)
                removed += self._delete_nodes(cur, "Student", [student_key])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return removed

    # -- reads ----------------------------------------------------------------------------
    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return []
                raise StoreError(f"embedded graph read failed: {exc}") from exc

    def get_node(self, label: str, key: str) -> StoredNode | None:
        check_label(label)
        rows = self._query(
            "SELECT label, key, labels, props FROM nodes WHERE label = ? AND key = ?", (label, key)
        )
        if rows:
            return _decode_node(*rows[0])
        # A node can also be addressed by one of its extra labels (Concept:Emotion as Emotion).
        rows = self._query(
            "SELECT n.label, n.key, n.labels, n.props FROM node_labels l JOIN nodes n "
            "ON n.label = l.plabel AND n.key = l.key WHERE l.label = ? AND l.key = ? LIMIT 1",
            (label, key),
        )
        return _decode_node(*rows[0]) if rows else None

    def find_nodes(
        self, label: str, where: dict[str, Any] | None = None, limit: int | None = None
    ) -> list[StoredNode]:
        check_label(label)
        sql = (
            "SELECT n.label, n.key, n.labels, n.props FROM node_labels l JOIN nodes n "
            "ON n.label = l.plabel AND n.key = l.key WHERE l.label = ?"
        )
        params: list[Any] = [label]
        for name, value in (where or {}).items():
            if not name.isidentifier():
                raise GraphDataError(f"property name {name!r} is not an identifier")
            sql += f" AND json_extract(n.props, '$.{name}') = ?"
            params.append(value if not isinstance(value, bool) else int(value))
        sql += " ORDER BY n.key"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [_decode_node(*r) for r in self._query(sql, params)]

    def edges(
        self,
        label: str,
        key: str,
        rel_type: str | None = None,
        direction: Direction = "out",
    ) -> list[StoredEdge]:
        check_label(label)
        node = self.get_node(label, key)
        if node is None:
            return []
        label = node.label
        cols = "type, src_label, src_key, dst_label, dst_key, props"
        found: list[StoredEdge] = []
        type_sql = ""
        extra: list[Any] = []
        if rel_type is not None:
            check_rel_type(rel_type)
            type_sql = " AND type = ?"
            extra = [rel_type]
        if direction in ("out", "both"):
            found += [
                _decode_edge(r)
                for r in self._query(
                    f"SELECT {cols} FROM edges WHERE src_label = ? AND src_key = ?{type_sql}",
                    [label, key, *extra],
                )
            ]
        if direction in ("in", "both"):
            found += [
                _decode_edge(r)
                for r in self._query(
                    f"SELECT {cols} FROM edges WHERE dst_label = ? AND dst_key = ?{type_sql}",
                    [label, key, *extra],
                )
            ]

        def other(e: StoredEdge) -> tuple[str, str, str]:
            if e.src_label == label and e.src_key == key:
                return (e.type, e.dst_label, e.dst_key)
            return (e.type, e.src_label, e.src_key)

        return sorted(found, key=other)

    def iter_nodes(self, label: str | None = None) -> Iterator[StoredNode]:
        if label is None:
            rows = self._query("SELECT label, key, labels, props FROM nodes ORDER BY label, key")
            yield from (_decode_node(*r) for r in rows)
        else:
            yield from self.find_nodes(label)

    def iter_edges(self, rel_type: str | None = None) -> Iterator[StoredEdge]:
        cols = "type, src_label, src_key, dst_label, dst_key, props"
        order = " ORDER BY type, src_label, src_key, dst_label, dst_key"
        if rel_type is None:
            rows = self._query(f"SELECT {cols} FROM edges{order}")
        else:
            check_rel_type(rel_type)
            rows = self._query(f"SELECT {cols} FROM edges WHERE type = ?{order}", [rel_type])
        yield from (_decode_edge(r) for r in rows)

    def revision(self) -> tuple[int, int]:
        """(changes committed by other connections, rows changed by this one)."""
        with self._lock:
            (version,) = self._conn.execute("PRAGMA data_version").fetchone()
            return int(version), self._conn.total_changes

    def raw_digest(self, label: str, rel_types: Sequence[str]) -> str:
        """Kept in the `digests` table until a write touches `label` nodes or `rel_types`
        edges: computed (in a write transaction, so no write slips in between) at most once
        per change, read back by every later process."""
        check_label(label)
        for rel_type in rel_types:
            check_rel_type(rel_type)
        rels = ",".join(rel_types)
        found = self._query("SELECT digest FROM digests WHERE label = ? AND rels = ?",
                            (label, rels))
        if found:
            return str(found[0][0])
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # read-only or busy: compute without keeping it
                return self._compute_digest(label, rel_types)
            try:
                digest = self._compute_digest(label, rel_types)
                self._conn.execute(
                    "INSERT OR REPLACE INTO digests (label, rels, digest) VALUES (?, ?, ?)",
                    (label, rels, digest))
                self._conn.execute("COMMIT")
            except sqlite3.Error:
                self._conn.execute("ROLLBACK")
                digest = self._compute_digest(label, rel_types)
        return digest

    def _compute_digest(self, label: str, rel_types: Sequence[str]) -> str:
        h = hashlib.sha256()
        rows = self._query(
            "SELECT n.label, n.key, n.labels, n.props FROM node_labels l JOIN nodes n "
            "ON n.label = l.plabel AND n.key = l.key WHERE l.label = ? ORDER BY n.key", (label,))
        h.update("\x1e".join("\x1f".join(r) for r in rows).encode())
        marks = ", ".join("?" * len(rel_types))
        rows = self._query(
            "SELECT type, src_label, src_key, dst_label, dst_key, props FROM edges "
            f"WHERE type IN ({marks}) ORDER BY type, src_label, src_key, dst_label, dst_key",
            list(rel_types))
        h.update(b"\x00" + "\x1e".join("\x1f".join(r) for r in rows).encode())
        return h.hexdigest()

    def count_by_label(self) -> dict[str, int]:
        rows = self._query("SELECT label, COUNT(*) FROM node_labels GROUP BY label ORDER BY label")
        return {r[0]: int(r[1]) for r in rows}

    def count_by_type(self) -> dict[str, int]:
        rows = self._query("SELECT type, COUNT(*) FROM edges GROUP BY type ORDER BY type")
        return {r[0]: int(r[1]) for r in rows}

    def ping(self) -> None:
        try:
            with self._lock:
                self._conn.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"embedded graph at {self.path} unusable: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()
