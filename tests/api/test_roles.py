"""Each role gets exactly its rights: every route x every role, against one real app.

The table is the access policy of docs/api.md. A psychologist of another center, or an app
that did not submit a job, gets 404 (existence is not revealed); a wrong role gets 403; no or
a bad key gets 401.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth.keys import AuthDB, auth_db_path
from api.http.app import create_app
from contracts.settings import ApiSettings, Settings
from tests.api.conftest import SAMPLES, Keys, make_keys, seed_concepts, wait_job, zip_bundle

ROLES = (
    "none",
    "bad",
    "psychologist",
    "psychologist_other",
    "app",
    "app_other",
    "researcher",
    "admin",
)
FEATURES = {
    "feature_texts": [
        {
            "modality": "scales",
            "kind": "scale_score",
            "instance": "PHQ9",
            "text": {"zh": "PHQ-9 总分 21，重度抑郁", "en": "PHQ-9 total 21, severe depression"},
            "values": {"level": "severe", "risk_level": "moderate"},
        }
    ]
}


@dataclass
class World:
    client: TestClient
    keys: Keys
    student: str
    job_psy: str  # submitted by the center-a psychologist
    job_app: str  # submitted by the center-a app

    def headers(self, role: str) -> dict[str, str]:
        if role == "none":
            return {}
        if role == "bad":
            return {"Authorization": "Bearer mk_000000000000_notarealkeynotarealkey"}
        return self.keys.header(role)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(home=tmp_path_factory.mktemp("roles") / "home", semantic_alignment=False)
    settings.home.mkdir(parents=True)
    seed_concepts(settings)
    keys = make_keys(settings.home)
    api = ApiSettings(
        purpose="counseling",
        research_min_students=1,
        allow_server_paths=True,
        server_path_root=str(SAMPLES),
    )
    with TestClient(create_app(settings, api)) as client:
        jobs = []
        for role in ("psychologist", "app"):
            reply = client.post(
                "/v1/sessions", files={"bundle": ("b.zip", zip_bundle())}, headers=keys.header(role)
            )
            assert reply.status_code == 202, reply.text
            jobs.append(wait_job(client, reply.json()["id"], keys.header(role)))
        assert all(j["status"] == "done" for j in jobs), jobs
        student = jobs[0]["session_key"].split("/")[0]
        yield World(client, keys, student, jobs[0]["id"], jobs[1]["id"])


# Expected status per role, in ROLES order after none/bad (which are always 401 unless open).
SUBMIT = {
    "psychologist": 202,
    "psychologist_other": 202,
    "app": 202,
    "app_other": 202,
    "researcher": 403,
    "admin": 202,
}
ASSESS = {**SUBMIT, **{r: 200 for r, s in SUBMIT.items() if s == 202}}
JOB_PSY = {
    "psychologist": 200,
    "psychologist_other": 404,
    "app": 404,
    "app_other": 404,
    "researcher": 403,
    "admin": 200,
}
JOB_APP = {
    "psychologist": 200,
    "psychologist_other": 404,
    "app": 200,
    "app_other": 404,
    "researcher": 403,
    "admin": 200,
}
CANCEL_DONE = {**JOB_PSY, "psychologist": 409, "admin": 409}
STUDENT = {
    "psychologist": 200,
    "psychologist_other": 404,
    "app": 403,
    "app_other": 403,
    "researcher": 403,
    "admin": 200,
}
RESEARCH = {
    "psychologist": 403,
    "psychologist_other": 403,
    "app": 403,
    "app_other": 403,
    "researcher": 200,
    "admin": 200,
}
ADMIN = {
    "psychologist": 403,
    "psychologist_other": 403,
    "app": 403,
    "app_other": 403,
    "researcher": 403,
    "admin": 200,
}
OPEN = dict.fromkeys(ROLES, 200)
LIST = {**STUDENT, "psychologist_other": 200}  # each center lists its own students
ERASE = {**ADMIN, "admin": 404}  # an unknown pseudonym: admin passes auth, finds nothing

ROUTES: list[tuple[str, str, dict[str, int], dict[str, Any]]] = [
    ("POST", "/v1/sessions", SUBMIT, {"files": {"bundle": ("b.zip", zip_bundle("en_w01_risk"))}}),
    (
        "POST",
        "/v1/sessions/from-path",
        SUBMIT,
        {"json": {"path": str(SAMPLES / "zh_w01_minimal"), "write": False}},
    ),
    ("POST", "/v1/assessments", ASSESS, {"json": FEATURES}),
    ("GET", "/v1/jobs/{job_psy}", JOB_PSY, {}),
    ("GET", "/v1/jobs/{job_psy}/result", JOB_PSY, {}),
    ("POST", "/v1/jobs/{job_psy}/cancel", CANCEL_DONE, {}),
    ("GET", "/v1/jobs/{job_app}", JOB_APP, {}),
    ("GET", "/v1/jobs/{job_app}/result", JOB_APP, {}),
    ("GET", "/v1/students", LIST, {}),
    (
        "POST",
        "/v1/students/lookup",
        STUDENT,
        {"json": {"local_id": "demo-student-001", "center": "center-a"}},
    ),
    ("DELETE", "/v1/students/stu_00000000000000000000", ERASE, {}),
    ("GET", "/v1/students/{student}/sessions", STUDENT, {}),
    ("GET", "/v1/students/{student}/graph", STUDENT, {}),
    ("GET", "/v1/students/{student}/trend", STUDENT, {}),
    ("GET", "/v1/students/{student}/trend.png", STUDENT, {}),
    ("GET", "/v1/students/{student}/trend.html", STUDENT, {}),
    ("GET", "/v1/students/{student}/sessions/w01/timeline.png", STUDENT, {}),
    ("GET", "/v1/students/{student}/sessions/w01/timeline.html", STUDENT, {}),
    ("GET", "/v1/research/alignments", RESEARCH, {}),
    ("GET", "/v1/research/alignments.csv", RESEARCH, {}),
    ("GET", "/v1/research/levels", RESEARCH, {}),
    ("GET", "/v1/audit", ADMIN, {}),
    ("GET", "/v1/health/live", OPEN, {}),
    ("GET", "/v1/health/ready", OPEN, {}),
]


def _expected(table: dict[str, int], role: str) -> int:
    if table is OPEN:
        return 200
    return 401 if role in ("none", "bad") else table[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "template", "table", "kwargs"), ROUTES, ids=[f"{m} {t}" for m, t, _, _ in ROUTES]
)
def test_route_role(
    world: World,
    role: str,
    method: str,
    template: str,
    table: dict[str, int],
    kwargs: dict[str, Any],
) -> None:
    path = template.format(student=world.student, job_psy=world.job_psy, job_app=world.job_app)
    reply = world.client.request(method, path, headers=world.headers(role), **kwargs)
    expected = _expected(table, role)
    assert reply.status_code == expected, (
        f"{role} {method} {path}: {reply.status_code} {reply.text[:300]}"
    )
    if expected == 401:
        assert reply.headers["www-authenticate"] == "Bearer"
    if expected >= 400:
        assert set(reply.json()) == {"error", "detail"}


def test_every_route_is_in_the_table(world: World) -> None:
    """A new route without a row here would escape the rights test."""
    spec = world.client.get("/openapi.json").json()
    served = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops}
    tested = {
        (
            m,
            t.replace("{job_psy}", "{job_id}")
            .replace("{job_app}", "{job_id}")
            .replace("/w01/", "/{session}/")
            .replace("stu_00000000000000000000", "{student}"),
        )
        for m, t, _, _ in ROUTES
    }
    assert served == tested


def test_revoked_key_is_refused(world: World, tmp_path: Path) -> None:
    home = Path(world.client.app.state.mindkg.settings.home)  # type: ignore[attr-defined]
    auth = AuthDB(auth_db_path(home))
    record, secret = auth.create_key("temp", "admin")
    headers = {"Authorization": f"Bearer {secret}"}
    assert world.client.get("/v1/audit", headers=headers).status_code == 200
    auth.revoke(record.key_id)
    auth.close()
    reply = world.client.get("/v1/audit", headers=headers)
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_key"
    # The same key id with a wrong secret is refused too (constant-time compare of digests).
    forged = secret[: secret.rindex("_") + 1] + "x" * 43
    assert (
        world.client.get("/v1/audit", headers={"Authorization": f"Bearer {forged}"}).status_code
        == 401
    )
