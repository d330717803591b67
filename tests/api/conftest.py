"""Fixtures for the API tests: a real app (TestClient runs its lifespan and worker threads),
real keys in the real auth database, and sample bundles packed as real zip/tar archives."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.auth.keys import AuthDB, auth_db_path
from api.http.app import create_app
from contracts.settings import ApiSettings, Settings
from kg.graph_model import Node
from kg.schema import CONCEPT
from kg.store.factory import open_store
from tests.conftest import SHARED_CACHE

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "sessions"
# The concepts the sample scales name, so alignments can be written without the full seed.
SAMPLE_CONCEPTS = [
    ("scale:SDS", "Scale", "SDS 抑郁自评量表", "Zung SDS"),
    ("scale:PHQ9", "Scale", "PHQ-9", "PHQ-9"),
    ("scale:HAMD17", "Scale", "HAMD-17", "HAMD-17"),
    *[(f"severity:{lv}", "Severity", lv, lv) for lv in ("none", "mild", "moderate", "severe")],
    *[(f"risk:{lv}", "RiskLevel", lv, lv) for lv in ("none", "low", "moderate", "high")],
]

# Every per-student read route (w01: the sample bundles' session).
STUDENT_ROUTES = [
    "/v1/students/{s}/sessions",
    "/v1/students/{s}/graph",
    "/v1/students/{s}/trend",
    "/v1/students/{s}/trend.png",
    "/v1/students/{s}/trend.html",
    "/v1/students/{s}/sessions/w01/timeline.png",
    "/v1/students/{s}/sessions/w01/timeline.html",
]


def zip_bundle(name: str = "zh_w01_moderate", *, top: str | None = None) -> bytes:
    """A real zip of a sample bundle folder (optionally under one top-level folder)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((SAMPLES / name).iterdir()):
            zf.write(path, f"{top}/{path.name}" if top else path.name)
    return buffer.getvalue()


@dataclass
class Keys:
    psychologist: str
    psychologist_other: str
    app: str
    app_other: str
    researcher: str
    admin: str

    def header(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role)}"}


@pytest.fixture(autouse=True)
def _recognizer_alignment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """API tests exercise the HTTP layer on a tiny concept set: training a joint space for it
    would take minutes per test. Semantic alignment has its own tests (tests/integration).
    The variable is for settings loaded with load_settings; `settings` below is built directly."""
    monkeypatch.setenv("MINDKG_SEMANTIC_ALIGNMENT", "false")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", cache_dir=SHARED_CACHE, semantic_alignment=False)


@pytest.fixture
def neo4j_settings(neo4j_settings: Settings) -> Settings:
    """The shared Neo4j settings (tests/conftest.py) without semantic alignment, as above."""
    return neo4j_settings.model_copy(update={"semantic_alignment": False})


def seed_concepts(settings: Settings) -> None:
    with open_store(settings) as store:
        store.write(
            [
                Node(CONCEPT, cid, {"name_zh": zh, "name_en": en, "type": t}, extra_labels=(t,))
                for cid, t, zh, en in SAMPLE_CONCEPTS
            ]
        )


def make_keys(home: Path) -> Keys:
    auth = AuthDB(auth_db_path(home))
    try:
        return Keys(
            psychologist=auth.create_key("dr-a", "psychologist", "center-a")[1],
            psychologist_other=auth.create_key("dr-b", "psychologist", "center-b")[1],
            app=auth.create_key("app-a", "app", "center-a")[1],
            app_other=auth.create_key("app-b", "app", "center-b")[1],
            researcher=auth.create_key("res", "researcher")[1],
            admin=auth.create_key("root", "admin")[1],
        )
    finally:
        auth.close()


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings(purpose="counseling", research_min_students=1, workers=1)


@pytest.fixture
def home_settings(settings: Settings) -> Settings:
    settings.home.mkdir(parents=True, exist_ok=True)
    seed_concepts(settings)
    return settings


@pytest.fixture
def keys(home_settings: Settings) -> Keys:
    return make_keys(home_settings.home)


@pytest.fixture
def client(home_settings: Settings, api_settings: ApiSettings, keys: Keys) -> Iterator[TestClient]:
    with TestClient(create_app(home_settings, api_settings)) as test_client:
        yield test_client


def wait_job(client: TestClient, job_id: str, headers: dict[str, str], timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job still {job['status']} after {timeout}s: {job}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real redis-server on a free loopback port, without persistence, for one test."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def server_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINDKG_")}
    env.update(
        {"MINDKG_HOME": str(home), "MINDKG_PURPOSE": "counseling", "MINDKG_STORE": "embedded",
         "MINDKG_SEMANTIC_ALIGNMENT": "false"}
    )
    env.update(extra)
    return env


SERVE = "from api.cli_server import server_app; server_app(['serve', '--port', '{port}'])"


class Server:
    """`mindkg serve` as a real subprocess (uvicorn on a loopback port)."""

    def __init__(self, home: Path, **env: str) -> None:
        self.home = home
        self.env = server_env(home, **env)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = home / f"server-{self.port}.log"

    def start(self, timeout: float = 120) -> Server:
        import httpx

        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", SERVE.format(port=self.port)],
                env=self.env,
                cwd=Path(__file__).resolve().parents[2],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/v1/health/live", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run, exactly like a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
