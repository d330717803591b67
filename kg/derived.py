"""Content-keyed derived artefacts on disk: written once, atomically, read memory-mapped.

An artefact derived from some content (the graph view of the ontology, the aligner's lexical
index) lives in a folder named by a hash of that content; a folder that exists is complete,
because it is written under a temporary name and renamed in one step.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_folder(folder: Path, fill: Callable[[Path], None]) -> bool:
    """Let `fill` write into a temporary sibling, then rename it to `folder`.

    Returns False, leaving nothing behind, when the cache is read-only or another process
    won the race (its folder holds the same content: it has the same key).
    """
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError:
        return False
    try:
        fill(tmp)
        os.replace(tmp, folder)
        return True
    except OSError:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_file(path: Path, text: str) -> bool:
    """Write a small text file atomically (a temporary sibling renamed); False if it failed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return True
    except OSError:
        tmp.unlink(missing_ok=True)
        return False


def user_cache(name: str) -> Path:
    """$MINDKG_HOME/cache/<name> (the system temp dir's mindkg/cache/<name> without a home),
    created: per-user caches of what pinned packages' files become after parsing."""
    home = os.environ.get("MINDKG_HOME")
    base = Path(home).expanduser() if home else Path(tempfile.gettempdir()) / "mindkg"
    path = base / "cache" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_key(*paths: Path, salt: str = "") -> str:
    """A key for what is derived from these files, by name, size and modification time."""
    h = hashlib.sha256(salt.encode())
    for path in paths:
        stat = path.stat()
        h.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return h.hexdigest()[:16]
