"""Unpacking uploaded session bundles (zip or tar) without trusting the archive.

Rejected: absolute names, '..', links and devices, too many entries, too many bytes once
unpacked (counted while writing, not taken from headers) and suspicious compression ratios
(zip bombs). The bundle is the folder holding manifest.json: the archive root or its one
top-level folder.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from contracts.settings import ApiSettings
from ingest.bundle import MANIFEST
from kg.private_files import open_private

_CHUNK = 1 << 16
_RATIO_FLOOR = 1 << 20  # small files may compress well; judge the ratio past 1 MiB


class ArchiveError(ValueError):
    """An upload that is not a safe bundle archive; the message says what is wrong."""


class UnsupportedArchive(ArchiveError):
    """Neither zip nor tar (HTTP 415)."""


def _safe_name(name: str) -> PurePosixPath:
    if "\x00" in name or "\\" in name:
        raise ArchiveError(f"archive entry {name!r} has a forbidden character")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ArchiveError(f"archive entry {name!r} would be written outside the bundle")
    if len(path.parts) > 8 or len(name) > 255:
        raise ArchiveError(f"archive entry {name!r} is nested too deeply or too long")
    return path


class _CountingReader(io.RawIOBase):
    """A file wrapper that counts the (compressed) bytes the decompressor has pulled."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


class _Budget:
    def __init__(self, limits: ApiSettings, compressed: _CountingReader | None = None) -> None:
        self.limits = limits
        self.total = 0
        self.entries = 0
        self.compressed = compressed  # streamed formats: the ratio is checked as bytes arrive

    def _ratio(self) -> None:
        if self.compressed is None or self.total <= _RATIO_FLOOR:
            return
        ratio = self.total / max(self.compressed.count, 1)
        if ratio > self.limits.max_compression_ratio:
            raise ArchiveError(
                f"archive expands {ratio:.0f}:1, over MINDKG_MAX_COMPRESSION_RATIO="
                f"{self.limits.max_compression_ratio:g} (compression bomb?)"
            )

    def entry(self) -> None:
        self.entries += 1
        if self.entries > self.limits.max_archive_entries:
            raise ArchiveError(
                f"archive has more than MINDKG_MAX_ARCHIVE_ENTRIES="
                f"{self.limits.max_archive_entries} entries"
            )

    def copy(self, src: IO[bytes], dst: Path) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with os.fdopen(open_private(dst), "wb") as out:
            while chunk := src.read(_CHUNK):
                self.total += len(chunk)
                if self.total > self.limits.max_unpacked_bytes:
                    raise ArchiveError(
                        f"archive unpacks to more than MINDKG_MAX_UNPACKED_BYTES="
                        f"{self.limits.max_unpacked_bytes} bytes"
                    )
                self._ratio()
                out.write(chunk)


def _zip_entry_count(archive: Path) -> int | None:
    """Entries the zip's end-of-central-directory record declares, read before the central
    directory itself is parsed (a zip with 300,000 entries must not be parsed whole)."""
    with archive.open("rb") as handle:
        record = zipfile._EndRecData(handle)  # type: ignore[attr-defined]
    if not record:
        return None
    return int(record[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def _unzip(archive: Path, dest: Path, limits: ApiSettings) -> None:
    budget = _Budget(limits)
    declared = _zip_entry_count(archive)
    if declared is not None and declared > limits.max_archive_entries:
        raise ArchiveError(
            f"archive declares {declared} entries, over MINDKG_MAX_ARCHIVE_ENTRIES="
            f"{limits.max_archive_entries}"
        )
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            budget.entry()
            rel = _safe_name(info.filename)
            mode = (info.external_attr >> 16) & 0o170000
            if mode and mode not in (0o100000, 0o040000):
                raise ArchiveError(f"archive entry {info.filename!r} is a link or special file")
            if info.is_dir():
                (dest / rel).mkdir(parents=True, exist_ok=True, mode=0o700)
                continue
            if info.flag_bits & 0x1:
                raise ArchiveError(f"archive entry {info.filename!r} is encrypted")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1 << 20 and ratio > limits.max_compression_ratio:
                raise ArchiveError(
                    f"archive entry {info.filename!r} compresses {ratio:.0f}:1, over "
                    f"MINDKG_MAX_COMPRESSION_RATIO={limits.max_compression_ratio:g} (zip bomb?)"
                )
            with zf.open(info) as src:
                budget.copy(src, dest / rel)


def _untar(archive: Path, dest: Path, limits: ApiSettings) -> None:
    """Stream the tar (plain, gz, bz2, xz) member by member: entries, total size and the
    expansion ratio over the compressed bytes read so far are checked while unpacking."""
    with archive.open("rb") as handle:
        counted = _CountingReader(handle)
        budget = _Budget(limits, counted)
        with tarfile.open(fileobj=io.BufferedReader(counted), mode="r|*") as tf:
            _untar_members(tf, dest, budget)


def _untar_members(tf: tarfile.TarFile, dest: Path, budget: _Budget) -> None:
    for member in tf:
        budget.entry()
        rel = _safe_name(member.name)
        if member.isdir():
            (dest / rel).mkdir(parents=True, exist_ok=True, mode=0o700)
            continue
        if not member.isfile():
            raise ArchiveError(f"archive entry {member.name!r} is a link or special file")
        src = tf.extractfile(member)
        if src is None:
            raise ArchiveError(f"archive entry {member.name!r} cannot be read")
        with src:
            budget.copy(src, dest / rel)


def unpack_bundle(archive: Path, dest: Path, limits: ApiSettings) -> Path:
    """Unpack `archive` into the new folder `dest`; returns the bundle folder inside it."""
    dest.mkdir(parents=True, exist_ok=False, mode=0o700)
    try:
        if zipfile.is_zipfile(archive):
            _unzip(archive, dest, limits)
        elif _is_tar(archive):
            _untar(archive, dest, limits)
        else:
            raise UnsupportedArchive("upload is neither a zip nor a tar archive of a bundle folder")
        return _bundle_root(dest)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        shutil.rmtree(dest, ignore_errors=True)
        raise ArchiveError(f"archive is damaged: {exc}") from exc
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def _is_tar(archive: Path) -> bool:
    try:
        return tarfile.is_tarfile(archive)
    except (OSError, tarfile.TarError):
        return False


def _bundle_root(dest: Path) -> Path:
    if (dest / MANIFEST).is_file():
        return dest
    children = [p for p in dest.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(children) == 1 and children[0].is_dir() and (children[0] / MANIFEST).is_file():
        # The folder name is the uploader's choice, often the local student id: it must not
        # reach jobs.sqlite3 (bundle_dir), so the folder gets a fixed name.
        fixed = dest / "bundle"
        if children[0] != fixed:
            children[0].rename(fixed)
        return fixed
    raise ArchiveError(f"archive holds no {MANIFEST} at its root or in its single top-level folder")


@contextmanager
def spooled_copy(src: IO[bytes], dest: Path, max_bytes: int) -> Iterator[Path]:
    """Copy an upload stream to `dest`, failing once it exceeds `max_bytes`."""
    total = 0
    try:
        with os.fdopen(open_private(dest), "wb") as out:
            while chunk := src.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise UploadTooLarge(max_bytes)
                out.write(chunk)
        yield dest
    finally:
        dest.unlink(missing_ok=True)


class UploadTooLarge(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"upload is larger than the limit of {limit} bytes")
        self.limit = limit
