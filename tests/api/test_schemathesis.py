"""schemathesis against the running app's OpenAPI document: no input may cause a 5xx.

uvicorn serves the real app on a loopback port in a thread; every operation gets a bounded
number of generated requests, with an admin key (so requests reach the handlers) and without.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from api.http.app import create_app
from contracts.settings import ApiSettings, Settings
from tests.api.conftest import free_port, make_keys, seed_concepts

EXAMPLES = 10


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    app_settings = Settings(home=tmp_path_factory.mktemp("fuzz") / "home", semantic_alignment=False)
    app_settings.home.mkdir(parents=True)
    seed_concepts(app_settings)
    keys = make_keys(app_settings.home)
    api = ApiSettings(purpose="counseling", research_min_students=1, max_upload_bytes=1 << 20)
    port = free_port()
    config = uvicorn.Config(
        create_app(app_settings, api), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield url, keys.admin
    server.should_exit = True
    thread.join(10)
    assert (
        httpx.get(f"{url}/v1/health/live", timeout=1).status_code == 200
        if thread.is_alive()
        else True
    )


def test_no_server_errors(served: tuple[str, str]) -> None:
    url, admin_key = served
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            for headers in ({"Authorization": f"Bearer {admin_key}"}, {}):
                response = case.call(base_url=url, headers=headers, timeout=30)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path}: {response.status_code} "
                        f"{response.text[:200]}"
                    )

        check()
    spec = httpx.get(f"{url}/openapi.json").json()
    assert operations == sum(len(ops) for ops in spec["paths"].values())
    assert failures == []
