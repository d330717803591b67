"""Session bundles (DESIGN.md section 3): a folder with manifest.json and the media it names.

Validation is strict and happens before anything is analysed or written, so a bad bundle
fails with a message naming the field instead of leaving half a session in the graph.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ingest.limits import JsonLimitError, loads_bounded

MANIFEST = "manifest.json"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_KNOWN_KEYS = {
    "student",
    "session",
    "recorded_at",
    "language",
    "video",
    "audio",
    "transcript",
    "scales",
    "fps",
    "synthetic",
    "note",
}
_MEDIA_KEYS = ("video", "audio", "transcript", "scales")
MAX_MANIFEST_BYTES = 64 * 1024


class BundleError(ValueError):
    """A bundle that cannot be analysed; the message names the file and field."""


@dataclass(frozen=True)
class SessionBundle:
    root: Path
    student: str
    session: str
    recorded_at: datetime
    language: Literal["zh", "en"]
    video: Path | None
    audio: Path | None
    transcript: Path | None
    scales: Path | None
    fps: float | None
    synthetic: bool

    @property
    def modalities_present(self) -> list[str]:
        return [k for k in _MEDIA_KEYS if getattr(self, k) is not None]


def check_identifier(value: Any, field: str) -> str:
    """Ids become graph keys and file names: letters, digits, '_', '.', '-' only."""
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise BundleError(
            f"{MANIFEST}: field '{field}' must be 1-64 characters of letters, digits, '_', '.' "
            f"or '-' starting with a letter or digit; got {value!r}"
        )
    return value


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise BundleError(f"{MANIFEST}: field 'recorded_at' must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BundleError(
            f"{MANIFEST}: field 'recorded_at' is not ISO 8601 ({value!r}), e.g. 2026-03-02T10:00:00+08:00"
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _media_path(root: Path, value: Any, field: str) -> Path:
    if not isinstance(value, str) or not value:
        raise BundleError(f"{MANIFEST}: field '{field}' must be a file name inside the bundle")
    rel = Path(value)
    if rel.is_absolute() or ".." in rel.parts:
        raise BundleError(f"{MANIFEST}: field '{field}' must stay inside the bundle; got {value!r}")
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BundleError(f"{MANIFEST}: field '{field}' points outside the bundle")
    if not path.is_file():
        raise BundleError(
            f"{MANIFEST}: field '{field}' names {value!r}, which is not a file in {root}"
        )
    return path


def read_bundle(root: Path) -> SessionBundle:
    root = Path(root)
    if not root.is_dir():
        raise BundleError(f"{root} is not a folder (a session bundle is a folder with {MANIFEST})")
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(f"{root} has no {MANIFEST}")
    if manifest_path.stat().st_size > MAX_MANIFEST_BYTES:
        raise BundleError(f"{MANIFEST} is larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        data = loads_bounded(manifest_path.read_text(encoding="utf-8-sig"))  # BOM: Notepad
    except JsonLimitError as exc:
        raise BundleError(f"{MANIFEST}: {exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{MANIFEST} is not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise BundleError(f"{MANIFEST} must hold a JSON object")
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise BundleError(f"{MANIFEST}: unknown field(s) {unknown}; known: {sorted(_KNOWN_KEYS)}")
    for required in ("student", "session", "recorded_at"):
        if required not in data:
            raise BundleError(f"{MANIFEST}: required field '{required}' is missing")
    language = data.get("language", "zh")
    if language not in ("zh", "en"):
        raise BundleError(f"{MANIFEST}: field 'language' must be 'zh' or 'en'; got {language!r}")
    fps = data.get("fps")
    if fps is not None and (
        isinstance(fps, bool) or not isinstance(fps, int | float) or not 1 <= fps <= 1000
    ):
        raise BundleError(
            f"{MANIFEST}: field 'fps' must be a number between 1 and 1000; got {fps!r}"
        )
    media = {
        k: _media_path(root, data[k], k) if data.get(k) is not None else None for k in _MEDIA_KEYS
    }
    if not any(media.values()):
        raise BundleError(f"{MANIFEST}: names no modality (video, audio, transcript or scales)")
    return SessionBundle(
        root=root,
        student=check_identifier(data["student"], "student"),
        session=check_identifier(data["session"], "session"),
        recorded_at=_parse_time(data["recorded_at"]),
        language=language,
        video=media["video"],
        audio=media["audio"],
        transcript=media["transcript"],
        scales=media["scales"],
        fps=float(fps) if fps is not None else None,
        synthetic=bool(data.get("synthetic", False)),
    )
