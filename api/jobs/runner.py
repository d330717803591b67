"""Job workers: threads that claim jobs, run the analysis pipeline and record progress.

Analysis runs outside the HTTP request. Cancellation is checked at every progress step; the
pipeline writes the graph last and in one transaction, so a cancelled or failed job leaves
nothing in the graph. Uploaded media are deleted when a job ends unless retention is on.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from api.auth.purpose import PurposeNotDeclared, require_purpose
from api.http.config import ApiSettings
from api.jobs.queue import JobQueue
from api.jobs.store import Job, JobStore, heartbeat
from api.pipeline import analyze_session
from ingest.bundle import read_bundle
from kg.pseudonym import student_pseudonym
from kg.settings import ConfigError, Settings
from kg.store.base import StoreError, StoreUnavailable
from kg.store.factory import open_store

log = logging.getLogger("mindkg.jobs")
# Called with (student pseudonym, center) once the job's session was written to the graph:
# a center is bound to a student only by a session it actually wrote, never by a failed,
# cancelled or dry-run job.
BindStudent = Callable[[str, str], None]


class JobCancelled(Exception):
    """Raised from the progress callback when cancellation was requested."""


def uploads_dir(settings: Settings) -> Path:
    return settings.home / "api" / "uploads"


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
        self._current: dict[int, str] = {}
        self._lock_fd: int | None = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self, workers: int) -> list[str]:
        """Re-queue orphaned jobs, then start `workers` threads; returns re-queued job ids.

        Embedded mode allows one worker process per MINDKG_HOME (a file lock says which), so
        that process may treat every 'running' job as orphaned. With Redis, only jobs whose
        heartbeat is older than the lease are taken over.
        """
        requeued: list[str] = []
        if self.api.redis_url:
            requeued = self.queue.recover(self.api.job_lease_s, single_process=False)
        elif workers:
            self._take_embedded_lock()
            requeued = self.queue.recover(self.api.job_lease_s, single_process=True)
        if requeued:
            log.warning("re-queued %d job(s) left running by a previous process", len(requeued))
        for n in range(workers):
            thread = threading.Thread(target=self._loop, name=f"mindkg-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
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

    def _take_embedded_lock(self) -> None:
        path = self.settings.home / "api" / "embedded-workers.lock"
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(
                f"another MindKG process runs embedded job workers on {self.settings.home}; "
                "set MINDKG_REDIS_URL to share jobs between processes, or start this one "
                "with --workers 0"
            ) from None
        self._lock_fd = fd

    @property
    def alive(self) -> int:
        return sum(t.is_alive() for t in self._threads if t.name.startswith("mindkg-worker"))

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
            self._current[threading.get_ident()] = job.id
            try:
                self.run(job)
            finally:
                self._current.pop(threading.get_ident(), None)
                self.queue.done(job.id)

    def _beat(self) -> None:
        interval = max(0.5, self.api.job_lease_s / 3)
        while not self._stop.wait(interval):
            for job_id in list(self._current.values()):
                heartbeat(self.store, job_id)
            if self.api.redis_url:  # several processes: take over jobs of dead workers
                try:
                    self.queue.recover(self.api.job_lease_s, single_process=False)
                except Exception:
                    log.exception("re-queueing stale jobs failed")

    # -- one job ----------------------------------------------------------------------------
    def run(self, job: Job) -> None:
        steps = 0

        def say(message: str) -> None:
            nonlocal steps
            steps += 1
            fraction = 0.05 + 0.9 * (1 - 0.6**steps)
            if self.store.progress(job.id, fraction, message):
                raise JobCancelled(message)
            if self.api.job_step_delay_s:
                time.sleep(self.api.job_step_delay_s)

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
            with open_store(settings) as graph:
                result = analyze_session(bundle, settings, graph, write=job.write, progress=say)
            if result.written and job.center:
                self.bind_student(student, job.center)
            if not self.store.finish(job.id, result.model_dump_json()):
                log.warning("job %s finished but was no longer running", job.id)
        except JobCancelled:
            self.store.fail(job.id, "cancelled on request; nothing was written", status="cancelled")
        except PurposeNotDeclared as exc:
            self.store.fail(job.id, str(exc))
        except StoreUnavailable as exc:
            self.store.fail(job.id, f"graph store unavailable, nothing was written: {exc}")
        except (ValueError, StoreError) as exc:  # bad bundle / scales / media; rejected write
            self.store.fail(job.id, str(exc))
        except Exception as exc:
            log.exception("job %s crashed", job.id)
            self.store.fail(job.id, f"internal error ({type(exc).__name__}); nothing was written")
        finally:
            self._discard_media(job)

    def _discard_media(self, job: Job) -> None:
        if not job.owns_media or self.api.retain_media:
            return
        root = uploads_dir(self.settings)
        try:
            relative = Path(job.bundle_dir).resolve().relative_to(root.resolve())
        except ValueError:
            log.error("job %s: upload %s is outside %s; not deleting", job.id, job.bundle_dir, root)
            return
        if relative.parts:
            shutil.rmtree(root / relative.parts[0], ignore_errors=True)
