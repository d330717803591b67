"""Keyed pseudonyms for students: HMAC-SHA256 of (center, local id) under a key kept outside
the graph.

The graph never sees the counseling center's own student id; without the key file the
pseudonym cannot be linked back, and with it the center can still find a student's graph.
The center is part of the hashed input, so the same local id at two centers gives two
unrelated pseudonyms: one center can never write to or read another center's student by
naming the same local id (isolation by construction, not by a lookup table).

Graphs written before pseudonyms were keyed per center used HMAC(key, local id) alone;
`legacy_pseudonym` computes those so `mindkg admin pseudonym-map` can list old -> new pairs
for a migration (docs/privacy.md, "Per-center pseudonyms").
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from contracts.settings import Settings

PREFIX = "stu_"
_CENTER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_SEPARATOR = "\x1f"  # cannot occur in a center name, so (center, id) pairs never collide


def key_path(settings: Settings) -> Path:
    return settings.pseudonym_key_file or settings.secrets_dir / "pseudonym.key"


def load_or_create_key(settings: Settings) -> bytes:
    path = key_path(settings)
    if path.is_file():
        key = bytes.fromhex(path.read_text().strip())
        if len(key) < 32:
            raise ValueError(f"pseudonym key in {path} is shorter than 32 bytes")
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex())
    return key


def pseudonymize(local_id: str, key: bytes, center: str) -> str:
    """The pseudonym of `local_id` as a student of `center`."""
    if not _CENTER.match(center):
        raise ValueError(f"center must be 1-64 letters, digits, '_', '.', '-'; got {center!r}")
    message = f"{center}{_SEPARATOR}{local_id}".encode()
    return PREFIX + hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def legacy_pseudonym(local_id: str, key: bytes) -> str:
    """The pre-center pseudonym (HMAC of the local id alone): for migrations only."""
    return PREFIX + hmac.new(key, local_id.encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def student_pseudonym(settings: Settings, local_id: str, center: str | None = None) -> str:
    """The pseudonym under this deployment's key, for `center` (default: settings.center)."""
    return pseudonymize(local_id, load_or_create_key(settings), center or settings.center)
