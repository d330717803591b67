"""API keys: a random secret shown once, stored as a salted SHA-256 digest in SQLite.

Keys look like ``mk_<key id>_<secret>``. The key id is public (it names the key in the audit
log); the secret has 256 bits of entropy, so a salted hash is enough (no slow KDF needed) and
verification uses a constant-time comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from api.private_db import open_private_db

Role = Literal["psychologist", "app", "researcher", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
_KEY_PATTERN = re.compile(r"^mk_([0-9a-f]{12})_([A-Za-z0-9_\-]{20,100})$")
_CENTER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
# Roles that act for one counseling center and therefore must name it.
CENTER_ROLES = frozenset({"psychologist", "app"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    center TEXT,
    salt TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS student_centers (
    student TEXT NOT NULL,
    center TEXT NOT NULL,
    bound_at TEXT NOT NULL,
    PRIMARY KEY (student, center)
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    role TEXT NOT NULL,
    method TEXT NOT NULL,
    route TEXT NOT NULL,
    student TEXT,
    session TEXT,
    outcome INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""


class AuthError(ValueError):
    """A key that cannot be created or found; the message says why."""


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    role: Role
    center: str | None
    created_at: str
    revoked_at: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def auth_db_path(home: Path) -> Path:
    return home / "api" / "auth.sqlite3"


class AuthDB:
    """Keys, student-to-center bindings and the audit log, in one SQLite file under MINDKG_HOME."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = open_private_db(path, _SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    # -- keys -------------------------------------------------------------------------------
    def create_key(self, name: str, role: str, center: str | None = None) -> tuple[ApiKey, str]:
        """Create a key; returns the record and the full secret key, which is never stored."""
        if role not in ROLES:
            raise AuthError(f"unknown role {role!r}; choose one of {list(ROLES)}")
        if role in CENTER_ROLES and not center:
            raise AuthError(f"a {role} key acts for one counseling center: give --center")
        if center is not None and not _CENTER_PATTERN.match(center):
            raise AuthError(f"center must be 1-64 letters, digits, '_', '.', '-'; got {center!r}")
        if not name.strip() or len(name) > 200:
            raise AuthError("key name must be 1-200 characters")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        created = _now()
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_keys VALUES (?,?,?,?,?,?,?,NULL)",
                (key_id, name, role, center, salt, _digest(salt, secret), created),
            )
        record = ApiKey(key_id, name, role, center, created, None)  # type: ignore[arg-type]
        return record, f"mk_{key_id}_{secret}"

    def verify(self, presented: str) -> ApiKey | None:
        """The active key matching `presented`, or None (unknown, malformed, wrong, revoked)."""
        match = _KEY_PATTERN.match(presented.strip())
        if match is None:
            return None
        key_id, secret = match.groups()
        with self._lock:
            row = self._conn.execute(
                "SELECT key_id,name,role,center,created_at,revoked_at,salt,digest "
                "FROM api_keys WHERE key_id=?",
                (key_id,),
            ).fetchone()
        if row is None:
            _digest("x" * 32, secret)  # same work whether or not the id exists
            return None
        if not hmac.compare_digest(_digest(row[6], secret), row[7]) or row[5] is not None:
            return None
        return ApiKey(*row[:6])

    def list_keys(self) -> list[ApiKey]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT key_id,name,role,center,created_at,revoked_at FROM api_keys "
                "ORDER BY created_at"
            ).fetchall()
        return [ApiKey(*r) for r in rows]

    def revoke(self, key_id: str) -> ApiKey:
        with self._lock:
            cur = self._conn.execute(
                "UPDATE api_keys SET revoked_at=? WHERE key_id=? AND revoked_at IS NULL",
                (_now(), key_id),
            )
        if cur.rowcount == 0:
            known = {k.key_id for k in self.list_keys()}
            raise AuthError(
                f"key {key_id!r} is already revoked" if key_id in known else f"no key {key_id!r}"
            )
        return next(k for k in self.list_keys() if k.key_id == key_id)

    # -- students and centers ---------------------------------------------------------------
    def bind_student(self, student: str, center: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO student_centers VALUES (?,?,?)", (student, center, _now())
            )

    def students_of(self, center: str | None) -> list[str]:
        """Pseudonyms bound to `center` (all bound students when None)."""
        sql = "SELECT DISTINCT student FROM student_centers"
        params: tuple[str, ...] = ()
        if center is not None:
            sql, params = sql + " WHERE center=?", (center,)
        with self._lock:
            return sorted(r[0] for r in self._conn.execute(sql, params).fetchall())

    def unbind_student(self, student: str) -> int:
        with self._lock:
            cur = self._conn.execute("DELETE FROM student_centers WHERE student=?", (student,))
        return cur.rowcount

    def student_in_center(self, student: str, center: str) -> bool:
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM student_centers WHERE student=? AND center=?", (student, center)
            ).fetchone()
        return row is not None

    # -- audit ------------------------------------------------------------------------------
    def audit(
        self,
        key: ApiKey,
        method: str,
        route: str,
        *,
        student: str | None,
        session: str | None,
        outcome: int,
    ) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO audit_log (at,key_id,role,method,route,student,session,outcome) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (_now(), key.key_id, key.role, method, route, student, session, outcome),
            )

    def audit_entries(
        self, *, student: str | None = None, limit: int = 100, after: int = 0
    ) -> list[dict[str, object]]:
        sql = "SELECT seq,at,key_id,role,method,route,student,session,outcome FROM audit_log "
        sql += "WHERE seq > ? " + ("AND student = ? " if student else "")
        sql += "ORDER BY seq LIMIT ?"
        params: tuple[object, ...] = (after, student, limit) if student else (after, limit)
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        cols = ("seq", "at", "key_id", "role", "method", "route", "student", "session", "outcome")
        return [dict(zip(cols, r, strict=True)) for r in rows]


def bind_written_student(home: Path, student: str, center: str) -> None:
    """Bind `student` to `center` in the auth database under `home`: what a session written
    outside the HTTP API (the CLI's `analyze`/`ingest`, keyed by MINDKG_CENTER) does, as a
    job's written session binds its student to the submitting key's center."""
    auth = AuthDB(auth_db_path(home))
    try:
        auth.bind_student(student, center)
    finally:
        auth.close()
