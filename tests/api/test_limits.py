"""Bad input gets a clean 4xx; a store that is down gives 503 with Retry-After; uploads are
unpacked safely (no traversal, links, bombs)."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.http.app import create_app
from api.http.upload import ArchiveError, unpack_bundle
from contracts.settings import ApiSettings, Settings
from tests.api.conftest import Keys, free_port, wait_job, zip_bundle

MANIFEST = (
    b'{"student": "s1", "session": "w01", "recorded_at": "2026-03-02T10:00:00+08:00", '
    b'"scales": "scales.json", "synthetic": true}'
)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _tar_with_symlink() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(MANIFEST)
        tf.addfile(info, io.BytesIO(MANIFEST))
        link = tarfile.TarInfo("scales.json")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tf.addfile(link)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("archive", "status", "needle"),
    [
        (_zip({"../evil.json": b"{}", "manifest.json": MANIFEST}), 422, "outside the bundle"),
        (_zip({"/abs.json": b"{}"}), 422, "outside the bundle"),
        (_tar_with_symlink(), 422, "link or special file"),
        (_zip({f"f{i}.txt": b"x" for i in range(80)}), 422, "MINDKG_MAX_ARCHIVE_ENTRIES=64"),
        (_zip({"notes.txt": b"no manifest here"}), 422, "no manifest.json"),
        (_zip({"manifest.json": b"{not json"}), 422, "not valid UTF-8 JSON"),
        (b"plain text, not an archive", 415, "neither a zip nor a tar"),
        (zip_bundle()[:200], 415, "neither a zip nor a tar"),
    ],
    ids=[
        "zip-slip",
        "absolute",
        "symlink",
        "entries",
        "no-manifest",
        "bad-manifest",
        "text",
        "truncated",
    ],
)
def test_bad_archives_are_refused(
    client: TestClient,
    keys: Keys,
    home_settings: Settings,
    archive: bytes,
    status: int,
    needle: str,
) -> None:
    reply = client.post(
        "/v1/sessions", files={"bundle": ("b.zip", archive)}, headers=keys.header("app")
    )
    assert reply.status_code == status, reply.text
    assert needle in reply.json()["detail"]
    assert not (home_settings.home / "evil.json").exists()
    assert list((home_settings.home / "api" / "uploads").iterdir()) == []  # nothing left behind


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = _zip({"manifest.json": MANIFEST, "scales.json": b"0" * (8 << 20)})  # ~8000:1
    (tmp_path / "bomb.zip").write_bytes(bomb)
    with pytest.raises(ArchiveError, match="zip bomb"):
        unpack_bundle(tmp_path / "bomb.zip", tmp_path / "out", ApiSettings())
    assert not (tmp_path / "out").exists()
    small = ApiSettings(max_unpacked_bytes=4096, max_compression_ratio=1e9)
    with pytest.raises(ArchiveError, match="MINDKG_MAX_UNPACKED_BYTES=4096"):
        unpack_bundle(tmp_path / "bomb.zip", tmp_path / "out2", small)


def test_bundle_under_one_top_folder_is_found(client: TestClient, keys: Keys) -> None:
    reply = client.post(
        "/v1/sessions",
        files={"bundle": ("b.zip", zip_bundle(top="zh_w01_moderate"))},
        headers=keys.header("app"),
    )
    assert reply.status_code == 202
    assert wait_job(client, reply.json()["id"], keys.header("app"))["status"] == "done"


def test_upload_size_limit_gives_413(home_settings: Settings, keys: Keys) -> None:
    api = ApiSettings(purpose="counseling", max_upload_bytes=2048)
    with TestClient(create_app(home_settings, api)) as client:
        reply = client.post(
            "/v1/sessions", files={"bundle": ("b.zip", b"0" * 4096)}, headers=keys.header("app")
        )
        assert reply.status_code == 413
        assert reply.json()["error"] == "payload_too_large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            for _ in range(8):
                yield b"0" * 1024

        streamed = client.post(
            "/v1/assessments",
            content=chunks(),
            headers={**keys.header("app"), "content-type": "application/json"},
        )
        assert streamed.status_code == 413


@pytest.mark.parametrize(
    ("path", "kwargs", "status"),
    [
        ("/v1/sessions", {"json": {"path": "/tmp"}}, 415),
        ("/v1/assessments", {"content": b"x", "headers": {"content-type": "text/plain"}}, 415),
        ("/v1/assessments", {"json": {"feature_texts": [{"modality": "smell"}]}}, 422),
        ("/v1/assessments", {"json": {"feature_texts": []}}, 422),
        (
            "/v1/assessments",
            {"content": b"{", "headers": {"content-type": "application/json"}},
            422,
        ),
        ("/v1/sessions/from-path", {"json": {"path": "/etc"}}, 403),
        ("/v1/sessions", {"data": {"write": "true"}, "files": {"other": ("x", b"x")}}, 422),
    ],
)
def test_bad_requests_get_4xx(
    client: TestClient, keys: Keys, path: str, kwargs: dict, status: int
) -> None:
    headers = {**keys.header("app"), **kwargs.pop("headers", {})}
    reply = client.post(path, headers=headers, **kwargs)
    assert reply.status_code == status, reply.text
    assert set(reply.json()) == {"error", "detail"}


def test_duplicate_feature_texts_get_422(client: TestClient, keys: Keys) -> None:
    one = {"modality": "scales", "kind": "scale_score", "text": {"zh": "甲", "en": "a"}}
    reply = client.post(
        "/v1/assessments", json={"feature_texts": [one, one]}, headers=keys.header("app")
    )
    assert reply.status_code == 422
    assert reply.json()["error"] == "duplicate_feature_texts"


def test_store_down_gives_503_with_retry_after(tmp_path: Path, keys: Keys) -> None:
    down = Settings(
        home=keys_home(tmp_path, keys),
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",  # nothing listens there
        neo4j_password=SecretStr("irrelevant"),
    )
    with TestClient(create_app(down, ApiSettings(purpose="counseling"))) as client:
        ready = client.get("/v1/health/ready")
        assert ready.status_code == 503 and ready.headers["retry-after"] == "10"
        reply = client.get(
            "/v1/students/stu_00000000000000000000/graph", headers=keys.header("admin")
        )
        assert reply.status_code == 503
        assert reply.headers["retry-after"] == "10"
        assert reply.json()["error"] == "store_unavailable"
        research = client.get("/v1/research/alignments", headers=keys.header("researcher"))
        assert research.status_code == 503
        # Liveness does not depend on the store.
        assert client.get("/v1/health/live").status_code == 200


def keys_home(tmp_path: Path, keys: Keys) -> Path:
    """The `keys` fixture wrote its keys under the `settings` fixture's home."""
    return tmp_path / "home"
