"""Accepted work is durable and bounded (issue 13): time budgets, stuck workers, cancellation
inside the decoders, retries of transient store failures, maximum attempts, upload sweeps,
owner-only files, audited refusals and complete erasure. Real app, real stores, real files."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.auth.keys import AuthDB, auth_db_path
from api.http.app import create_app
from api.jobs.store import JobStore, jobs_db_path
from api.jobs.sweep import sweep_uploads, uploads_dir
from contracts.settings import ApiSettings, Settings
from ingest.cancel import Interrupted, checkpoint, stop_scope
from ingest.video.decode import iter_frames
from ingest.video.stream import prefetch
from kg.graph_model import Node
from kg.schema import CONCEPT
from kg.store.sqlite_store import SqliteGraphStore
from tests.api.conftest import SAMPLES, Keys, wait_job, zip_bundle

PSY = "psychologist"


def _submit(client: TestClient, keys: Keys, data: bytes | None = None, role: str = PSY) -> dict:
    reply = client.post(
        "/v1/sessions", files={"bundle": ("b.zip", data or zip_bundle())}, headers=keys.header(role)
    )
    assert reply.status_code == 202, reply.text
    return dict(reply.json())


def _uploads(settings: Settings) -> list[str]:
    root = uploads_dir(settings)
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


# -- time budget, stuck workers, cancellation ----------------------------------------------------
def test_job_over_its_time_budget_fails_with_that_reason(
    home_settings: Settings, keys: Keys
) -> None:
    api = ApiSettings(purpose="counseling", job_timeout_s=0.4, job_step_delay_s=0.3)
    with TestClient(create_app(home_settings, api)) as client:
        job = wait_job(client, _submit(client, keys)["id"], keys.header(PSY))
    assert job["status"] == "failed"
    assert "MINDKG_JOB_TIMEOUT_S=0.4" in job["error"] and "nothing was written" in job["error"]
    assert _uploads(home_settings) == []


def test_readiness_reports_a_stuck_worker_and_the_queue_moves_on(
    home_settings: Settings, keys: Keys
) -> None:
    """A step that never reaches a checkpoint (here: the demo pause, a plain sleep) keeps the
    worker past budget + grace: the job is failed, a replacement worker serves the queue, and
    readiness says 503 naming the stuck worker until the process restarts."""
    api = ApiSettings(
        purpose="counseling",
        job_timeout_s=0.2,
        job_stuck_grace_s=0.3,
        job_lease_s=0.6,
        job_step_delay_s=6.0,
    )
    with TestClient(create_app(home_settings, api)) as client:
        first = _submit(client, keys)
        deadline = time.monotonic() + 20
        while (failed := client.get(f"/v1/jobs/{first['id']}", headers=keys.header(PSY)).json())[
            "status"
        ] != "failed":
            assert time.monotonic() < deadline, failed
            time.sleep(0.1)
        assert "did not stop" in failed["error"]
        ready = client.get("/v1/health/ready")
        assert ready.status_code == 503
        assert first["id"] in ready.json()["checks"]["stuck_workers"]
        runner = client.app.state.mindkg.runner  # type: ignore[attr-defined]
        assert runner.alive == 1  # the replacement


def _video(path: Path, frames: int) -> Path:
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25.0, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), i % 255, np.uint8))
    writer.release()
    return path


def test_cancel_is_honoured_between_frames_also_in_prefetch_threads(tmp_path: Path) -> None:
    video = _video(tmp_path / "clip.avi", 60)
    calls = {"n": 0}

    def should_stop() -> tuple[str, str] | None:
        calls["n"] += 1
        return ("cancelled", "cancelled on request") if calls["n"] > 10 else None

    seen = 0
    with stop_scope(should_stop, every_s=0.0), pytest.raises(Interrupted, match="cancelled"):  # type: ignore[arg-type]
        for _frame in prefetch(iter_frames(video), 4, "test-decode"):
            seen += 1
    assert 5 <= seen < 60
    checkpoint()  # outside a scope: nothing happens


# -- transient failures, attempts, sweeps --------------------------------------------------------
@pytest.mark.parametrize("queue", ["embedded", "redis"])
def test_transient_store_failure_is_retried_then_succeeds(
    home_settings: Settings, keys: Keys, queue: str, request: pytest.FixtureRequest
) -> None:
    redis_url = request.getfixturevalue("redis_url") if queue == "redis" else None
    graph_file = home_settings.embedded_db_path
    aside = graph_file.with_name("graph.aside")
    graph_file.rename(aside)
    graph_file.mkdir()  # the embedded store cannot open a folder: StoreUnavailable
    api = ApiSettings(
        purpose="counseling",
        job_retry_base_s=0.3,
        job_max_attempts=6,
        redis_url=redis_url,
        job_lease_s=1.5,  # Redis: the heartbeat thread re-pushes due jobs every 0.5 s
    )
    with TestClient(create_app(home_settings, api)) as client:
        job = _submit(client, keys)
        deadline = time.monotonic() + 20
        while (now := client.get(f"/v1/jobs/{job['id']}", headers=keys.header(PSY)).json())[
            "attempts"
        ] < 2:
            assert now["status"] in ("queued", "running"), now
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert "graph store unavailable" in (now["error"] or "")
        assert _uploads(home_settings) != []  # kept for the retry
        graph_file.rmdir()
        aside.rename(graph_file)  # the store is back
        done = wait_job(client, job["id"], keys.header(PSY), timeout=30)
    assert done["status"] == "done" and done["attempts"] >= 2, done
    assert _uploads(home_settings) == []


def test_transient_failures_give_up_after_max_attempts_and_keep_the_upload(
    home_settings: Settings, keys: Keys
) -> None:
    graph_file = home_settings.embedded_db_path
    graph_file.rename(graph_file.with_name("graph.aside"))
    graph_file.mkdir()
    api = ApiSettings(purpose="counseling", job_retry_base_s=0.05, job_max_attempts=3)
    with TestClient(create_app(home_settings, api)) as client:
        job = wait_job(client, _submit(client, keys)["id"], keys.header(PSY), timeout=30)
    assert job["status"] == "failed" and job["attempts"] == 3
    assert "gave up after 3 attempt(s)" in job["error"] and "MINDKG_JOB_MAX_ATTEMPTS=3" in job["error"]
    kept = _uploads(home_settings)
    assert len(kept) == 1
    store = JobStore(jobs_db_path(home_settings.home))
    try:
        retention = ApiSettings(upload_retention_s=3600)
        assert sweep_uploads(home_settings, retention, store) == []  # within retention
        later = time.time() + 3601
        assert sweep_uploads(home_settings, retention, store, now=later) == kept
    finally:
        store.close()


def test_a_job_that_keeps_killing_its_worker_stops_after_max_attempts(tmp_path: Path) -> None:
    store = JobStore(jobs_db_path(tmp_path))
    try:
        job = store.create(tmp_path, owns_media=False, write=False, submitted_by="k", center=None)
        for attempt in (1, 2):
            claimed = store.claim()
            assert claimed is not None and claimed.attempts == attempt
            # the process died while running it; start-up recovery:
            assert store.requeue_stale(older_than_s=None, max_attempts=2) == (
                [job.id] if attempt < 2 else []
            )
        final = store.get(job.id)
        assert final is not None and final.status == "failed"
        assert "MINDKG_JOB_MAX_ATTEMPTS=2" in (final.error or "")
    finally:
        store.close()


def test_cancelled_and_orphaned_uploads_are_swept(home_settings: Settings, keys: Keys) -> None:
    with TestClient(create_app(home_settings, ApiSettings(purpose="counseling", workers=0))) as c:
        queued = _submit(c, keys)
        kept = _submit(c, keys)  # stays queued across the restart
        assert len(_uploads(home_settings)) == 2
        c.post(f"/v1/jobs/{queued['id']}/cancel", headers=keys.header(PSY))
        assert len(_uploads(home_settings)) == 1  # a cancelled queued job's media go at once
    root = uploads_dir(home_settings)
    stray = root / "up_0123456789abcdef"
    stray.mkdir()
    (stray / "video.mp4").write_bytes(b"raw media of a crashed upload")
    old = time.time() - 7200
    os.utime(stray, (old, old))
    (root / "up_fedcba9876543210.archive").write_bytes(b"half an upload")
    os.utime(root / "up_fedcba9876543210.archive", (old, old))
    fresh = root / "up_00000000000000ff"
    fresh.mkdir()  # may belong to another process unpacking right now
    with TestClient(create_app(home_settings, ApiSettings(purpose="counseling"))) as client:
        left = set(_uploads(home_settings))
        assert "up_0123456789abcdef" not in left and "up_fedcba9876543210.archive" not in left
        assert "up_00000000000000ff" in left
        assert wait_job(client, kept["id"], keys.header(PSY))["status"] == "done"


# -- files, audit, erasure -------------------------------------------------------------------
@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_data_files_are_owner_only_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    home = tmp_path / "home"
    graph = SqliteGraphStore(home / "graph.sqlite3")
    graph.ensure_schema()
    graph.write([Node(CONCEPT, "scale:PHQ9", {"name_en": "PHQ-9"})])
    jobs = JobStore(jobs_db_path(home))
    auth = AuthDB(auth_db_path(home))
    try:
        for path in (
            home / "graph.sqlite3",
            home / "graph.sqlite3-wal",
            jobs_db_path(home),
            jobs_db_path(home).with_name("jobs.sqlite3-wal"),
            auth_db_path(home),
        ):
            assert path.exists(), path
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE((home / "api").stat().st_mode) == 0o700
    finally:
        graph.close()
        jobs.close()
        auth.close()


def test_uploads_are_owner_only_whatever_the_umask(
    home_settings: Settings, keys: Keys, open_umask: None
) -> None:
    with TestClient(create_app(home_settings, ApiSettings(purpose="counseling", workers=0))) as c:
        _submit(c, keys)
    root = uploads_dir(home_settings)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert stat.S_IMODE(home_settings.embedded_db_path.stat().st_mode) == 0o600


def _audit(client: TestClient, keys: Keys) -> list[dict]:
    return list(client.get("/v1/audit?limit=1000", headers=keys.header("admin")).json())


def test_refused_reads_are_audited(client: TestClient, keys: Keys) -> None:
    job = wait_job(client, _submit(client, keys)["id"], keys.header(PSY))
    student = job["session_key"].split("/")[0]
    assert client.get(f"/v1/students/{student}/graph", headers=keys.header("app")).status_code == 403
    other = client.get(f"/v1/jobs/{job['id']}/result", headers=keys.header("app_other"))
    assert other.status_code == 404
    missing = client.get(
        "/v1/students/stu_00000000000000000000/trend", headers=keys.header("admin")
    )
    assert missing.status_code == 404
    rows = [(e["role"], e["route"], e["outcome"]) for e in _audit(client, keys)]
    assert ("app", "/v1/students/{student}/graph", 403) in rows
    assert ("app", "/v1/jobs/{job_id}/result", 404) in rows
    assert ("admin", "/v1/students/{student}/trend", 404) in rows


def _dry_run_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted((SAMPLES / "en_w01_risk").iterdir()):
            data = path.read_bytes()
            if path.name == "manifest.json":
                manifest = json.loads(data)
                manifest["student"] = "no-graph-student"
                data = json.dumps(manifest).encode()
            zf.writestr(path.name, data)
    return buffer.getvalue()


def test_erasure_of_a_student_without_graph_nodes(
    client: TestClient, keys: Keys, home_settings: Settings
) -> None:
    reply = client.post(
        "/v1/sessions",
        files={"bundle": ("b.zip", _dry_run_zip())},
        data={"write": "false"},
        headers=keys.header("app"),
    )
    job = wait_job(client, reply.json()["id"], keys.header("app"))
    assert job["status"] == "done"
    student = job["session_key"].split("/")[0]
    assert client.get(f"/v1/jobs/{job['id']}/result", headers=keys.header("app")).status_code == 200
    erased = client.delete(f"/v1/students/{student}", headers=keys.header("admin"))
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["graph_nodes_removed"] == 0 and body["job_results_erased"] == 1
    assert any("job" in line for line in body["removed"])
    assert client.get(f"/v1/jobs/{job['id']}/result", headers=keys.header("app")).status_code == 410
    jobs_file = jobs_db_path(home_settings.home)
    raw = jobs_file.read_bytes() + jobs_file.with_name("jobs.sqlite3-wal").read_bytes()
    assert b'"suicide_risk"' not in raw  # neither in the table nor left in the WAL
    again = client.delete(f"/v1/students/{student}", headers=keys.header("admin"))
    assert again.status_code == 200 and again.json()["job_results_erased"] == 1


def test_erasure_removes_kept_uploads(home_settings: Settings, keys: Keys) -> None:
    api = ApiSettings(purpose="counseling", workers=0)
    with TestClient(create_app(home_settings, api)) as client:
        job = _submit(client, keys)
        store = client.app.state.mindkg.jobs  # type: ignore[attr-defined]
        store.set_identity(job["id"], "stu_0000000000000000abcd", "w01")
        assert _uploads(home_settings) != []
        erased = client.delete("/v1/students/stu_0000000000000000abcd", headers=keys.header("admin"))
        assert erased.status_code == 200 and erased.json()["uploads_removed"] == 1
        assert _uploads(home_settings) == []
        assert client.get(f"/v1/jobs/{job['id']}", headers=keys.header(PSY)).json()["status"] == "cancelled"
    shutil.rmtree(uploads_dir(home_settings), ignore_errors=True)


def test_admin_cli_erase_sweep_and_pseudonym_map(
    client: TestClient, keys: Keys, home_settings: Settings, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from api.cli import app
    from kg.pseudonym import legacy_pseudonym, load_or_create_key, pseudonymize

    job = wait_job(client, _submit(client, keys)["id"], keys.header(PSY))
    student = job["session_key"].split("/")[0]
    env = {"MINDKG_HOME": str(home_settings.home), "MINDKG_STORE": "embedded"}
    runner = CliRunner()
    erased = runner.invoke(app, ["admin", "erase", student], env=env)
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.stdout.strip().splitlines()[-1])["graph_nodes_removed"] >= 3
    again = runner.invoke(app, ["admin", "erase", student], env=env)  # the job rows remain
    assert json.loads(again.stdout.strip().splitlines()[-1])["graph_nodes_removed"] == 0
    unknown = runner.invoke(app, ["admin", "erase", "stu_00000000000000000000"], env=env)
    assert unknown.exit_code == 2 and "nothing is stored" in unknown.output
    assert runner.invoke(app, ["admin", "erase", "2024001"], env=env).exit_code == 2
    routes = [(e["key_id"], e["route"]) for e in _audit(client, keys)]
    assert any(k.startswith("cli:") and r == "mindkg admin erase" for k, r in routes)
    assert runner.invoke(app, ["admin", "sweep-uploads"], env=env).exit_code == 0

    ids = tmp_path / "ids.txt"
    ids.write_text("demo-student-001\n2024001234\n")
    mapped = runner.invoke(
        app, ["admin", "pseudonym-map", "--ids", str(ids), "--center", "center-a"], env=env
    )
    assert mapped.exit_code == 0, mapped.output
    rows = [line.split(",") for line in mapped.stdout.strip().splitlines()]
    key = load_or_create_key(home_settings)
    assert rows[0] == ["legacy_pseudonym", "pseudonym", "center"]
    assert rows[1] == [
        legacy_pseudonym("demo-student-001", key),
        pseudonymize("demo-student-001", key, "center-a"),
        "center-a",
    ]
    assert rows[1][1] == student  # the API's center-a pseudonym
    assert "demo-student-001" not in mapped.stdout
    ids.write_text("demo-student-001\nbad id!\n")  # an invalid id: one error, nothing printed
    bad = runner.invoke(
        app, ["admin", "pseudonym-map", "--ids", str(ids), "--center", "center-a"], env=env
    )
    assert bad.exit_code == 2 and not bad.stdout.strip()
    assert "line 2 is not a student id" in bad.stderr and "bad id!" not in bad.output
    helped = runner.invoke(app, ["admin", "pseudonym-map", "--help"], env=env)
    assert "legacy_pseudonym,pseudonym,center" in helped.stdout


def test_one_process_per_home_runs_embedded_job_workers(home_settings: Settings) -> None:
    """A second server on the same MINDKG_HOME is refused; a sibling HTTP process of one
    `serve --processes N` serves without job workers and readiness says so."""
    from api.jobs.queue import EmbeddedQueue
    from api.jobs.runner import Runner
    from contracts.settings import ConfigError

    store = JobStore(jobs_db_path(home_settings.home))
    runners: list[Runner] = []

    def runner(api: ApiSettings) -> Runner:
        made = Runner(home_settings, api, store, EmbeddedQueue(store), lambda _s, _c: None)
        runners.append(made)
        return made

    try:
        runner(ApiSettings(purpose="counseling")).start(1)
        with pytest.raises(ConfigError, match="another MindKG process runs embedded job workers"):
            runner(ApiSettings(purpose="counseling")).start(1)
        sibling = runner(ApiSettings(purpose="counseling", http_processes=2))
        assert sibling.start(1) == [] and sibling.wanted == 0 and sibling.alive == 0
    finally:
        for made in runners:
            made.stop(2)
        store.close()
    with TestClient(create_app(home_settings, ApiSettings(purpose="counseling"))) as owner:
        api = ApiSettings(purpose="counseling", http_processes=2)
        with TestClient(create_app(home_settings, api)) as sibling_app:
            ready = sibling_app.get("/v1/health/ready")
            assert ready.status_code == 200, ready.text
            assert "sibling HTTP process runs the job workers" in ready.json()["checks"]["workers"]
            assert owner.get("/v1/health/ready").json()["checks"]["workers"] == "1/1 alive"


def test_second_serve_on_one_home_is_one_line_exit_2(tmp_path: Path) -> None:
    """A second `mindkg serve` on the same MINDKG_HOME: the embedded-worker lock is checked
    before uvicorn starts, so it is one error line and exit 2, no lifespan traceback; the
    first server keeps serving."""
    import subprocess
    import sys

    import httpx

    from tests.api.conftest import SERVE, Server

    home = tmp_path / "home"
    first = Server(home).start()
    try:
        second = Server(home)
        done = subprocess.run([sys.executable, "-c", SERVE.format(port=second.port)],
                              env=second.env, cwd=Path(__file__).resolve().parents[2],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 2, done.stderr
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("error: configuration: another MindKG process runs embedded")
        assert httpx.get(f"{first.url}/v1/health/live", timeout=5).status_code == 200
    finally:
        first.stop()
