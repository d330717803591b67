"""Uploaded bundles on disk: where they live, deleting one, and sweeping orphans.

An upload belongs to one job. It is deleted when the job ends (unless MINDKG_RETAIN_MEDIA),
kept after a transient failure until MINDKG_UPLOAD_RETENTION_S has passed, and swept at
start-up when its job was cancelled or finished, or when no job names it (a crash between
unpacking and queueing; such entries are left alone for an hour, in case another process
sharing MINDKG_HOME is unpacking right now).
"""

from __future__ import annotations

import logging
import shutil
import time
from datetime import datetime
from pathlib import Path

from api.jobs.store import JobStore
from contracts.settings import ApiSettings, Settings

log = logging.getLogger("mindkg.jobs")
UNCLAIMED_GRACE_S = 3600.0


def uploads_dir(settings: Settings) -> Path:
    return settings.home / "api" / "uploads"


def without_folder(message: str, folder: Path | str) -> str:
    """`message` with the bundle folder's server path taken out (errors name files inside the
    bundle as the client packed them, never where the server unpacked them)."""
    for path in sorted({str(Path(folder)), str(Path(folder).resolve())}, key=len, reverse=True):
        message = message.replace(path + "/", "").replace(path, "the bundle")
    return message


def _top(root: Path, bundle_dir: str) -> str | None:
    """The upload folder (first part under `root`) holding `bundle_dir`, if it is one."""
    try:
        relative = Path(bundle_dir).resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return relative.parts[0] if relative.parts else None


def discard_upload(settings: Settings, bundle_dir: str) -> bool:
    root = uploads_dir(settings)
    top = _top(root, bundle_dir)
    if top is None:
        log.error("upload %s is outside %s; not deleting", bundle_dir, root)
        return False
    shutil.rmtree(root / top, ignore_errors=True)
    return True


def _epoch(iso: str | None) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp() if iso else 0.0
    except ValueError:
        return 0.0


def sweep_uploads(
    settings: Settings, api: ApiSettings, store: JobStore, *, now: float | None = None
) -> list[str]:
    """Delete uploads no live job needs; returns the folder names removed."""
    root = uploads_dir(settings)
    if not root.is_dir():
        return []
    now = time.time() if now is None else now
    live = {t for d in store.live_bundle_dirs() if (t := _top(root, d))}
    ended: dict[str, bool] = {}  # folder -> still to keep
    for _job_id, bundle_dir, _status, finished_at, owns, kept in store.media_of_final_jobs():
        top = _top(root, bundle_dir)
        if top is None or not owns:
            continue
        keep = api.retain_media or (kept and _epoch(finished_at) + api.upload_retention_s > now)
        ended[top] = ended.get(top, False) or keep
    removed = []
    for entry in root.iterdir():
        name = entry.name
        if name in live:
            continue
        if name in ended:
            if ended[name]:
                continue
        elif now - entry.stat().st_mtime < UNCLAIMED_GRACE_S:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(name)
    return removed
