"""Real headless Chromium (Debian's `chromium` package) for page checks in tests.

Started as the machine notes say (no sandbox, no GPU, no background networking) with a new
empty profile each time, and with every host name except loopback unresolvable, so a page
that needs the internet shows up broken here as it would in a counseling center offline.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--force-device-scale-factor=1", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def chromium_or_skip() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("needs Debian's chromium package (scripts/setup.sh installs it)")


def _run(url: str, *args: str, timeout: float = 90.0) -> str:
    binary = chromium_or_skip()
    with tempfile.TemporaryDirectory(prefix="mindkg-chromium-") as profile:
        done = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def dump_dom(url: str, *, budget_ms: int = 8000, size: tuple[int, int] = (1600, 1000)) -> str:
    """The DOM after the page's scripts ran (virtual time lets them finish)."""
    return _run(url, f"--window-size={size[0]},{size[1]}", f"--virtual-time-budget={budget_ms}",
                "--dump-dom")


def screenshot(url: str, out: Path, *, size: tuple[int, int] = (1600, 1000),
               budget_ms: int = 8000) -> Path:
    _run(url, f"--window-size={size[0]},{size[1]}", f"--virtual-time-budget={budget_ms}",
         f"--screenshot={out}")
    if not out.is_file():
        raise AssertionError(f"chromium wrote no screenshot to {out}")
    return out
