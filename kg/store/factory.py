"""Choosing the store from settings: Neo4j when a URI is configured, else the embedded one."""

from __future__ import annotations

from contracts.settings import Settings
from kg.store.base import GraphStore


def open_store(settings: Settings, *, ensure_schema: bool = True) -> GraphStore:
    store: GraphStore
    if settings.store_backend == "neo4j":
        from kg.store.neo4j_store import Neo4jGraphStore

        if not settings.neo4j_uri:
            raise ValueError("MINDKG_STORE=neo4j needs MINDKG_NEO4J_URI")
        store = Neo4jGraphStore(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password_value(),
            settings.neo4j_database,
        )
    else:
        from kg.store.sqlite_store import SqliteGraphStore

        store = SqliteGraphStore(settings.embedded_db_path)
    store.derived_cache = settings.cache_home
    if ensure_schema:
        try:
            store.ensure_schema()
        except BaseException:
            store.close()
            raise
    return store
