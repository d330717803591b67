"""Where workers find the next job: the SQLite table itself (embedded) or a Redis list.

Job state always lives in the SQLite job table; Redis only distributes job ids, so several
worker processes on hosts that share MINDKG_HOME pick jobs from one queue without polling.
"""

from __future__ import annotations

import threading
from typing import Protocol

from api.jobs.store import Job, JobStore
from contracts.settings import ConfigError

REDIS_QUEUE = "mindkg:jobs:queued"
REDIS_PROCESSING = "mindkg:jobs:processing"


class JobQueue(Protocol):
    def push(self, job_id: str) -> None: ...

    def next(self, timeout: float) -> Job | None:
        """Claim the next job (status becomes 'running'), waiting up to `timeout` seconds."""

    def done(self, job_id: str) -> None: ...

    def recover(
        self, lease_s: float, *, single_process: bool, max_attempts: int | None = None
    ) -> list[str]: ...

    def close(self) -> None: ...


class EmbeddedQueue:
    """The job table is the queue; an Event wakes idle workers when a job is submitted."""

    def __init__(self, store: JobStore) -> None:
        self.store = store
        self._wake = threading.Event()

    def push(self, job_id: str) -> None:
        self._wake.set()

    def next(self, timeout: float) -> Job | None:
        job = self.store.claim()
        if job is None:
            self._wake.wait(timeout)
            self._wake.clear()
            job = self.store.claim()
        return job

    def done(self, job_id: str) -> None:
        return None

    def recover(
        self, lease_s: float, *, single_process: bool, max_attempts: int | None = None
    ) -> list[str]:
        # One process owns the embedded queue, so every 'running' job at start-up is orphaned.
        ids = self.store.requeue_stale(
            older_than_s=None if single_process else lease_s, max_attempts=max_attempts
        )
        if ids:
            self._wake.set()
        return ids

    def close(self) -> None:
        self._wake.set()


class RedisQueue:
    """A Redis list of job ids; BLMOVE into a processing list so a claimed id is never lost."""

    def __init__(self, store: JobStore, url: str) -> None:
        import redis

        self.store = store
        try:
            self.client = redis.Redis.from_url(url, socket_timeout=10, decode_responses=True)
            self.client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ConfigError(f"MINDKG_REDIS_URL: cannot use Redis at {url}: {exc}") from exc

    def push(self, job_id: str) -> None:
        self.client.lpush(REDIS_QUEUE, job_id)

    def next(self, timeout: float) -> Job | None:
        job_id = self.client.blmove(
            REDIS_QUEUE, REDIS_PROCESSING, max(1, round(timeout)), "RIGHT", "LEFT"
        )
        if job_id is None:
            return None
        job = self.store.claim(str(job_id))
        if job is None:  # cancelled while queued, or claimed after a re-queue: drop the id
            self.client.lrem(REDIS_PROCESSING, 1, str(job_id))
        return job

    def done(self, job_id: str) -> None:
        self.client.lrem(REDIS_PROCESSING, 1, job_id)

    def recover(
        self, lease_s: float, *, single_process: bool, max_attempts: int | None = None
    ) -> list[str]:
        """Re-queue jobs whose worker stopped sending heartbeats, and queued jobs Redis lacks
        (submitted while Redis was down, or lost with a non-persistent Redis)."""
        requeued = self.store.requeue_stale(older_than_s=lease_s, max_attempts=max_attempts)
        for job_id in self.store.queued_ids():
            if self.client.lpos(REDIS_QUEUE, job_id) is None:
                self.client.lrem(REDIS_PROCESSING, 0, job_id)
                self.client.lpush(REDIS_QUEUE, job_id)
        return requeued

    def close(self) -> None:
        self.client.close()


def make_queue(store: JobStore, redis_url: str | None) -> JobQueue:
    return RedisQueue(store, redis_url) if redis_url else EmbeddedQueue(store)
