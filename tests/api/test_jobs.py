"""Durable jobs: progress, cancellation, media deletion, no partial writes, and the Redis queue."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.jobs.queue import REDIS_QUEUE, RedisQueue
from api.jobs.store import JobStore, jobs_db_path
from contracts.settings import ApiSettings, ConfigError, Settings
from kg.schema import SESSION, STUDENT
from kg.store.base import GraphStore
from kg.store.factory import open_store
from tests.api.conftest import (
    Keys,
    free_port,
    make_keys,
    seed_concepts,
    server_env,
    wait_job,
    zip_bundle,
)


def _graph_counts(settings: Settings) -> tuple[int, int]:
    with open_store(settings) as store:
        return len(store.find_nodes(STUDENT)), len(store.find_nodes(SESSION))


def _submit(client: TestClient, keys: Keys, data: bytes | None = None) -> dict:
    reply = client.post(
        "/v1/sessions",
        files={"bundle": ("b.zip", data or zip_bundle())},
        headers=keys.header("psychologist"),
    )
    assert reply.status_code == 202, reply.text
    return reply.json()


def test_cancel_a_queued_job(home_settings: Settings, keys: Keys) -> None:
    api = ApiSettings(purpose="counseling", workers=0)  # an API process without workers
    with TestClient(create_app(home_settings, api)) as client:
        job = _submit(client, keys)
        reply = client.post(f"/v1/jobs/{job['id']}/cancel", headers=keys.header("psychologist"))
        assert reply.status_code == 200
        assert reply.json()["status"] == "cancelled"
        again = client.post(f"/v1/jobs/{job['id']}/cancel", headers=keys.header("psychologist"))
        assert again.status_code == 409
    assert _graph_counts(home_settings) == (0, 0)


def test_cancel_a_running_job_writes_nothing(home_settings: Settings, keys: Keys) -> None:
    api = ApiSettings(purpose="counseling", workers=1, job_step_delay_s=0.3)
    psy = keys.header("psychologist")
    with TestClient(create_app(home_settings, api)) as client:
        job = _submit(client, keys)
        deadline = time.monotonic() + 10
        while client.get(f"/v1/jobs/{job['id']}", headers=psy).json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        running = client.get(f"/v1/jobs/{job['id']}", headers=psy).json()
        assert 0 < running["progress"] < 1 and running["message"]
        assert client.post(f"/v1/jobs/{job['id']}/cancel", headers=psy).status_code == 200
        final = wait_job(client, job["id"], psy)
        assert final["status"] == "cancelled", final
        assert "nothing was written" in final["error"]
        result = client.get(f"/v1/jobs/{job['id']}/result", headers=psy)
        assert result.status_code == 409
    assert _graph_counts(home_settings) == (0, 0)
    assert list((home_settings.home / "api" / "uploads").iterdir()) == []


def test_bad_scales_fail_the_job_without_partial_writes(
    client: TestClient, keys: Keys, home_settings: Settings
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(
            "manifest.json",
            '{"student": "s1", "session": "w01", "recorded_at": "2026-03-02T10:00:00+08:00", '
            '"scales": "scales.json", "synthetic": true}',
        )
        zf.writestr("scales.json", '{"SDS": [1, 2, 9]}')  # SYNTHETIC, deliberately invalid
    job = wait_job(
        client, _submit(client, keys, buffer.getvalue())["id"], keys.header("psychologist")
    )
    assert job["status"] == "failed"
    assert "SDS" in job["error"]
    assert _graph_counts(home_settings) == (0, 0)


def test_errors_name_files_in_the_bundle_not_server_paths(
    client: TestClient, keys: Keys, home_settings: Settings
) -> None:
    manifest = ('{"student": "s1", "session": "w01", "recorded_at": "2026-03-02T10:00:00+08:00", '
                '"language": "zh", "%s": "t.txt"}')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("manifest.json", manifest % "transcript")
        zf.writestr("t.txt", "最近睡不好".encode("gbk"))  # a GBK transcript: not UTF-8
    job = wait_job(
        client, _submit(client, keys, buffer.getvalue())["id"], keys.header("psychologist")
    )
    assert job["status"] == "failed"
    assert job["error"].startswith("t.txt: transcript is not UTF-8"), job["error"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("manifest.json", manifest % "audio")  # names a file the archive lacks
    reply = client.post("/v1/sessions", files={"bundle": ("b.zip", buffer.getvalue())},
                        headers=keys.header("psychologist"))
    assert reply.status_code == 422
    assert reply.json()["detail"].endswith("names 't.txt', which is not a file in the bundle")
    assert str(home_settings.home) not in job["error"] + reply.text
    assert _graph_counts(home_settings) == (0, 0)


def test_media_retained_only_when_configured(home_settings: Settings, keys: Keys) -> None:
    api = ApiSettings(purpose="counseling", retain_media=True)
    with TestClient(create_app(home_settings, api)) as client:
        job = wait_job(client, _submit(client, keys)["id"], keys.header("psychologist"))
    assert job["status"] == "done"
    kept = list((home_settings.home / "api" / "uploads").glob("*/manifest.json"))
    assert len(kept) == 1


def test_analysis_refused_until_purpose_is_declared(home_settings: Settings, keys: Keys) -> None:
    with TestClient(create_app(home_settings, ApiSettings(purpose=None))) as client:
        for path, kwargs in (
            ("/v1/sessions", {"files": {"bundle": ("b.zip", zip_bundle())}}),
            ("/v1/assessments", {"json": {"feature_texts": []}}),
        ):
            reply = client.post(path, headers=keys.header("app"), **kwargs)
            if path == "/v1/assessments":
                assert reply.status_code == 422  # the body is checked first: empty list
                continue
            assert reply.status_code == 409
            assert reply.json()["error"] == "purpose_not_declared"
            assert "MINDKG_PURPOSE" in reply.json()["detail"]
        ready = client.get("/v1/health/ready").json()
        assert "not declared" in ready["checks"]["purpose"]


def _wait_for_blocked_workers(url: str, count: int, timeout: float = 60) -> None:
    """Both worker processes are up once they block on BLMOVE."""
    import redis

    client = redis.Redis.from_url(url, decode_responses=True)
    deadline = time.monotonic() + timeout
    try:
        while sum(c.get("cmd") == "blmove" for c in client.client_list()) < count:
            assert time.monotonic() < deadline, "worker processes did not start"
            time.sleep(0.1)
    finally:
        client.close()


def test_redis_queue_shared_by_two_worker_processes(
    home_settings: Settings, keys: Keys, redis_url: str
) -> None:
    """The API (no workers of its own) enqueues on Redis; two `mindkg worker` processes share
    the queue. Each job step pauses 0.2 s so that one worker cannot drain it alone."""
    api = ApiSettings(purpose="counseling", workers=0, redis_url=redis_url)
    env = server_env(home_settings.home, MINDKG_REDIS_URL=redis_url, MINDKG_JOB_STEP_DELAY_S="0.2")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", "from api.cli_server import server_app; server_app(['worker'])"],
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        _wait_for_blocked_workers(redis_url, 2)
        with TestClient(create_app(home_settings, api)) as client:
            ids = [_submit(client, keys)["id"] for _ in range(6)]
            jobs = [wait_job(client, i, keys.header("psychologist"), timeout=90) for i in ids]
        assert [j["status"] for j in jobs] == ["done"] * 6
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.wait(20)
    store = JobStore(jobs_db_path(home_settings.home))
    try:
        pids = {str(store.get(i).worker).split(":")[1] for i in ids}  # type: ignore[union-attr]
    finally:
        store.close()
    assert pids == {str(p.pid) for p in workers}, "both worker processes took jobs"
    assert _graph_counts(home_settings) == (1, 1)


def test_redis_recovery_requeues_jobs_redis_lost(home_settings: Settings, redis_url: str) -> None:
    store = JobStore(jobs_db_path(home_settings.home))
    queue = RedisQueue(store, redis_url)
    try:
        lost = store.create(
            Path("/nonexistent"), owns_media=False, write=False, submitted_by="k", center=None
        )
        stale = store.create(
            Path("/nonexistent"), owns_media=False, write=False, submitted_by="k", center=None
        )
        assert store.claim(stale.id) is not None  # a worker took it, then died (no heartbeat)
        assert queue.client.llen(REDIS_QUEUE) == 0
        requeued = queue.recover(lease_s=0.0, single_process=False)
        assert requeued == [stale.id]
        assert sorted(queue.client.lrange(REDIS_QUEUE, 0, -1)) == sorted([lost.id, stale.id])
        claimed = queue.next(timeout=1)
        assert claimed is not None and claimed.status == "running"
    finally:
        queue.close()
        store.close()


@pytest.mark.neo4j
def test_upload_into_the_neo4j_store(neo4j_store: GraphStore, neo4j_settings: Settings) -> None:
    """The same HTTP flow against the real Neo4j server (scripts/test.sh starts it)."""
    neo4j_settings.home.mkdir(parents=True, exist_ok=True)
    seed_concepts(neo4j_settings)
    keys = make_keys(neo4j_settings.home)
    psy = keys.header("psychologist")
    with TestClient(create_app(neo4j_settings, ApiSettings(purpose="medical"))) as client:
        job = wait_job(client, _submit(client, keys)["id"], psy)
        assert job["status"] == "done", job
        student = job["session_key"].split("/")[0]
        graph = client.get(f"/v1/students/{student}/graph", headers=psy).json()
        assert client.get("/v1/health/ready").json()["checks"]["store"] == "ok"
    labels = {label for node in graph["nodes"] for label in node["labels"]}
    assert {"Student", "Session", "FeatureText", "Assessment", "Concept"} <= labels
    assert neo4j_store.get_node("Session", job["session_key"]) is not None


def test_one_embedded_worker_process_per_home(home_settings: Settings, keys: Keys) -> None:
    """Two processes with embedded workers would both re-queue each other's running jobs."""
    with TestClient(create_app(home_settings, ApiSettings(purpose="counseling"))):
        second = TestClient(create_app(home_settings, ApiSettings(purpose="counseling")))
        with pytest.raises(ConfigError, match="MINDKG_REDIS_URL"):
            second.__enter__()
        # An API-only process (no workers) may run beside it.
        with TestClient(
            create_app(home_settings, ApiSettings(purpose="counseling", workers=0))
        ) as c:
            assert c.get("/v1/health/ready").status_code == 200


def test_unreachable_redis_is_a_clear_start_up_error(home_settings: Settings) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    client = TestClient(create_app(home_settings, ApiSettings(purpose="counseling", redis_url=url)))
    with pytest.raises(ConfigError, match="MINDKG_REDIS_URL: cannot use Redis"):
        client.__enter__()
