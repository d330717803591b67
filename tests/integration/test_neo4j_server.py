"""The project's real Neo4j: a transaction killed by the server mid-ingest leaves nothing,
every .cypher file in cypher/ executes, and the server runs with auth on."""

from __future__ import annotations

import pytest
from neo4j.exceptions import AuthError

from kg.cypher_files import CYPHER_DIR, read_statements
from kg.graph_model import Node
from kg.store.base import GraphStore, StoreError
from neo4j import GraphDatabase
from tests.conftest import _neo4j_or_skip, neo4j_test_settings

pytestmark = pytest.mark.neo4j


def test_server_side_termination_mid_ingest_leaves_nothing(neo4j_store: GraphStore) -> None:
    found = neo4j_test_settings()
    assert found is not None
    uri, user, password = found

    def kill_our_transaction(done: int, total: int) -> None:
        if done != 2:
            return
        with GraphDatabase.driver(uri, auth=(user, password)) as admin, admin.session() as s:
            ids = [
                r["transactionId"]
                for r in s.run(
                    "SHOW TRANSACTIONS YIELD transactionId, currentQuery "
                    "WHERE NOT currentQuery STARTS WITH 'SHOW'"
                )
            ]
            assert ids, "the ingest transaction should be visible to the server"
            s.run("TERMINATE TRANSACTIONS $ids", ids=ids).consume()

    nodes = [Node("Concept", f"c:{i}", {"i": i}) for i in range(50)]
    with pytest.raises(StoreError):
        neo4j_store.write(nodes, batch_size=10, on_batch=kill_our_transaction)
    assert neo4j_store.count_by_label() == {}


def test_auth_is_on() -> None:
    uri, user, _ = _neo4j_or_skip()
    with GraphDatabase.driver(uri, auth=(user, "neo4j")) as driver, pytest.raises(AuthError):
        driver.verify_connectivity()


@pytest.mark.parametrize(
    "path", sorted(CYPHER_DIR.rglob("*.cypher")), ids=lambda p: str(p.relative_to(CYPHER_DIR))
)
def test_every_cypher_file_executes(neo4j_store: GraphStore, path: object) -> None:
    from pathlib import Path

    from kg.store.neo4j_store import Neo4jGraphStore

    assert isinstance(path, Path) and isinstance(neo4j_store, Neo4jGraphStore)
    statements = read_statements(path)
    assert statements, f"{path} holds no statement"
    params = {
        "student": "stu_0000",
        "session": "stu_0000/s1",
        "assessment": "stu_0000/s1/assessment",
        "limit": 10,
        "min_level": "moderate",
        "concept": "emotion:sadness",
        "since": "2020-01-01",
    }
    with neo4j_store._session() as session:
        for statement in statements:
            session.run(statement, params).consume()
