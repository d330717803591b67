"""Opening the API's private SQLite files (keys and audit log, jobs).

They hold key digests, audit records and assessments of (pseudonymous) students: the folder
is owner-only, the file owner-read/write, WAL lets readers run beside the single writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kg.private_files import private_dir, private_sqlite


def open_private_db(path: Path, schema: str) -> sqlite3.Connection:
    private_dir(path.parent)
    private_sqlite(path)  # created 0600 before SQLite opens it: the WAL inherits the mode
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA secure_delete=ON")
    conn.executescript(schema)
    return conn
