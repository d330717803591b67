"""Upload and parser limits over HTTP and in the CLI (issue 13): each refusal names its limit,
is a 4xx (CLI exit 2), and leaves nothing on disk."""

from __future__ import annotations

import io
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.http.upload import ArchiveError, unpack_bundle
from contracts.settings import ApiSettings, Settings
from tests.api.conftest import Keys

MANIFEST = (
    b'{"student": "s1", "session": "w01", "recorded_at": "2026-03-02T10:00:00+08:00", '
    b'"scales": "scales.json", "synthetic": true}'
)
SCALES = b'{"PHQ9": [0, 0, 0, 0, 0, 0, 0, 0, 0]}'
DEEP = b"[" * 30_000 + b"]" * 30_000


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def _targz(entries: dict[str, bytes], bomb: int = 0) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=9) as tf:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        if bomb:
            info = tarfile.TarInfo("video.bin")
            info.size = bomb
            tf.addfile(info, io.BufferedReader(_Zeros(bomb)))
    return buffer.getvalue()


def _post(client: TestClient, keys: Keys, archive: bytes, name: str = "b.zip"):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/sessions", files={"bundle": (name, archive)}, headers=keys.header("app")
    )


def _uploads_empty(settings: Settings) -> bool:
    root = settings.home / "api" / "uploads"
    return not root.exists() or list(root.iterdir()) == []


def test_targz_bomb_is_stopped_while_streaming(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.tar.gz"
    archive.write_bytes(_targz({"manifest.json": MANIFEST}, bomb=256 << 20))  # 256 MiB of zeros
    assert archive.stat().st_size < 1 << 20
    started = time.monotonic()
    with pytest.raises(ArchiveError, match="MINDKG_MAX_COMPRESSION_RATIO=200"):
        unpack_bundle(archive, tmp_path / "out", ApiSettings())
    assert time.monotonic() - started < 20
    assert not (tmp_path / "out").exists()


def test_zip_with_many_entries_is_refused_before_parsing(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for i in range(100_000):
            zf.writestr(f"{i}", b"")
    archive = tmp_path / "many.zip"
    archive.write_bytes(buffer.getvalue())
    started = time.monotonic()
    with pytest.raises(ArchiveError, match="declares 100000 entries, over MINDKG_MAX_ARCHIVE"):
        unpack_bundle(archive, tmp_path / "out", ApiSettings())
    assert time.monotonic() - started < 1.0  # the central directory was not parsed
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("entries", "needle"),
    [
        ({"manifest.json": DEEP, "scales.json": SCALES}, "MINDKG_MAX_JSON_DEPTH"),
        (
            {"manifest.json": MANIFEST[:-1] + b', "student": "s2"}', "scales.json": SCALES},
            "'student' appears twice",
        ),
    ],
    ids=["deep-manifest", "duplicate-student"],
)
@pytest.mark.parametrize("fmt", ["zip", "tar.gz"])
def test_bad_manifests_get_422_and_leave_nothing(
    client: TestClient,
    keys: Keys,
    home_settings: Settings,
    entries: dict[str, bytes],
    needle: str,
    fmt: str,
) -> None:
    if fmt == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries.items():
                zf.writestr(name, data)
        archive = buffer.getvalue()
    else:
        archive = _targz(entries)
    reply = _post(client, keys, archive, f"b.{fmt}")
    assert reply.status_code == 422, reply.text
    assert needle in reply.json()["detail"]
    assert _uploads_empty(home_settings)


def test_targz_bomb_over_http(client: TestClient, keys: Keys, home_settings: Settings) -> None:
    reply = _post(client, keys, _targz({"manifest.json": MANIFEST}, bomb=64 << 20), "b.tgz")
    assert reply.status_code == 422 and "MINDKG_MAX_COMPRESSION_RATIO" in reply.json()["detail"]
    assert _uploads_empty(home_settings)


def test_bundle_folder_name_does_not_reach_the_job_table(
    client: TestClient, keys: Keys, home_settings: Settings
) -> None:
    """The top-level folder is often named after the student; jobs.sqlite3 must not hold it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("2024001234-zhang/manifest.json", MANIFEST)
        zf.writestr("2024001234-zhang/scales.json", SCALES)
    reply = _post(client, keys, buffer.getvalue())
    assert reply.status_code == 202, reply.text
    for name in ("jobs.sqlite3", "jobs.sqlite3-wal"):
        path = home_settings.home / "api" / name
        if path.exists():
            assert b"2024001234" not in path.read_bytes()


def test_cli_deep_scales_exit_2_without_traceback(tmp_path: Path) -> None:
    from api.cli import app

    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "manifest.json").write_bytes(MANIFEST)
    (folder / "scales.json").write_bytes(b'{"PHQ9": ' + DEEP + b"}")
    env = {
        "MINDKG_HOME": str(tmp_path / "home"),
        "MINDKG_PURPOSE": "counseling",
        "MINDKG_STORE": "embedded",
        "MINDKG_SEMANTIC_ALIGNMENT": "false",
    }
    result = CliRunner().invoke(app, ["analyze", str(folder), "--no-write"], env=env)
    assert result.exit_code == 2, result.output
    assert "MINDKG_MAX_JSON_DEPTH" in result.output and "Traceback" not in result.output
