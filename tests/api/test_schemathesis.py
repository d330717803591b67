"""schemathesis against a LIVE `mindkg serve` (a uvicorn subprocess, real HTTP) with each role.

Every operation of the served OpenAPI document gets a bounded number of generated requests;
each generated request is sent once per key role (psychologist, app, researcher, admin) and
without a key. Two properties must hold for every one of them:

- no input causes a 5xx, whoever sends it;
- a role that docs/api.md does not admit to the route never gets a 2xx (whatever the input:
  a refusal may be 401/403, or 413/415/422 when the body is refused first).

MINDKG_FUZZ_EXAMPLES raises the examples per operation for a longer run (docs/RELIABILITY.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from contracts.settings import Settings
from tests.api.conftest import Keys, Server, make_keys, seed_concepts, zip_bundle

EXAMPLES = int(os.environ.get("MINDKG_FUZZ_EXAMPLES", "6"))
ROLES = ("psychologist", "app", "researcher", "admin", "none")
SUBMITTERS = frozenset({"psychologist", "app", "admin"})
EVERYONE = frozenset(ROLES)


def admitted(method: str, path: str) -> frozenset[str]:
    """The roles docs/api.md admits to an operation (the access policy test_roles.py checks
    cell by cell with valid requests)."""
    if path.startswith("/v1/health"):
        return EVERYONE
    if path.startswith(("/v1/sessions", "/v1/assessments", "/v1/jobs")):
        return SUBMITTERS
    if path.startswith("/v1/students"):
        return frozenset({"admin"}) if method == "DELETE" else frozenset({"psychologist", "admin"})
    if path.startswith("/v1/research"):
        return frozenset({"researcher", "admin"})
    if path.startswith("/v1/audit"):
        return frozenset({"admin"})
    raise AssertionError(f"no access policy known for {method} {path}: add it here")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Keys]]:
    home = tmp_path_factory.mktemp("fuzz") / "home"
    settings = Settings(home=home, semantic_alignment=False)
    home.mkdir(parents=True)
    seed_concepts(settings)
    keys = make_keys(home)
    server = Server(
        home,
        MINDKG_RESEARCH_MIN_STUDENTS="1",
        MINDKG_MAX_UPLOAD_BYTES=str(1 << 20),
        MINDKG_CACHE_DIR=str(settings.cache_home),
    ).start()
    try:
        # one real session, so student routes also answer with data for some requests
        reply = httpx.post(
            f"{server.url}/v1/sessions",
            files={"bundle": ("b.zip", zip_bundle())},
            headers=keys.header("psychologist"),
            timeout=30,
        )
        assert reply.status_code == 202, reply.text
        yield server, keys
    finally:
        server.stop()


def test_live_app_each_role(live: tuple[Server, Keys]) -> None:
    server, keys = live
    headers = {role: ({} if role == "none" else keys.header(role)) for role in ROLES}
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    server_errors: list[str] = []
    wrong_role: list[str] = []
    seen: dict[str, int] = {}

    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same requests on every run: a failure reproduces
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            allowed = admitted(case.method.upper(), case.operation.path)
            for role in ROLES:
                response = case.call(base_url=server.url, headers=headers[role], timeout=60)
                status = response.status_code
                seen[f"{status // 100}xx"] = seen.get(f"{status // 100}xx", 0) + 1
                where = f"{role}: {case.method} {case.formatted_path} -> {status}"
                if status >= 500:
                    server_errors.append(f"{where} {response.text[:200]}")
                elif 200 <= status < 300 and role not in allowed:
                    wrong_role.append(where)

        check()
    spec = httpx.get(f"{server.url}/openapi.json").json()
    operations = sum(len(ops) for ops in spec["paths"].values())
    print(f"\nschemathesis live: {operations} operations x <= {EXAMPLES} examples x "
          f"{len(ROLES)} roles: {sum(seen.values())} requests, by class {dict(sorted(seen.items()))}")
    assert server_errors == []
    assert wrong_role == []
    assert httpx.get(f"{server.url}/v1/health/live").status_code == 200  # still serving
    log = Path(server.log).read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
