"""The audit log records every read of a student's graph or assessment, and cannot be edited."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.auth.keys import auth_db_path
from api.cli_server import keys_app, server_app
from contracts.settings import Settings
from tests.api.conftest import STUDENT_ROUTES, Keys, wait_job, zip_bundle


def test_every_student_read_is_audited(
    client: TestClient, keys: Keys, home_settings: Settings
) -> None:
    psy = keys.header("psychologist")
    reply = client.post("/v1/sessions", files={"bundle": ("b.zip", zip_bundle())}, headers=psy)
    job = wait_job(client, reply.json()["id"], psy)
    student = job["session_key"].split("/")[0]
    assert client.get("/v1/audit", headers=keys.header("admin")).json() == []  # submit != read

    assert client.get(f"/v1/jobs/{job['id']}/result", headers=psy).status_code == 200
    for template in STUDENT_ROUTES:
        assert client.get(template.format(s=student), headers=psy).status_code == 200
    # A refused read (other center) is recorded too, with its outcome.
    other = client.get(f"/v1/students/{student}/graph", headers=keys.header("psychologist_other"))
    assert other.status_code == 404

    entries = client.get(
        "/v1/audit", params={"student": student}, headers=keys.header("admin")
    ).json()
    routes = [e["route"] for e in entries]
    assert routes == [
        "/v1/jobs/{job_id}/result",
        *(t.replace("{s}", "{student}").replace("/w01/", "/{session}/") for t in STUDENT_ROUTES),
        "/v1/students/{student}/graph",
    ]
    assert [e["outcome"] for e in entries] == [200] * 8 + [404]
    assert {e["student"] for e in entries} == {student}
    assert entries[0]["session"] == "w01"
    assert len({e["key_id"] for e in entries}) == 2
    assert all(e["at"].endswith("+00:00") for e in entries)

    # `mindkg audit` shows the same log (admin on the server machine).
    run = CliRunner().invoke(
        server_app,
        ["audit", "--json", "--student", student],
        env={"MINDKG_HOME": str(home_settings.home)},
    )
    assert run.exit_code == 0, run.output
    assert run.stdout.count('"route"') == 9


def test_audit_log_is_append_only(client: TestClient, keys: Keys, home_settings: Settings) -> None:
    client.get("/v1/students/stu_00000000000000000000/graph", headers=keys.header("admin"))
    conn = sqlite3.connect(auth_db_path(home_settings.home))
    try:
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit_log SET key_id='someone-else'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log")
    finally:
        conn.close()


def test_keys_are_stored_hashed(client: TestClient, keys: Keys, home_settings: Settings) -> None:
    raw = auth_db_path(home_settings.home).read_bytes()
    for secret in (keys.admin, keys.psychologist):
        assert secret.split("_", 2)[2].encode() not in raw


def test_keys_cli_create_list_revoke(home_settings: Settings) -> None:
    env = {"MINDKG_HOME": str(home_settings.home)}
    runner = CliRunner()
    created = runner.invoke(
        keys_app, ["create", "dr-c", "--role", "psychologist", "--center", "c"], env=env
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    key_id = secret.split("_")[1]
    assert (
        secret.startswith("mk_")
        and secret.split("_", 2)[2].encode() not in auth_db_path(home_settings.home).read_bytes()
    )
    listed = runner.invoke(keys_app, ["list"], env=env)
    assert key_id in listed.stdout and secret not in listed.stdout
    assert runner.invoke(keys_app, ["revoke", key_id], env=env).exit_code == 0
    again = runner.invoke(keys_app, ["revoke", key_id], env=env)
    assert again.exit_code == 2 and "already revoked" in again.output
    no_center = runner.invoke(keys_app, ["create", "x", "--role", "app"], env=env)
    assert no_center.exit_code == 2 and "--center" in no_center.output


def test_erasure_removes_graph_results_and_bindings(
    client: TestClient, keys: Keys, home_settings: Settings
) -> None:
    psy, admin = keys.header("psychologist"), keys.header("admin")
    reply = client.post("/v1/sessions", files={"bundle": ("b.zip", zip_bundle())}, headers=psy)
    job = wait_job(client, reply.json()["id"], psy)
    student = job["session_key"].split("/")[0]
    listed = client.get("/v1/students", headers=psy).json()
    assert [s["student"] for s in listed] == [student] and listed[0]["sessions"] == 1
    found = client.post("/v1/students/lookup", json={"local_id": "demo-student-001"}, headers=psy)
    assert found.json()["student"] == student
    assert client.get("/v1/students", headers=keys.header("psychologist_other")).json() == []

    erased = client.delete(f"/v1/students/{student}", headers=admin)
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["graph_nodes_removed"] >= 6 and body["job_results_erased"] == 1
    assert client.get(f"/v1/students/{student}/graph", headers=psy).status_code == 404
    assert client.get(f"/v1/jobs/{job['id']}/result", headers=psy).status_code == 410
    assert client.get("/v1/students", headers=psy).json() == []
    routes = [e["route"] for e in client.get("/v1/audit", headers=admin).json()]
    assert "/v1/students/{student}" in routes
