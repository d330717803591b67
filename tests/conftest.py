"""Shared fixtures. Graph tests run against BOTH stores: the embedded default and the real
Neo4j server that scripts/test.sh starts (MINDKG_TEST_NEO4J_URI / _PASSWORD). When
MINDKG_REQUIRE_NEO4J=1 (CI), a missing server fails the run instead of skipping."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.settings import Settings
from kg.store.base import GraphStore
from kg.store.sqlite_store import SqliteGraphStore

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT_ROOT / "samples"
# One cache of derived models (the joint space is minutes to train) for the whole run; every
# test's own MINDKG_HOME stays private.
SHARED_CACHE = Path(os.environ.setdefault("MINDKG_CACHE_DIR", str(PROJECT_ROOT / ".mindkg-test" / "cache")))


def neo4j_test_settings() -> tuple[str, str, str] | None:
    uri = os.environ.get("MINDKG_TEST_NEO4J_URI")
    password = os.environ.get("MINDKG_TEST_NEO4J_PASSWORD")
    if not uri or not password:
        return None
    return uri, os.environ.get("MINDKG_TEST_NEO4J_USER", "neo4j"), password


def _neo4j_or_skip() -> tuple[str, str, str]:
    found = neo4j_test_settings()
    if found is None:
        if os.environ.get("MINDKG_REQUIRE_NEO4J") == "1":
            pytest.fail("MINDKG_REQUIRE_NEO4J=1 but MINDKG_TEST_NEO4J_URI/_PASSWORD are not set")
        pytest.skip("no Neo4j server configured (scripts/test.sh starts one)")
    return found


def _wipe(store: GraphStore) -> None:
    from kg.store.neo4j_store import Neo4jGraphStore

    assert isinstance(store, Neo4jGraphStore)
    with store._session() as session:  # test-only: start each test from an empty database
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


@pytest.fixture
def neo4j_store() -> Iterator[GraphStore]:
    from kg.store.neo4j_store import Neo4jGraphStore

    uri, user, password = _neo4j_or_skip()
    store = Neo4jGraphStore(uri, user, password)
    store.ping()
    _wipe(store)
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[GraphStore]:
    store = SqliteGraphStore(tmp_path / "graph.sqlite3")
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """The contract suite's store: each test runs once per backend."""
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", cache_dir=SHARED_CACHE)


@pytest.fixture
def neo4j_settings(tmp_path: Path) -> Settings:
    uri, user, password = _neo4j_or_skip()
    return Settings(home=tmp_path / "home", neo4j_uri=uri, neo4j_user=user, neo4j_password=password,
                    cache_dir=SHARED_CACHE)
