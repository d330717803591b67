"""Counseling centers are isolated by construction (issue 13).

Two centers submit bundles naming the SAME local student id, plus jobs that fail and jobs that
are cancelled; then every student route is asked by each center. Pseudonyms are keyed per
center, so the two local ids are two students; a center is bound to a student only by a session
it actually wrote. No cross-center read or write may happen.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from contracts.settings import ApiSettings, Settings
from kg.pseudonym import load_or_create_key, pseudonymize
from tests.api.conftest import SAMPLES, STUDENT_ROUTES, Keys, make_keys, seed_concepts, wait_job

LOCAL_ID = "demo-student-001"  # both centers have a student with this local id


def bundle_zip(tmp: Path, name: str, *, student: str, session: str, phq9: list[int]) -> bytes:
    folder = tmp / name
    shutil.copytree(SAMPLES / "zh_w01_moderate", folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(student=student, session=session)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "scales.json").write_text(json.dumps({"PHQ9": phq9}))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    return buffer.getvalue()


@dataclass
class Centers:
    client: TestClient
    keys: Keys
    settings: Settings
    a: str  # center-a's student LOCAL_ID
    b: str  # center-b's student LOCAL_ID
    failed_only: str  # named only by center-b jobs that failed
    cancelled_only: str  # named only by cancelled jobs
    dry_run_only: str  # named only by a write=false job
    jobs: dict[str, dict]


MODERATE = [2, 2, 2, 2, 1, 2, 1, 1, 0]
NONE = [0, 0, 0, 0, 0, 0, 0, 0, 0]
INVALID = [9, 9, 9, 9, 9, 9, 9, 9, 9]


def _submit(client: TestClient, keys: Keys, role: str, data: bytes, write: bool = True) -> dict:
    reply = client.post(
        "/v1/sessions",
        files={"bundle": ("b.zip", data)},
        data={"write": "true" if write else "false"},
        headers=keys.header(role),
    )
    assert reply.status_code == 202, reply.text
    return dict(reply.json())


@pytest.fixture(scope="module")
def centers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centers]:
    tmp = tmp_path_factory.mktemp("centers")
    settings = Settings(home=tmp / "home", semantic_alignment=False)
    settings.home.mkdir(parents=True)
    seed_concepts(settings)
    keys = make_keys(settings.home)
    jobs: dict[str, dict] = {}
    # Phase 1, no workers: jobs cancelled while queued (center-a names center-b's new id too).
    with TestClient(create_app(settings, ApiSettings(purpose="counseling", workers=0))) as c:
        for role, tag in (("app", "cancel_a"), ("app_other", "cancel_b")):
            data = bundle_zip(tmp, tag, student="cancel-only", session="w09", phq9=MODERATE)
            job = _submit(c, keys, role, data)
            jobs[tag] = c.post(f"/v1/jobs/{job['id']}/cancel", headers=keys.header(role)).json()
    api = ApiSettings(purpose="counseling", research_min_students=1, workers=1)
    with TestClient(create_app(settings, api)) as client:
        plan = [
            ("a_w01", "app", LOCAL_ID, "w01", MODERATE, True),
            ("a_w02", "psychologist", LOCAL_ID, "w02", MODERATE, True),
            # center-b: its own student with the same local id, same session id w01
            ("b_w01", "app_other", LOCAL_ID, "w01", NONE, True),
            # center-b names the local id with invalid answers: the job fails
            ("b_fail_same", "app_other", LOCAL_ID, "w03", INVALID, True),
            # a student only ever named by failed jobs (at both centers)
            ("b_fail_new", "app_other", "failed-only", "w01", INVALID, True),
            ("a_fail_new", "app", "failed-only", "w01", INVALID, True),
            # a dry run binds nobody
            ("b_dry", "app_other", "dry-only", "w01", MODERATE, False),
        ]
        for tag, role, student, session, phq9, write in plan:
            data = bundle_zip(tmp, tag, student=student, session=session, phq9=phq9)
            job = _submit(client, keys, role, data, write)
            jobs[tag] = wait_job(client, job["id"], keys.header(role))
        key = load_or_create_key(settings)
        yield Centers(
            client,
            keys,
            settings,
            a=pseudonymize(LOCAL_ID, key, "center-a"),
            b=pseudonymize(LOCAL_ID, key, "center-b"),
            failed_only=pseudonymize("failed-only", key, "center-b"),
            cancelled_only=pseudonymize("cancel-only", key, "center-b"),
            dry_run_only=pseudonymize("dry-only", key, "center-b"),
            jobs=jobs,
        )


def test_job_outcomes(centers: Centers) -> None:
    status = {tag: job["status"] for tag, job in centers.jobs.items()}
    assert status == {
        "cancel_a": "cancelled",
        "cancel_b": "cancelled",
        "a_w01": "done",
        "a_w02": "done",
        "b_w01": "done",
        "b_fail_same": "failed",
        "b_fail_new": "failed",
        "a_fail_new": "failed",
        "b_dry": "done",
    }, centers.jobs
    assert centers.a != centers.b
    assert centers.jobs["a_w01"]["session_key"] == f"{centers.a}/w01"
    assert centers.jobs["b_w01"]["session_key"] == f"{centers.b}/w01"


READERS = ("psychologist", "psychologist_other", "app", "app_other")


@pytest.mark.parametrize("route", STUDENT_ROUTES)
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("whose", ["a", "b", "failed_only", "cancelled_only", "dry_run_only"])
def test_no_cross_center_read(centers: Centers, route: str, reader: str, whose: str) -> None:
    student = getattr(centers, whose)
    reply = centers.client.get(route.format(s=student), headers=centers.keys.header(reader))
    if reader.startswith("app"):
        expected = 403  # apps never read student data
    elif (whose, reader) in (("a", "psychologist"), ("b", "psychologist_other")):
        expected = 200
    else:
        expected = 404  # another center's student, or one no session of this center wrote
    assert reply.status_code == expected, f"{reader} {route} of {whose}: {reply.text[:200]}"


def _sessions(centers: Centers, student: str, role: str) -> dict[str, str | None]:
    reply = centers.client.get(
        f"/v1/students/{student}/sessions", headers=centers.keys.header(role)
    )
    assert reply.status_code == 200, reply.text
    return {s["session"]: s["depression_level"] for s in reply.json()}


def test_no_cross_center_write(centers: Centers) -> None:
    """center-b's w01 (none) did not overwrite center-a's w01 (moderate); a's w02 is a's."""
    assert _sessions(centers, centers.a, "psychologist")["w01"] == "moderate"
    assert set(_sessions(centers, centers.a, "psychologist")) == {"w01", "w02"}
    assert _sessions(centers, centers.b, "psychologist_other") == {"w01": "none"}
    graph = centers.client.get(
        f"/v1/students/{centers.b}/graph", headers=centers.keys.header("psychologist_other")
    ).json()
    assert all(centers.a not in node["id"] for node in graph["nodes"])


def test_lookup_and_list_stay_in_the_center(centers: Centers) -> None:
    client, keys = centers.client, centers.keys
    look = {"local_id": LOCAL_ID}
    a = client.post("/v1/students/lookup", json=look, headers=keys.header("psychologist"))
    b = client.post("/v1/students/lookup", json=look, headers=keys.header("psychologist_other"))
    assert a.json()["student"] == centers.a and b.json()["student"] == centers.b
    assert a.json()["sessions"] == 2 and b.json()["sessions"] == 1
    # a psychologist cannot look up in another center's name
    other = client.post(
        "/v1/students/lookup",
        json={**look, "center": "center-a"},
        headers=keys.header("psychologist_other"),
    )
    assert other.status_code == 404
    for local in ("failed-only", "cancel-only", "dry-only"):
        for role in ("psychologist", "psychologist_other"):
            found = client.post(
                "/v1/students/lookup", json={"local_id": local}, headers=keys.header(role)
            )
            assert found.status_code == 404, (local, role, found.text)
    listed_a = [s["student"] for s in client.get("/v1/students", headers=keys.header("psychologist")).json()]
    listed_b = [
        s["student"]
        for s in client.get("/v1/students", headers=keys.header("psychologist_other")).json()
    ]
    assert listed_a == [centers.a] and listed_b == [centers.b]


def test_jobs_and_results_stay_in_the_center(centers: Centers) -> None:
    client, keys = centers.client, centers.keys
    for tag, job in centers.jobs.items():
        own = "psychologist" if tag.startswith(("a_", "cancel_a")) else "psychologist_other"
        other = "psychologist_other" if own == "psychologist" else "psychologist"
        assert client.get(f"/v1/jobs/{job['id']}", headers=keys.header(own)).status_code == 200
        for path in (f"/v1/jobs/{job['id']}", f"/v1/jobs/{job['id']}/result"):
            assert client.get(path, headers=keys.header(other)).status_code == 404, (tag, path)


def test_admin_lookup_names_the_center(centers: Centers) -> None:
    admin = centers.keys.header("admin")
    for center, expected in (("center-a", centers.a), ("center-b", centers.b)):
        reply = centers.client.post(
            "/v1/students/lookup", json={"local_id": LOCAL_ID, "center": center}, headers=admin
        )
        assert reply.status_code == 200 and reply.json()["student"] == expected


def test_cli_writes_bind_the_student_to_the_configured_center(
    client: TestClient, home_settings: Settings, keys: Keys, tmp_path: Path
) -> None:
    """`mindkg analyze`/`ingest` pseudonymize under MINDKG_CENTER and bind the student to it,
    as the HTTP path binds to the submitting key's center; a --no-write run binds nobody."""
    from typer.testing import CliRunner

    from api.cli import app as cli

    folder = tmp_path / "cli-bundle"
    shutil.copytree(SAMPLES / "zh_w01_moderate", folder)
    env = {"MINDKG_HOME": str(home_settings.home), "MINDKG_PURPOSE": "counseling",
           "MINDKG_STORE": "embedded", "MINDKG_CENTER": "center-a"}
    dry = CliRunner().invoke(cli, ["analyze", str(folder), "--json", "--no-write"],
                             env={**env, "MINDKG_CENTER": "center-b"})
    assert dry.exit_code == 0, dry.output
    wrote = CliRunner().invoke(cli, ["analyze", str(folder), "--json"], env=env)
    assert wrote.exit_code == 0, wrote.output
    student = json.loads(wrote.stdout)["student"]
    assert student == pseudonymize(LOCAL_ID, load_or_create_key(home_settings), "center-a")
    assert CliRunner().invoke(cli, ["ingest", str(folder)], env=env).exit_code == 0
    for role, expected in (("psychologist", 200), ("psychologist_other", 404)):
        for route in ("/v1/students/{s}/sessions", "/v1/students/{s}/graph"):
            reply = client.get(route.format(s=student), headers=keys.header(role))
            assert reply.status_code == expected, (role, route, reply.text[:200])
    dry_student = json.loads(dry.stdout)["student"]
    reply = client.get(f"/v1/students/{dry_student}/sessions",
                       headers=keys.header("psychologist_other"))
    assert reply.status_code == 404  # the dry run at center-b bound nobody
    listed = client.get("/v1/students", headers=keys.header("psychologist")).json()
    assert [s["student"] for s in listed] == [student]
