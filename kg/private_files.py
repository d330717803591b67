"""Files that hold personal data are owner-only (0600, folders 0700) whatever the umask.

SQLite creates its database with the process umask (often 0644) and gives the -wal and -shm
files the database's own mode, so the database file is created (or tightened) first.
"""

from __future__ import annotations

import os
from pathlib import Path

SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def private_sqlite(path: Path) -> Path:
    """Create `path` empty and 0600 if missing; tighten it and its sidecars if present.
    A missing parent folder is created 0700; an existing one is left as it is."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for suffix in SQLITE_SIDECARS:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.chmod(0o600)
    return path


def open_private(path: Path) -> int:
    """A new file (O_EXCL) for writing, mode 0600; returns the descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
