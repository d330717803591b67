"""Job workers: threads that claim jobs, run the analysis pipeline and record progress.

Analysis runs outside the HTTP request. Cancellation is checked at every progress step; the
pipeline writes the graph last and in one transaction, so a cancelled or failed job leaves
nothing in the graph. Uploaded media are deleted when a job ends unless retention is on.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from api.auth.purpose import PurposeNotDeclared, require_purpose
from api.jobs.queue import JobQueue
from api.jobs.store import Job, JobStatus, JobStore, heartbeat
from api.jobs.sweep import discard_upload, sweep_uploads, uploads_dir, without_folder
from api.pipeline import analyze_session
from contracts.settings import ApiSettings, ConfigError, Settings
from ingest.bundle import read_bundle
from ingest.cancel import Interrupted, StopKind, stop_scope
from kg.pseudonym import student_pseudonym
from kg.store.base import StoreError, StoreUnavailable
from kg.store.factory import open_store

log = logging.getLogger("mindkg.jobs")
__all__ = ["BindStudent", "JobCancelled", "Runner", "uploads_dir"]
# Called with (student pseudonym, center) once the job's session was written to the graph:
# a center is bound to a student only by a session it actually wrote, never by a failed,
# cancelled or dry-run job.
BindStudent = Callable[[str, str], None]


class JobCancelled(Exception):
    """Raised from the progress callback when cancellation was requested."""


@dataclass
class _Running:
    job_id: str
    thread: str
    started: float  # monotonic
    deadline: float  # monotonic
    abandoned: bool = False


class Runner:
    def __init__(
        self,
        settings: Settings,
        api: ApiSettings,
        store: JobStore,
        queue: JobQueue,
        bind_student: BindStudent,
    ) -> None:
        self.settings = settings
        self.api = api
        self.store = store
        self.queue = queue
        self.bind_student = bind_student
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._current: dict[int, _Running] = {}
        self._lock_fd: int | None = None
        self._spawned = 0
        self.wanted = 0  # job worker threads this process runs (0: API only, or a sibling's)

    # -- life cycle -------------------------------------------------------------------------
    def start(self, workers: int) -> list[str]:
        """Re-queue orphaned jobs, then start `workers` threads; returns re-queued job ids.

        Embedded mode allows one worker process per MINDKG_HOME (a file lock says which), so
        that process may treat every 'running' job as orphaned. With Redis, only jobs whose
        heartbeat is older than the lease are taken over.
        """
        requeued: list[str] = []
        attempts = self.api.job_max_attempts
        if self.api.redis_url:
            requeued = self.queue.recover(
                self.api.job_lease_s, single_process=False, max_attempts=attempts
            )
        elif workers:
            if not self._take_embedded_lock():
                log.info("a sibling HTTP process runs the embedded job workers; this one serves")
                return []
            requeued = self.queue.recover(
                self.api.job_lease_s, single_process=True, max_attempts=attempts
            )
        if requeued:
            log.warning("re-queued %d job(s) left running by a previous process", len(requeued))
        self.wanted = workers
        if workers:
            swept = sweep_uploads(self.settings, self.api, self.store)
            if swept:
                log.warning("swept %d orphaned upload(s) at start-up", len(swept))
        for _ in range(workers):
            self._spawn_worker()
        if workers:
            beat = threading.Thread(target=self._beat, name="mindkg-heartbeat", daemon=True)
            beat.start()
            self._threads.append(beat)
        return requeued

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.queue.close()
        for thread in self._threads:
            thread.join(timeout)
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def _take_embedded_lock(self) -> bool:
        """Take the lock that lets one process per MINDKG_HOME run embedded job workers.
        Busy: with several HTTP processes of one server (http_processes > 1) a sibling has
        it (False: serve without job workers); otherwise another server does (an error)."""
        path = _lock_path(self.settings)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if self.api.http_processes > 1:
                return False
            raise _lock_busy(self.settings) from None
        self._lock_fd = fd
        return True

    def _spawn_worker(self) -> None:
        thread = threading.Thread(
            target=self._loop, name=f"mindkg-worker-{self._spawned}", daemon=True
        )
        self._spawned += 1
        thread.start()
        self._threads.append(thread)

    @property
    def alive(self) -> int:
        """Worker threads that are alive and not stuck in an abandoned job."""
        stuck = {r.thread for r in self._current.values() if r.abandoned}
        return sum(
            t.is_alive() and t.name not in stuck
            for t in self._threads
            if t.name.startswith("mindkg-worker")
        )

    def stuck(self) -> list[str]:
        """Workers still inside a job past its time budget plus grace (checkpoints missed)."""
        now = time.monotonic()
        return [
            f"{r.thread} on {r.job_id} for {now - r.started:.0f} s"
            for r in list(self._current.values())
            if r.abandoned or now > r.deadline + self.api.job_stuck_grace_s
        ]

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job = self.queue.next(timeout=1.0)
            except Exception:  # a queue hiccup (Redis restart) must not kill the worker
                log.exception("job queue unavailable; retrying")
                self._stop.wait(2.0)
                continue
            if job is None:
                continue
            now = time.monotonic()
            ident = threading.get_ident()
            self._current[ident] = _Running(
                job.id, threading.current_thread().name, now, now + self.api.job_timeout_s
            )
            try:
                self.run(job)
            finally:
                running = self._current.pop(ident, None)
                try:
                    self.queue.done(job.id)
                except Exception:
                    log.exception("job %s: could not mark it done in the queue", job.id)
            if running is not None and running.abandoned:
                return  # a replacement worker took this thread's place

    def _beat(self) -> None:
        interval = max(0.5, self.api.job_lease_s / 3)
        while not self._stop.wait(interval):
            now = time.monotonic()
            for running in list(self._current.values()):
                if running.abandoned:
                    continue
                if now > running.deadline + self.api.job_stuck_grace_s:
                    self._abandon(running)
                    continue
                try:
                    heartbeat(self.store, running.job_id)
                except Exception:
                    log.exception("heartbeat of job %s failed", running.job_id)
            if self.api.redis_url:  # several processes: take over jobs of dead workers
                try:
                    self.queue.recover(
                        self.api.job_lease_s,
                        single_process=False,
                        max_attempts=self.api.job_max_attempts,
                    )
                except Exception:
                    log.exception("re-queueing stale jobs failed")

    def _abandon(self, running: _Running) -> None:
        """A worker stuck past its job's budget (code that never reaches a checkpoint): fail
        the job, keep its upload for the sweep, and start a replacement worker so the queue
        moves on; readiness reports the stuck thread until the process restarts."""
        running.abandoned = True
        log.error("worker %s is stuck on job %s; replacing it", running.thread, running.job_id)
        self.store.fail(
            running.job_id,
            f"over its time budget (MINDKG_JOB_TIMEOUT_S={self.api.job_timeout_s:g}) and the "
            "worker did not stop; nothing was written",
            keep_media=True,
        )
        if not self._stop.is_set():
            self._spawn_worker()

    # -- one job ----------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        return float(
            min(self.api.job_retry_max_s, self.api.job_retry_base_s * 2 ** max(0, attempt - 1))
        )

    def run(self, job: Job) -> None:
        steps = 0
        budget = self.api.job_timeout_s
        deadline = time.monotonic() + budget
        over_budget = (
            f"over its time budget (MINDKG_JOB_TIMEOUT_S={budget:g} s); nothing was written"
        )

        def should_stop() -> tuple[StopKind, str] | None:
            if time.monotonic() > deadline:
                return "timeout", over_budget
            if self.store.cancel_requested(job.id):
                return "cancelled", "cancelled on request; nothing was written"
            return None

        def say(message: str) -> None:
            nonlocal steps
            steps += 1
            fraction = 0.05 + 0.9 * (1 - 0.6**steps)
            if self.store.progress(job.id, fraction, message):
                raise JobCancelled(message)
            if time.monotonic() > deadline:
                raise Interrupted("timeout", over_budget)
            if self.api.job_step_delay_s:
                time.sleep(self.api.job_step_delay_s)

        keep_media = False
        try:
            require_purpose(self.api.purpose)
            say("reading the session bundle")
            bundle = read_bundle(Path(job.bundle_dir))
            # Pseudonyms are keyed per center: the submitting key's center, or the
            # deployment's configured one for admin jobs (the same one the CLI uses).
            settings = self.settings.model_copy(
                update={"center": job.center or self.settings.center}
            )
            student = student_pseudonym(settings, bundle.student)
            self.store.set_identity(job.id, student, bundle.session)
            say("opening the graph store")
            with stop_scope(should_stop), open_store(settings) as graph:
                result = analyze_session(bundle, settings, graph, write=job.write, progress=say)
            if result.written and job.center:
                self.bind_student(student, job.center)
            if not self.store.finish(job.id, result.model_dump_json()):
                log.warning("job %s finished but was no longer running", job.id)
        except JobCancelled:
            self.store.fail(job.id, "cancelled on request; nothing was written", status="cancelled")
        except Interrupted as exc:
            status: JobStatus = "cancelled" if exc.kind == "cancelled" else "failed"
            self.store.fail(job.id, exc.reason, status=status)
        except PurposeNotDeclared as exc:
            self.store.fail(job.id, str(exc))
        except StoreUnavailable as exc:
            keep_media = self._transient(job, f"graph store unavailable: {exc}")
        except sqlite3.OperationalError as exc:  # the job/graph file locked or on a full disk
            keep_media = self._transient(job, f"storage error: {exc}")
        except (ValueError, StoreError) as exc:  # bad bundle / scales / media; rejected write
            self.store.fail(job.id, without_folder(str(exc), job.bundle_dir))
        except Exception as exc:
            log.exception("job %s crashed", job.id)
            self.store.fail(job.id, f"internal error ({type(exc).__name__}); nothing was written")
        finally:
            if not keep_media:
                self._discard_media(job)

    def _transient(self, job: Job, reason: str) -> bool:
        """Retry with backoff while attempts remain; then fail, keeping the upload for the
        retention sweep. Returns True: the media stay either way."""
        if job.attempts < self.api.job_max_attempts:
            delay = self._backoff(job.attempts)
            log.warning("job %s: %s; retry %d in %.0f s", job.id, reason, job.attempts + 1, delay)
            if self.store.retry_later(job.id, f"{reason} (attempt {job.attempts})", delay):
                return True
        self.store.fail(
            job.id,
            f"{reason}; gave up after {job.attempts} attempt(s) "
            f"(MINDKG_JOB_MAX_ATTEMPTS={self.api.job_max_attempts}); nothing was written, "
            "the upload is kept until the retention sweep",
            keep_media=True,
        )
        return True

    def _discard_media(self, job: Job) -> None:
        if not job.owns_media or self.api.retain_media:
            return
        discard_upload(self.settings, job.bundle_dir)


def _lock_path(settings: Settings) -> Path:
    return settings.home / "api" / "embedded-workers.lock"


def _lock_busy(settings: Settings) -> ConfigError:
    return ConfigError(
        f"another MindKG process runs embedded job workers on {settings.home}; "
        "set MINDKG_REDIS_URL to share jobs between processes, or start this one "
        "with --workers 0"
    )


def check_embedded_lock_free(settings: Settings) -> None:
    """The start-up check of `_take_embedded_lock`, done before the server starts (one clear
    error instead of a failed lifespan): raises its ConfigError when another process holds
    the lock. Takes nothing (the lifespan still takes the lock)."""
    path = _lock_path(settings)
    if not path.exists():
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise _lock_busy(settings) from None
    finally:
        os.close(fd)  # releases the flock if it was taken
