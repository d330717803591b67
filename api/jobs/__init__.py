"""Durable analysis jobs: persisted in SQLite, run by worker threads, optionally fed by Redis."""
