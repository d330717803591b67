"""Readiness names the alignment cache of the answering HTTP process (the load bench adds the
processes up); with semantic alignment off it says nothing about it."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.http.app import create_app
from contracts.settings import ApiSettings, Settings
from tests.conftest import SHARED_CACHE


def _ready(settings: Settings) -> dict[str, str]:
    with TestClient(create_app(settings, ApiSettings(purpose="counseling", workers=0))) as client:
        reply = client.get("/v1/health/ready")
        first = reply.json()["checks"]
        assert client.get("/v1/health/ready").json()["checks"].get("align_cache") == first.get(
            "align_cache")
        return dict(first)


def test_ready_reports_the_alignment_cache_when_semantic_alignment_is_on(tmp_path: Path) -> None:
    # an empty graph: nothing to align against, so the start-up load of the aligner is a no-op
    checks = _ready(Settings(home=tmp_path / "home", cache_dir=SHARED_CACHE))
    # counts are per process: other tests in this one may have aligned already
    assert re.fullmatch(r"\d+ hits, \d+ misses, \d+ kept; process [0-9a-f]{8}", checks["align_cache"])
    off = _ready(Settings(home=tmp_path / "off", cache_dir=SHARED_CACHE, semantic_alignment=False))
    assert "align_cache" not in off
