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
    worker TEXT,
    not_before REAL,
    media_kept INTEGER NOT NULL DEFAULT 0
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
    "not_before",
    "media_kept",
)
# Columns added after the first release: (name, type) added by ALTER TABLE to older files.
_ADDED = (("not_before", "REAL"), ("media_kept", "INTEGER NOT NULL DEFAULT 0"))
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
    not_before: float | None = None  # a retried job waits until this time (epoch s)
    media_kept: bool = False  # upload kept after a failure, until the retention sweep

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
        have = {r[1] for r in self._conn.execute("PRAGMA table_info(jobs)").fetchall()}
        for name, kind in _ADDED:
            if name not in have:
                self._conn.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")

    def close(self) -> None:
        self._conn.close()

    def checkpoint(self) -> None:
        """Fold the WAL into the database file and truncate it (after an erasure)."""
        try:
            self._exec("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:  # busy readers: the next checkpoint folds it
            pass

    def _row(self, row: tuple[Any, ...] | None) -> Job | None:
        if row is None:
            return None
        data = dict(zip(_COLUMNS, row, strict=True))
        for flag in ("owns_media", "write", "cancel_requested", "media_kept"):
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
        due = time.time()
        target = (
            "?"
            if job_id
            else "(SELECT id FROM jobs WHERE status='queued' AND "
            "(not_before IS NULL OR not_before <= ?) ORDER BY created_at LIMIT 1)"
        )
        params: tuple[Any, ...] = (now, now, due, worker or _worker_id()) + (
            (job_id,) if job_id else (due,)
        )
        row = self._exec(
            "UPDATE jobs SET status='running', started_at=?, updated_at=?, heartbeat=?, worker=?, "
            "attempts=attempts+1, progress=0.02, message='started', not_before=NULL "
            f"WHERE id={target} AND status='queued' AND (not_before IS NULL OR not_before <= ?) "
            f"RETURNING {','.join(_COLUMNS)}",
            (*params, due),
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

    def fail(
        self, job_id: str, error: str, *, status: JobStatus = "failed", keep_media: bool = False
    ) -> bool:
        now = _now()
        cur = self._exec(
            "UPDATE jobs SET status=?, message=?, error=?, finished_at=?, updated_at=?, "
            "media_kept=? WHERE id=? AND status IN ('queued','running')",
            (status, status, error[:2000], now, now, keep_media, job_id),
        )
        return cur.rowcount == 1

    def retry_later(self, job_id: str, error: str, delay_s: float) -> bool:
        """A transient failure: back to the queue, claimable again after `delay_s`."""
        cur = self._exec(
            "UPDATE jobs SET status='queued', not_before=?, message=?, error=?, updated_at=?, "
            "progress=0 WHERE id=? AND status='running'",
            (
                time.time() + delay_s,
                f"retrying in {delay_s:.0f} s after a transient failure",
                error[:2000],
                _now(),
                job_id,
            ),
        )
        return cur.rowcount == 1

    def cancel_requested(self, job_id: str) -> bool:
        """Whether the job should stop: cancellation asked, or it is no longer running."""
        row = self._exec(
            "SELECT cancel_requested, status FROM jobs WHERE id=?", (job_id,)
        ).fetchone()
        return row is None or bool(row[0]) or row[1] != "running"

    def media_of_final_jobs(self) -> list[tuple[str, str, str, str | None, bool, bool]]:
        """(id, bundle_dir, status, finished_at, owns_media, media_kept) of ended jobs."""
        rows = self._exec(
            "SELECT id,bundle_dir,status,finished_at,owns_media,media_kept FROM jobs "
            "WHERE status IN ('done','failed','cancelled')"
        ).fetchall()
        return [(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5])) for r in rows]

    def live_bundle_dirs(self) -> set[str]:
        rows = self._exec(
            "SELECT bundle_dir FROM jobs WHERE status IN ('queued','running')"
        ).fetchall()
        return {r[0] for r in rows}

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

    def requeue_stale(
        self, *, older_than_s: float | None, max_attempts: int | None = None
    ) -> list[str]:
        """Put 'running' jobs back in the queue: all of them (None) or those whose heartbeat
        is older than `older_than_s` (their worker died). A job that already had
        `max_attempts` tries (it may be what kills the worker) is failed instead, its upload
        kept for the retention sweep."""
        cutoff = time.time() - older_than_s if older_than_s is not None else float("inf")
        if max_attempts is not None:
            now = _now()
            self._exec(
                "UPDATE jobs SET status='failed', message='failed', error=?, finished_at=?, "
                "updated_at=?, media_kept=1 WHERE status='running' AND "
                "(heartbeat IS NULL OR heartbeat < ?) AND attempts >= ?",
                (
                    f"the worker stopped {max_attempts} times while running this job "
                    f"(MINDKG_JOB_MAX_ATTEMPTS={max_attempts}); nothing was written",
                    now,
                    now,
                    cutoff,
                    max_attempts,
                ),
            )
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


def forget_student(store: JobStore, student: str) -> tuple[int, list[str]]:
    """Erasure: drop stored results and error texts of a student's jobs (they hold the
    assessment) and cancel their queued ones; returns (jobs touched, their upload folders)."""
    now = _now()
    store._exec(
        "UPDATE jobs SET status='cancelled', message='cancelled', cancel_requested=1, "
        "finished_at=?, updated_at=? WHERE student=? AND status='queued'",
        (now, now, student),
    )
    store._exec(
        "UPDATE jobs SET cancel_requested=1 WHERE student=? AND status='running'", (student,)
    )
    rows = store._exec(
        "UPDATE jobs SET result_json=NULL, error=CASE WHEN error IS NULL THEN NULL "
        "ELSE 'erased' END, message='result erased', media_kept=0 WHERE student=? "
        "RETURNING bundle_dir, owns_media",
        (student,),
    ).fetchall()
    return len(rows), [r[0] for r in rows if r[1]]
