"""The durable job table (SQLite under MINDKG_HOME): the single source of truth for job state.

Every state change is one UPDATE guarded by the expected current state, so two workers (threads
or processes sharing MINDKG_HOME) can never both run a job, and a crash leaves a job either
'queued' or 'running' with a stale heartbeat, which start-up re-queues.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from api.private_db import open_private_db

JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
FINAL: frozenset[str] = frozenset({"done", "failed", "cancelled"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    bundle_dir TEXT NOT NULL,
    owns_media INTEGER NOT NULL,
    write INTEGER NOT NULL,
    submitted_by TEXT NOT NULL,
    center TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    heartbeat REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    student TEXT,
    session TEXT,
    result_json TEXT,
    error TEXT,
    worker TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created_at);
"""
_COLUMNS = (
    "id",
    "status",
    "bundle_dir",
    "owns_media",
    "write",
    "submitted_by",
    "center",
    "created_at",
    "updated_at",
    "started_at",
    "finished_at",
    "heartbeat",
    "attempts",
    "progress",
    "message",
    "cancel_requested",
    "student",
    "session",
    "result_json",
    "error",
    "worker",
)
_SELECT = f"SELECT {','.join(_COLUMNS)} FROM jobs"


@dataclass(frozen=True)
class Job:
    id: str
    status: JobStatus
    bundle_dir: str
    owns_media: bool
    write: bool
    submitted_by: str
    center: str | None
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None
    heartbeat: float | None
    attempts: int
    progress: float
    message: str
    cancel_requested: bool
    student: str | None
    session: str | None
    result_json: str | None
    error: str | None
    worker: str | None = None  # host:pid:thread of the last worker that claimed it

    @property
    def result(self) -> dict[str, Any] | None:
        return json.loads(self.result_json) if self.result_json else None


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def jobs_db_path(home: Path) -> Path:
    return home / "api" / "jobs.sqlite3"


class JobStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = open_private_db(path, _SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def _row(self, row: tuple[Any, ...] | None) -> Job | None:
        if row is None:
            return None
        data = dict(zip(_COLUMNS, row, strict=True))
        for flag in ("owns_media", "write", "cancel_requested"):
            data[flag] = bool(data[flag])
        return Job(**data)

    def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    def create(
        self,
        bundle_dir: Path,
        *,
        owns_media: bool,
        write: bool,
        submitted_by: str,
        center: str | None,
    ) -> Job:
        job_id = "job_" + secrets.token_hex(10)
        now = _now()
        self._exec(
            "INSERT INTO jobs (id,status,bundle_dir,owns_media,write,submitted_by,center,"
            "created_at,updated_at,message) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                job_id,
                "queued",
                str(bundle_dir),
                owns_media,
                write,
                submitted_by,
                center,
                now,
                now,
                "queued",
            ),
        )
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        return self._row(self._exec(f"{_SELECT} WHERE id=?", (job_id,)).fetchone())

    def list_jobs(self, *, limit: int = 100) -> list[Job]:
        rows = self._exec(f"{_SELECT} ORDER BY created_at DESC LIMIT ?", (limit,)).fetchall()
        return [j for r in rows if (j := self._row(r)) is not None]

    def queued_ids(self) -> list[str]:
        rows = self._exec("SELECT id FROM jobs WHERE status='queued' ORDER BY created_at")
        return [r[0] for r in rows.fetchall()]

    def claim(self, job_id: str | None = None, *, worker: str = "") -> Job | None:
        """Move one queued job (the oldest, or `job_id`) to running; None if there is none."""
        now = _now()
        target = (
            "?"
            if job_id
            else "(SELECT id FROM jobs WHERE status='queued' ORDER BY created_at LIMIT 1)"
        )
        params: tuple[Any, ...] = (now, now, time.time(), worker or _worker_id()) + (
            (job_id,) if job_id else ()
        )
        row = self._exec(
            "UPDATE jobs SET status='running', started_at=?, updated_at=?, heartbeat=?, worker=?, "
            f"attempts=attempts+1, progress=0.02, message='started' WHERE id={target} AND status='queued' "
            f"RETURNING {','.join(_COLUMNS)}",
            params,
        ).fetchone()
        return self._row(row)

    def progress(self, job_id: str, fraction: float, message: str) -> bool:
        """Record progress and refresh the heartbeat; returns whether cancellation was asked."""
        row = self._exec(
            "UPDATE jobs SET progress=?, message=?, heartbeat=?, updated_at=? "
            "WHERE id=? AND status='running' RETURNING cancel_requested",
            (round(fraction, 3), message[:500], time.time(), _now(), job_id),
        ).fetchone()
        return bool(row[0]) if row else True

    def set_identity(self, job_id: str, student: str, session: str) -> None:
        self._exec("UPDATE jobs SET student=?, session=? WHERE id=?", (student, session, job_id))

    def finish(self, job_id: str, result_json: str) -> bool:
        now = _now()
        cur = self._exec(
            "UPDATE jobs SET status='done', progress=1, message='done', result_json=?, "
            "finished_at=?, updated_at=? WHERE id=? AND status='running'",
            (result_json, now, now, job_id),
        )
        return cur.rowcount == 1

    def fail(self, job_id: str, error: str, *, status: JobStatus = "failed") -> bool:
        now = _now()
        cur = self._exec(
            "UPDATE jobs SET status=?, message=?, error=?, finished_at=?, updated_at=? "
            "WHERE id=? AND status IN ('queued','running')",
            (status, status, error[:2000], now, now, job_id),
        )
        return cur.rowcount == 1

    def request_cancel(self, job_id: str) -> Job | None:
        """Queued jobs are cancelled at once; running ones stop at their next progress step."""
        now = _now()
        self._exec(
            "UPDATE jobs SET status='cancelled', message='cancelled', cancel_requested=1, "
            "finished_at=?, updated_at=? WHERE id=? AND status='queued'",
            (now, now, job_id),
        )
        self._exec(
            "UPDATE jobs SET cancel_requested=1, updated_at=? WHERE id=? AND status='running'",
            (now, job_id),
        )
        return self.get(job_id)

    def requeue_stale(self, *, older_than_s: float | None) -> list[str]:
        """Put 'running' jobs back in the queue: all of them (None) or those whose heartbeat
        is older than `older_than_s` (their worker died)."""
        cutoff = time.time() - older_than_s if older_than_s is not None else float("inf")
        rows = self._exec(
            "UPDATE jobs SET status='queued', message='re-queued after a restart', updated_at=? "
            "WHERE status='running' AND (heartbeat IS NULL OR heartbeat < ?) RETURNING id",
            (_now(), cutoff),
        ).fetchall()
        return [r[0] for r in rows]


def heartbeat(store: JobStore, job_id: str) -> None:
    """Mark a running job as alive (a long recognizer step reports no progress for a while)."""
    store._exec(
        "UPDATE jobs SET heartbeat=? WHERE id=? AND status='running'", (time.time(), job_id)
    )


def forget_student(store: JobStore, student: str) -> int:
    """Erasure: drop stored results of a student's jobs (they hold the assessment)."""
    cur = store._exec(
        "UPDATE jobs SET result_json=NULL, message='result erased' WHERE student=?", (student,)
    )
    return cur.rowcount
