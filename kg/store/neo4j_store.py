"""Neo4j store: the system of record that psychologists browse in Neo4j Browser.

Parameterized Cypher only; labels and types (which Cypher cannot take as parameters) come
from the schema whitelist. Writes are `UNWIND $rows` batches inside ONE explicit transaction,
so a dropped connection or a bad row leaves nothing behind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from kg.cypher_files import schema_statements
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
from kg.schema import ASSESSMENT, CORE_LABELS, FEATURE_TEXT, SESSION
from kg.store.base import (
    DEFAULT_BATCH_SIZE,
    BatchCallback,
    Direction,
    GraphStore,
    StoreError,
    StoreUnavailable,
    batched,
)
from neo4j import Driver, GraphDatabase, ManagedTransaction, Session

_UNAVAILABLE = (ServiceUnavailable, SessionExpired, ConnectionError, OSError)


def _split_labels(labels: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    core = [lab for lab in labels if lab in CORE_LABELS]
    primary = core[0] if core else sorted(labels)[0]
    return primary, tuple(sorted(lab for lab in labels if lab != primary))


def _stored_node(labels: Sequence[str], props: dict[str, Any]) -> StoredNode:
    primary, extras = _split_labels(labels)
    return StoredNode(label=primary, key=str(props["id"]), labels=(primary, *extras), props=props)


def _stored_edge(record: Any) -> StoredEdge:
    src_label, _ = _split_labels(record["src_labels"])
    dst_label, _ = _split_labels(record["dst_labels"])
    return StoredEdge(
        type=record["type"],
        src_label=src_label,
        src_key=record["src"],
        dst_label=dst_label,
        dst_key=record["dst"],
        props=dict(record["props"]),
    )


def _merge_nodes_query(label: str, extras: tuple[str, ...]) -> str:
    set_labels = "".join(f"\nSET n:`{check_label(x)}`" for x in extras)
    return (
        f"UNWIND $rows AS row\nMERGE (n:`{check_label(label)}` {{id: row.id}})\n"
        f"SET n += row.props{set_labels}\nRETURN count(n) AS written"
    )


def _merge_edges_query(rel_type: str, src_label: str, dst_label: str) -> str:
    return (
        "UNWIND $rows AS row\n"
        f"MATCH (a:`{check_label(src_label)}` {{id: row.src}})\n"
        f"MATCH (b:`{check_label(dst_label)}` {{id: row.dst}})\n"
        f"MERGE (a)-[r:`{check_rel_type(rel_type)}`]->(b)\n"
        "SET r += row.props\nRETURN count(r) AS written"
    )


class Neo4jGraphStore(GraphStore):
    backend = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j") -> None:
        self.uri = uri
        self.database = database
        try:
            self._driver: Driver = GraphDatabase.driver(
                uri, auth=(user, password), connection_timeout=10.0, max_transaction_retry_time=5.0
            )
        except (ValueError, Neo4jError) as exc:
            raise StoreUnavailable(f"bad Neo4j URI {uri!r}: {exc}") from exc

    def _session(self) -> Session:
        return self._driver.session(database=self.database)

    def _translate(self, exc: Exception, what: str) -> StoreError:
        if isinstance(exc, AuthError):
            return StoreUnavailable(f"Neo4j at {self.uri} rejected the credentials ({what})")
        if isinstance(exc, _UNAVAILABLE):
            return StoreUnavailable(f"Neo4j at {self.uri} is unavailable during {what}: {exc}")
        return StoreError(f"Neo4j {what} failed, nothing kept: {exc}")

    def _read(self, query: str, **params: Any) -> list[Any]:
        try:
            with self._session() as session:
                return list(session.run(query, params))
        except (Neo4jError, *_UNAVAILABLE) as exc:
            raise self._translate(exc, "read") from exc

    # -- schema ---------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        try:
            with self._session() as session:
                for statement in schema_statements():
                    session.run(statement).consume()
        except (Neo4jError, *_UNAVAILABLE) as exc:
            raise self._translate(exc, "schema creation") from exc

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
        node_groups: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
        for node in nodes:
            extras = tuple(sorted(set(node.extra_labels)))
            node_groups[(node.label, extras)].append(
                {"id": node.key, "props": {**node.props, "id": node.key}}
            )
        edge_groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for edge in edges:
            edge_groups[(edge.type, edge.src_label, edge.dst_label)].append(
                {"src": edge.src_key, "dst": edge.dst_key, "props": dict(edge.props)}
            )
        work: list[tuple[str, Sequence[dict[str, Any]], str]] = []  # (query, rows, what)
        for (label, extras), rows in node_groups.items():
            query = _merge_nodes_query(label, extras)
            work += [(query, batch, "node") for batch in batched(rows, batch_size)]
        for (rel_type, src, dst), rows in edge_groups.items():
            query = _merge_edges_query(rel_type, src, dst)
            work += [(query, batch, f"{rel_type} edge") for batch in batched(rows, batch_size)]

        stats = WriteStats()
        try:
            with self._session() as session:
                tx = session.begin_transaction()
                try:
                    if replace_features_of is not None:
                        record = tx.run(
                            f"MATCH (:`{SESSION}` {{id: $session}})-[:HAS_FEATURE|HAS_ASSESSMENT]->"
                            f"(f:`{FEATURE_TEXT}`|`{ASSESSMENT}`) DETACH DELETE f "
                            "RETURN count(f) AS deleted",
                            session=replace_features_of,
                        ).single()
                        stats.deleted_nodes = int(record["deleted"]) if record else 0
                    for query, batch_rows, what in work:
                        record = tx.run(query, rows=list(batch_rows)).single()
                        written = int(record["written"]) if record else 0
                        if written != len(batch_rows):
                            raise GraphDataError(
                                f"{len(batch_rows) - written} {what}(s) refer to missing nodes"
                            )
                        if what == "node":
                            stats.nodes += len(batch_rows)
                        else:
                            stats.edges += len(batch_rows)
                        stats.batches += 1
                        if on_batch:
                            on_batch(stats.batches, len(work))
                    tx.commit()
                finally:
                    if not tx.closed():
                        tx.rollback()
        except (Neo4jError, *_UNAVAILABLE) as exc:
            raise self._translate(exc, "write") from exc
        return stats

    def delete_student(self, student_key: str) -> int:
        def work(tx: ManagedTransaction) -> int:
            record = tx.run(
                "MATCH (st:Student {id: $id})\n"
                "OPTIONAL MATCH (st)-[:HAS_SESSION]->(s:Session)\n"
                "OPTIONAL MATCH (s)-[:HAS_FEATURE|HAS_ASSESSMENT]->(x)\n"
                "WITH collect(DISTINCT st) + collect(DISTINCT s) + collect(DISTINCT x) AS doomed\n"
                "UNWIND doomed AS d\nDETACH DELETE d\nRETURN count(*) AS removed",
                id=student_key,
            ).single()
            return int(record["removed"]) if record else 0

        try:
            with self._session() as session:
                return session.execute_write(work)
        except (Neo4jError, *_UNAVAILABLE) as exc:
            raise self._translate(exc, "erasure") from exc

    # -- reads ----------------------------------------------------------------------------
    def get_node(self, label: str, key: str) -> StoredNode | None:
        rows = self._read(
            f"MATCH (n:`{check_label(label)}` {{id: $key}}) "
            "RETURN labels(n) AS labels, properties(n) AS props LIMIT 1",
            key=key,
        )
        return _stored_node(rows[0]["labels"], dict(rows[0]["props"])) if rows else None

    def find_nodes(
        self, label: str, where: dict[str, Any] | None = None, limit: int | None = None
    ) -> list[StoredNode]:
        conditions = []
        params: dict[str, Any] = {}
        for i, (name, value) in enumerate((where or {}).items()):
            if not name.isidentifier():
                raise GraphDataError(f"property name {name!r} is not an identifier")
            conditions.append(f"n.`{name}` = $p{i}")
            params[f"p{i}"] = value
        query = f"MATCH (n:`{check_label(label)}`)"
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id"
        if limit is not None:
            query += " LIMIT $limit"
            params["limit"] = int(limit)
        return [_stored_node(r["labels"], dict(r["props"])) for r in self._read(query, **params)]

    def edges(
        self,
        label: str,
        key: str,
        rel_type: str | None = None,
        direction: Direction = "out",
    ) -> list[StoredEdge]:
        rel = f":`{check_rel_type(rel_type)}`" if rel_type else ""
        pattern = {
            "out": f"(n)-[r{rel}]->(m)",
            "in": f"(n)<-[r{rel}]-(m)",
            "both": f"(n)-[r{rel}]-(m)",
        }[direction]
        rows = self._read(
            f"MATCH (n:`{check_label(label)}` {{id: $key}}) MATCH {pattern} "
            "RETURN type(r) AS type, labels(startNode(r)) AS src_labels, startNode(r).id AS src,"
            " labels(endNode(r)) AS dst_labels, endNode(r).id AS dst, properties(r) AS props,"
            " labels(m) AS m_labels, m.id AS m_id",
            key=key,
        )
        result = [
            (r["type"], _split_labels(r["m_labels"])[0], r["m_id"], _stored_edge(r)) for r in rows
        ]
        return [e for *_, e in sorted(result, key=lambda t: (t[0], t[1], t[2]))]

    def iter_nodes(self, label: str | None = None) -> Iterator[StoredNode]:
        match = f"(n:`{check_label(label)}`)" if label else "(n)"
        rows = self._read(
            f"MATCH {match} RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id"
        )
        nodes = [_stored_node(r["labels"], dict(r["props"])) for r in rows]
        if label is None:
            nodes.sort(key=lambda n: (n.label, n.key))
        yield from nodes

    def iter_edges(self, rel_type: str | None = None) -> Iterator[StoredEdge]:
        rel = f":`{check_rel_type(rel_type)}`" if rel_type else ""
        rows = self._read(
            f"MATCH (a)-[r{rel}]->(b) RETURN type(r) AS type, labels(a) AS src_labels, a.id AS src,"
            " labels(b) AS dst_labels, b.id AS dst, properties(r) AS props"
        )
        edges = [_stored_edge(r) for r in rows]
        edges.sort(key=lambda e: (e.type, e.src_label, e.src_key, e.dst_label, e.dst_key))
        yield from edges

    def count_by_label(self) -> dict[str, int]:
        rows = self._read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS c")
        return dict(sorted((r["label"], int(r["c"])) for r in rows))

    def count_by_type(self) -> dict[str, int]:
        rows = self._read("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c")
        return dict(sorted((r["t"], int(r["c"])) for r in rows))

    def ping(self) -> None:
        try:
            self._driver.verify_connectivity()
        except (Neo4jError, *_UNAVAILABLE) as exc:
            raise self._translate(exc, "connectivity check") from exc

    def close(self) -> None:
        self._driver.close()
