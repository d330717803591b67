"""Ingest throughput into Neo4j: UNWIND batches (what MindKG does) vs one statement per record.

Same synthetic sessions, same server, same run; each variant writes into a wiped database in
one transaction, alternating the order over repeats. The peer is the naive driver usage:
the same MERGE statement sent once per node and once per relationship.

    MINDKG_NEO4J_PASSWORD=... python bench/ingest_batching.py --sessions 300 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from contracts.settings import load_settings
from kg.graph_model import Edge, Node
from kg.store.neo4j_store import Neo4jGraphStore, _merge_edges_query, _merge_nodes_query

console = Console()


def synthetic_sessions(n_sessions: int, features_per_session: int) -> tuple[list[Node], list[Edge]]:
    """SYNTHETIC: student/session/feature-text records shaped like real analyses."""
    nodes: list[Node] = []
    edges: list[Edge] = []
    for s in range(n_sessions):
        student = f"stu_bench{s // 4:05d}"
        session = f"{student}/w{s % 4:02d}"
        nodes.append(Node("Student", student, {"pseudonymous": True}))
        nodes.append(Node("Session", session, {"recorded_at": f"2026-03-{1 + s % 28:02d}", "synthetic": True}))
        edges.append(Edge("HAS_SESSION", "Student", student, "Session", session))
        for f in range(features_per_session):
            fid = f"{session}/f{f:03d}"
            nodes.append(Node("FeatureText", fid, {"kind": "scale_score", "text_zh": f"特征{f}",
                                                   "text_en": f"feature {f}", "confidence": 0.9}))
            edges.append(Edge("HAS_FEATURE", "Session", session, "FeatureText", fid))
    return nodes, edges


def wipe(store: Neo4jGraphStore) -> None:
    with store._session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


def one_statement_per_record(store: Neo4jGraphStore, nodes: Sequence[Node], edges: Sequence[Edge]) -> None:
    with store._session() as session, session.begin_transaction() as tx:
        for node in nodes:
            query = _merge_nodes_query(node.label, tuple(node.extra_labels))
            tx.run(query, rows=[{"id": node.key, "props": {**node.props, "id": node.key}}]).consume()
        for edge in edges:
            query = _merge_edges_query(edge.type, edge.src_label, edge.dst_label)
            tx.run(query, rows=[{"src": edge.src_key, "dst": edge.dst_key, "props": dict(edge.props)}]).consume()
        tx.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--uri", default=None)
    args = parser.parse_args()
    settings = load_settings()
    uri = args.uri or settings.neo4j_uri or f"bolt://localhost:{settings.neo4j_bolt_port}"
    store = Neo4jGraphStore(uri, settings.neo4j_user, settings.neo4j_password_value())
    store.ensure_schema()
    nodes, edges = synthetic_sessions(args.sessions, args.features)
    records = len(nodes) + len(edges)
    times: dict[str, list[float]] = {"unwind": [], "per-record": []}
    for rep in range(args.repeats):
        order = ["unwind", "per-record"] if rep % 2 == 0 else ["per-record", "unwind"]
        for variant in order:
            wipe(store)
            start = time.perf_counter()
            if variant == "unwind":
                store.write(nodes, edges)
            else:
                one_statement_per_record(store, nodes, edges)
            times[variant].append(time.perf_counter() - start)
            assert store.count_by_label().get("FeatureText") == args.sessions * args.features
    wipe(store)
    store.close()
    table = Table(title=f"Neo4j ingest, {len(nodes)} nodes + {len(edges)} relationships, {args.repeats} repeats")
    for col in ("variant", "median s", "records/s"):
        table.add_column(col)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in med.items():
        table.add_row(k, f"{v:.2f}", f"{records / v:,.0f}")
    console.print(table)
    console.print(f"UNWIND speed-up (per-record time / UNWIND time): [bold]{med['per-record'] / med['unwind']:.1f}x[/]")


if __name__ == "__main__":
    main()
