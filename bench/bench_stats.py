"""What every bench in this folder reports beside its numbers: median [min-max] of repeated
runs, the machine, its load average, the date and the commit measured.

Imported by the bench scripts (run as `python bench/NAME.py`, so this folder is on sys.path)
and by bench/report.py, which renders their JSON.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def spread(values: Sequence[float], digits: int = 4) -> dict[str, Any]:
    """{"median", "min", "max", "n", "runs"} of repeated measurements (runs kept in order)."""
    vals = [float(v) for v in values]
    if not vals:
        return {"median": None, "min": None, "max": None, "n": 0, "runs": []}
    return {"median": round(statistics.median(vals), digits), "min": round(min(vals), digits),
            "max": round(max(vals), digits), "n": len(vals),
            "runs": [round(v, digits) for v in vals]}


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def mem_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def git_commit(tree: Path = REPO) -> str:
    """Commit of `tree`, with "+dirty" when it has uncommitted changes to tracked files."""
    try:
        sha = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def machine() -> dict[str, Any]:
    """Where and when: CPU, cores usable by this process, memory, Python, commit, UTC time."""
    return {
        "cpu": cpu_model(),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "mem_gib": mem_total_gib(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.machine()}",
        "commit": git_commit(),
        "date_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 2)
