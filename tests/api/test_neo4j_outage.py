"""The Neo4j outage variant of the fault suite (issue 13): the graph store goes away mid-job.

The app talks to the real test Neo4j server (MINDKG_TEST_NEO4J_URI, started by scripts/test.sh)
through a TCP proxy that the test cuts: the listening socket closes and every open connection
is shut, exactly what the driver sees when the server stops, without stopping the server that
later tests share. Marked `neo4j`: skipped without a server, required in CI
(MINDKG_REQUIRE_NEO4J=1).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.jobs.store import JobStore, jobs_db_path
from api.jobs.sweep import sweep_uploads, uploads_dir
from contracts.settings import ApiSettings, Settings
from kg.store.base import GraphStore
from tests.api.conftest import Keys, free_port, make_keys, seed_concepts, zip_bundle

pytestmark = pytest.mark.neo4j
PSY = "psychologist"


class CuttableProxy:
    """A loopback TCP proxy to one address; `cut()` makes the upstream look stopped (refused
    connections, open ones reset) and `restore()` brings it back on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _shut(listener)
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _shut(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _shut(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open |= {client, upstream}
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                _shut(sock)
            with self._lock:
                self._open -= {src, dst}


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


@pytest.fixture
def proxy(neo4j_settings: Settings) -> Iterator[CuttableProxy]:
    target = urlparse(neo4j_settings.neo4j_uri or "")
    proxied = CuttableProxy(target.hostname or "localhost", target.port or 7687)
    proxied.restore()
    yield proxied
    proxied.cut()


@pytest.fixture
def outage_settings(
    neo4j_settings: Settings, neo4j_store: GraphStore, proxy: CuttableProxy
) -> Settings:
    """The app's settings: the test Neo4j (wiped by `neo4j_store`) behind the proxy."""
    settings = neo4j_settings.model_copy(update={"neo4j_uri": proxy.uri, "semantic_alignment": False})
    settings.home.mkdir(parents=True, exist_ok=True)
    seed_concepts(settings)
    return settings


def _submit(client: TestClient, keys: Keys) -> str:
    reply = client.post(
        "/v1/sessions", files={"bundle": ("b.zip", zip_bundle())}, headers=keys.header(PSY)
    )
    assert reply.status_code == 202, reply.text
    return str(reply.json()["id"])


def _job(client: TestClient, keys: Keys, job_id: str) -> dict:
    return dict(client.get(f"/v1/jobs/{job_id}", headers=keys.header(PSY)).json())


def _wait(client: TestClient, keys: Keys, job_id: str, done: object, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = _job(client, keys, job_id)
        if callable(done) and done(job):
            return job
        assert time.monotonic() < deadline, f"timed out waiting: {job}"
        time.sleep(0.05)


def _past_opening_the_store(job: dict) -> bool:
    """The worker has the store open and is analysing: the next store call is mid-job."""
    return job["status"] == "running" and job["message"] not in (
        "", "queued", "started", "reading the session bundle", "opening the graph store"
    )


def _uploads(settings: Settings) -> list[str]:
    root = uploads_dir(settings)
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def _ready(client: TestClient) -> tuple[int, dict]:
    reply = client.get("/v1/health/ready")
    return reply.status_code, dict(reply.json()["checks"])


def test_neo4j_outage_mid_job_is_retried_then_succeeds(
    outage_settings: Settings, proxy: CuttableProxy
) -> None:
    keys = make_keys(outage_settings.home)
    api = ApiSettings(purpose="counseling", job_step_delay_s=0.3, job_retry_base_s=0.5,
                      job_max_attempts=8)
    with TestClient(create_app(outage_settings, api)) as client:
        assert _ready(client)[0] == 200
        job_id = _submit(client, keys)
        _wait(client, keys, job_id, _past_opening_the_store)
        proxy.cut()  # Neo4j "stops" while the job is analysing
        retrying = _wait(client, keys, job_id,
                         lambda j: "graph store unavailable" in (j["error"] or ""), timeout=90)
        assert retrying["status"] in ("queued", "running"), retrying  # not failed for good
        assert "during schema creation" not in retrying["error"], retrying  # it was mid-job
        status, checks = _ready(client)
        assert status == 503 and checks["store"].startswith("unavailable"), checks
        assert len(_uploads(outage_settings)) == 1  # the upload is kept for the retry
        proxy.restore()  # Neo4j is back
        done = _wait(client, keys, job_id, lambda j: j["status"] not in ("queued", "running"),
                     timeout=120)
        assert done["status"] == "done" and done["attempts"] >= 2, done
        assert _ready(client)[0] == 200
        student = done["session_key"].split("/")[0]
        sessions = client.get(f"/v1/students/{student}/sessions", headers=keys.header(PSY))
        assert sessions.status_code == 200 and [s["session"] for s in sessions.json()] == ["w01"]
    assert _uploads(outage_settings) == []


def test_neo4j_gone_for_good_fails_with_the_reason_and_keeps_the_upload(
    outage_settings: Settings, proxy: CuttableProxy
) -> None:
    keys = make_keys(outage_settings.home)
    api = ApiSettings(purpose="counseling", job_step_delay_s=0.3, job_retry_base_s=0.2,
                      job_max_attempts=3)
    with TestClient(create_app(outage_settings, api)) as client:
        job_id = _submit(client, keys)
        _wait(client, keys, job_id, _past_opening_the_store)
        proxy.cut()
        first = _wait(client, keys, job_id, lambda j: bool(j["error"]), timeout=90)
        assert "during schema creation" not in first["error"], first  # it was mid-job
        failed = _wait(client, keys, job_id, lambda j: j["status"] not in ("queued", "running"),
                       timeout=120)
        assert failed["status"] == "failed" and failed["attempts"] == 3, failed
        error = failed["error"] or ""
        assert "graph store unavailable" in error and "Neo4j" in error, error
        assert "gave up after 3 attempt(s)" in error and "MINDKG_JOB_MAX_ATTEMPTS=3" in error
        assert "upload is kept until the retention sweep" in error
        status, checks = _ready(client)
        assert status == 503 and checks["store"].startswith("unavailable"), checks
        kept = _uploads(outage_settings)
        assert len(kept) == 1
    store = JobStore(jobs_db_path(outage_settings.home))
    try:
        retention = ApiSettings(upload_retention_s=3600)
        assert sweep_uploads(outage_settings, retention, store) == []  # within retention
        assert sweep_uploads(outage_settings, retention, store, now=time.time() + 3601) == kept
    finally:
        store.close()
    assert _uploads(outage_settings) == []
