"""Keyed pseudonyms for students: HMAC-SHA256 of the local id under a key kept outside the graph.

The graph never sees the counseling center's own student id; without the key file the
pseudonym cannot be linked back, and with it the center can still find a student's graph.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from kg.settings import Settings

PREFIX = "stu_"


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


def pseudonymize(local_id: str, key: bytes) -> str:
    digest = hmac.new(key, local_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:20]
