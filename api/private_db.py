"""Opening the API's private SQLite files (keys and audit log, jobs).

They hold key digests, audit records and assessments of (pseudonymous) students: the folder
is owner-only, the file owner-read/write, WAL lets readers run beside the single writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_private_db(path: Path, schema: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(schema)
    path.chmod(0o600)
    return conn
