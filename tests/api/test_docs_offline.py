"""/docs and /redoc work without internet: their assets come from the installed package,
and real headless Chromium (every outside host name unresolvable) renders the operations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.api.chromium import dump_dom, screenshot
from tests.api.conftest import Server

OPERATION = "/v1/students/{student}/trend"


def test_pages_reference_only_this_server(client: TestClient) -> None:
    for url in ("/docs", "/redoc"):
        page = client.get(url)
        assert page.status_code == 200
        assert "default-src 'self'" in page.headers["content-security-policy"]
        refs = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
        assert refs and all(r.startswith("/") for r in refs), refs
        assert "cdn" not in page.text.lower() and "fonts.googleapis" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        reply = client.get(f"/docs-static/{asset}")
        assert reply.status_code == 200 and len(reply.content) > 100_000
    assert client.get("/openapi.json").json()["paths"][OPERATION]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("docs-home")).start(timeout=120)
    try:
        yield running
    finally:
        running.stop()


def test_swagger_ui_lists_operations_offline(server: Server, tmp_path: Path) -> None:
    dom = dump_dom(f"{server.url}/docs", budget_ms=15000)
    paths = set(re.findall(r'data-path="([^"]+)"', dom))
    assert OPERATION in paths and "/v1/sessions" in paths, dom[-3000:]
    assert dom.count("opblock-summary-method") >= 10
    shot = screenshot(f"{server.url}/docs", tmp_path / "docs.png", size=(1280, 900),
                      budget_ms=15000)
    pixels = np.asarray(Image.open(shot).convert("L"))
    # a rendered page, not a blank one: many distinct grey levels (text, coloured op badges)
    assert np.unique(pixels).size > 40


def test_redoc_lists_operations_offline(server: Server) -> None:
    dom = dump_dom(f"{server.url}/redoc", budget_ms=20000)
    assert "MindKG API" in dom
    assert "/v1/students/{student}/trend" in dom or "trend" in dom.lower()
    # ReDoc renders one labelled entry per operation in its side menu
    assert len(re.findall(r'role="menuitem"|class="[^"]*operation-type', dom)) >= 10, dom[-3000:]
    assert httpx.get(f"{server.url}/docs-static/redoc.standalone.js").status_code == 200
