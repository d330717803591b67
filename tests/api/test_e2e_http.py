"""End to end over real HTTP: `mindkg serve` in a subprocess, httpx as the client."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from api.cli_server import server_app
from contracts.settings import Settings
from tests.api.conftest import SAMPLES, Server, free_port, make_keys, seed_concepts, zip_bundle


def _wait(client: httpx.Client, job_id: str, until: set[str], timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}").raise_for_status().json()
        if job["status"] in until:
            return job
        assert time.monotonic() < deadline, f"job stuck: {job}"
        time.sleep(0.05)


def test_upload_poll_and_get_assessment(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    seed_concepts(Settings(home=home))
    keys = make_keys(home)
    server = Server(home).start()
    try:
        with httpx.Client(base_url=server.url, headers=keys.header("psychologist")) as client:
            assert client.get("/docs").status_code == 200  # interactive OpenAPI docs
            assert client.get("/v1/health/ready").json()["status"] == "ok"
            reply = client.post(
                "/v1/sessions", files={"bundle": ("zh_w01_moderate.zip", zip_bundle())}
            )
            assert reply.status_code == 202, reply.text
            job = _wait(client, reply.json()["id"], {"done", "failed", "cancelled"})
            assert job["status"] == "done", job
            assert job["progress"] == 1.0
            result = client.get(job["links"]["result"]).raise_for_status().json()
        assert result["student"].startswith("stu_")
        assert "demo-student-001" not in reply.text + str(result)
        assert result["assessment"]["depression_level"] == "moderate"
        assert result["assessment"]["suicide_risk"] == "none"
        assert {f["instance"] for f in result["feature_texts"]} == {"SDS", "PHQ9", "HAMD17"}
        assert result["written"] is True
        assert result["alignments"], "sample concepts were seeded, so alignments exist"
        # Raw media are gone after the analysis (MINDKG_RETAIN_MEDIA is not set).
        assert list((home / "api" / "uploads").iterdir()) == []

        # The CLI does the same against the running server.
        run = CliRunner().invoke(
            server_app,
            ["submit", str(SAMPLES / "zh_w02_worse"), "--url", server.url, "--key", keys.app],
        )
        assert run.exit_code == 0, run.output
        assert '"session": "w02"' in run.stdout
    finally:
        server.stop()


def test_submit_without_a_server_is_a_clear_error() -> None:
    """No API listening (or no URL at all): one line and exit 2, not an httpx traceback."""
    bundle = str(SAMPLES / "zh_w01_moderate")
    for url, says in ((f"http://127.0.0.1:{free_port()}", "Connection refused"),
                      ("localhost-8000", "protocol")):
        run = CliRunner().invoke(server_app, ["submit", bundle, "--url", url, "--key", "mk_x"])
        assert run.exit_code == 2, run.output
        assert f"cannot use the MindKG API at {url}" in run.output and says in run.output
        assert "Traceback" not in run.output


def test_killing_the_api_mid_job_loses_no_job(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    keys = make_keys(home)
    # Each pipeline step pauses 0.4 s (MINDKG_JOB_STEP_DELAY_S, a testing knob) so the kill
    # lands while the job is 'running'.
    first = Server(home, MINDKG_JOB_STEP_DELAY_S="0.4").start()
    headers = keys.header("psychologist")
    try:
        with httpx.Client(base_url=first.url, headers=headers) as client:
            running = client.post("/v1/sessions", files={"bundle": ("a.zip", zip_bundle())})
            queued = client.post(
                "/v1/sessions", files={"bundle": ("b.zip", zip_bundle("zh_w02_worse"))}
            )
            assert running.status_code == queued.status_code == 202
            job = _wait(client, running.json()["id"], {"running"}, timeout=15)
            assert job["status"] == "running"
            first.kill()
    finally:
        first.kill()
    second = Server(home).start()
    try:
        with httpx.Client(base_url=second.url, headers=headers) as client:
            for reply in (running, queued):
                job = _wait(client, reply.json()["id"], {"done", "failed", "cancelled"})
                assert job["status"] == "done", job
            resumed = client.get(f"/v1/jobs/{running.json()['id']}").json()
            assert resumed["attempts"] == 2, "the interrupted job ran again after the restart"
    finally:
        second.stop()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_several_http_processes_share_one_embedded_job_queue(tmp_path: Path) -> None:
    """`serve --processes 2` (MINDKG_HTTP_PROCESSES): two uvicorn processes, each with its own
    app and models; one of them takes the embedded job-worker lock, the other serves only.
    Jobs submitted to either are run, every process answers ready, assessments are served."""
    home = tmp_path / "home"
    home.mkdir()
    seed_concepts(Settings(home=home))
    keys = make_keys(home)
    server = Server(home, MINDKG_HTTP_PROCESSES="2").start()
    try:
        assert server.proc is not None
        deadline = time.monotonic() + 60
        while len(_children(server.proc.pid)) < 2:  # uvicorn's supervisor + 2 workers
            assert time.monotonic() < deadline, "two HTTP processes did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=server.url, headers=keys.header("psychologist")) as client:
            ids = []
            for _ in range(4):  # new connections: the kernel spreads them over both processes
                with httpx.Client(base_url=server.url, headers=keys.header("psychologist")) as one:
                    ready = one.get("/v1/health/ready")
                    assert ready.status_code == 200, ready.text
                    reply = one.post("/v1/sessions", files={"bundle": ("b.zip", zip_bundle())})
                    assert reply.status_code == 202, reply.text
                    ids.append(reply.json()["id"])
            for job_id in ids:
                assert _wait(client, job_id, {"done", "failed", "cancelled"}, 90)["status"] == "done"
            features = [{"modality": "scales", "kind": "scale_score", "instance": "PHQ9",
                         "text": {"zh": "PHQ-9 总分 21", "en": "PHQ-9 total 21"},
                         "values": {"level": "severe"}}]
            reply = client.post("/v1/assessments", json={"feature_texts": features})
            assert reply.status_code == 200, reply.text
            assert reply.json()["assessment"]["depression_level"] == "severe"
    finally:
        server.stop()
    assert "Traceback" not in server.log.read_text(errors="replace")
