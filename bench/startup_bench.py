"""Start-up of `mindkg analyze --json --no-write`, warm and cold, against `mindkg --help`.

Each run is a fresh process under `/usr/bin/time` (wall, user+sys CPU, peak RSS). Cases: a
scales-only bundle (`samples/sessions/zh_w01_moderate`), a transcript-only bundle (two
Mandarin sentences, written to a temporary folder) and `mindkg --help`; with `--baseline DIR`
(e.g. a checkout of main) every case also runs on that tree, in the same loop.

The store is the one MINDKG_HOME points at, seeded as a user's is (`mindkg kg seed`), with its
joint space built once (`mindkg kg embed`, into MINDKG_CACHE_DIR). Neither is modified: the
bench works on a private copy of the home (the SQLite store and its secrets) and a private
cache folder that links the trained joint spaces of MINDKG_CACHE_DIR and everything else in
it except the artefacts derived at start-up, so dropping those never touches a user's files.

- **warm**: after one untimed warm-up run of each case, `--repeats` rounds, cases and trees in
  rotating order, `--help` in the same rounds.
- **cold**: the first run after dropping every cache MindKG itself keeps for start-up: the
  graph view (`models/graph-*`), the aligner's lexical index (`models/align-lexicon-*`), the
  joint space's finished word rows and remembered keys (`models/space-*-rows`,
  `models/space-keys`), the per-user caches under `$MINDKG_HOME/cache` (jieba prefix
  dictionaries, lexicons, CMeKG) and the store's remembered content digests (`digests`
  table). NOT dropped: the operating system's page cache (dropping it needs root:
  `echo 3 > /proc/sys/vm/drop_caches`; so files read by earlier runs are still in memory),
  Python's bytecode (`__pycache__`: written by the warm-up run as a user's Python does, even
  where PYTHONDONTWRITEBYTECODE is set around the bench), numba's on-disk cache, and
  the trained joint space itself (building it is bench/joint_space_bench.py's subject).
  `--help` reads none of these caches: it has no cold case. `--cold-repeats` rounds.

Prints and writes (--json) median [min-max] and the load average. Targets (issue 14): warm
scales-only <= 1.5 s and <= 400 MB, transcript-only <= 3 s, --help <= 0.5 s.

Run: .venv/bin/python bench/startup_bench.py [--baseline /path/to/main] [--repeats 5]
                                             [--cold-repeats 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_stats import loadavg, machine, spread

ROOT = Path(__file__).resolve().parents[1]
TIME = "/usr/bin/time"
SCALES = ROOT / "samples" / "sessions" / "zh_w01_moderate"
TRANSCRIPT = "最近睡不好，每天都很累，对什么都提不起兴趣。\n我觉得自己没什么用，学习也集中不了注意力。\n"
# Derived at start-up from the store and the trained space: dropped for a cold run.
DERIVED = re.compile(r"^(graph-.*|align-lexicon-.*|space-.*-rows|space-keys|\..*)$")
TARGETS = {"scales only": (1.5, 400.0), "transcript only": (3.0, None), "--help": (0.5, None)}


def transcript_bundle(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({
        "student": "bench-student", "session": "w01", "recorded_at": "2026-03-02T10:00:00+08:00",
        "language": "zh", "transcript": "transcript.txt", "synthetic": True}), encoding="utf-8")
    (folder / "transcript.txt").write_text(TRANSCRIPT, encoding="utf-8")
    return folder


class PrivateState:
    """A copy of MINDKG_HOME and a linked view of MINDKG_CACHE_DIR whose derived start-up
    artefacts can be dropped without touching the user's."""

    def __init__(self, work: Path, home: Path, cache: Path) -> None:
        self.home, self.cache = work / "home", work / "cache"
        self.home.mkdir(parents=True)
        for name in ("graph.sqlite3", "secrets"):
            src = home / name
            if src.is_dir():
                shutil.copytree(src, self.home / name)
            elif src.is_file():
                shutil.copy2(src, self.home / name)
        if not (self.home / "graph.sqlite3").exists():
            raise SystemExit(f"{home} has no graph.sqlite3: seed it first (mindkg kg seed)")
        (self.cache / "models").mkdir(parents=True)
        for entry in cache.iterdir() if cache.is_dir() else []:
            if entry.name != "models":
                (self.cache / entry.name).symlink_to(entry.resolve())
        for entry in (cache / "models").iterdir() if (cache / "models").is_dir() else []:
            if not DERIVED.match(entry.name):
                (self.cache / "models" / entry.name).symlink_to(entry.resolve())

    def env(self) -> dict[str, str]:
        return {"MINDKG_HOME": str(self.home), "MINDKG_CACHE_DIR": str(self.cache)}

    def drop(self) -> None:
        """Remove what MindKG derives at start-up (see the module docstring)."""
        for entry in (self.cache / "models").iterdir():
            if DERIVED.match(entry.name) and not entry.is_symlink():
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        shutil.rmtree(self.home / "cache", ignore_errors=True)
        with sqlite3.connect(self.home / "graph.sqlite3") as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='digests'"
                          ).fetchone():
                db.execute("DELETE FROM digests")


def run_once(tree: Path, args: list[str], env_extra: dict[str, str]) -> tuple[float, float, float]:
    """(wall s, user+sys CPU s, peak RSS MB) of `mindkg ARGS` with `tree` first on the path."""
    env = {**os.environ, **env_extra, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    # As a user's Python: the warm-up run writes the project's bytecode, later runs read it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [TIME, "-f", "%e %U %S %M", sys.executable, "-m", "api.cli", *args]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    last = done.stderr.strip().splitlines()[-1].split()
    if done.returncode != 0 or len(last) != 4:
        raise RuntimeError(f"{tree}: mindkg {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    wall, user, sys_, rss_kb = map(float, last)
    return wall, user + sys_, rss_kb / 1024


def _summary(runs: list[tuple[float, float, float]]) -> dict[str, Any]:
    walls, cpus, rss = (list(x) for x in zip(*runs, strict=True))
    return {"wall_s": spread(walls, 3), "cpu_s": spread(cpus, 3), "peak_mb": spread(rss, 1)}


def _fmt(s: dict[str, Any], unit: str) -> str:
    return f"{s['median']:.2f} {unit} [{s['min']:.2f}–{s['max']:.2f}]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--baseline", type=Path, help="another checkout to compare with (main)")
    ap.add_argument("--repeats", type=int, default=5, help="warm rounds")
    ap.add_argument("--cold-repeats", type=int, default=3, help="cold rounds (0: none)")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args(argv)
    home, cache = os.environ.get("MINDKG_HOME"), os.environ.get("MINDKG_CACHE_DIR")
    if not home or not cache:
        ap.error("set MINDKG_HOME to a seeded home (mindkg kg seed) and MINDKG_CACHE_DIR")
    trees = {"this tree": ROOT}
    if args.baseline is not None:
        trees["baseline"] = args.baseline.resolve()
    result: dict[str, Any] = {
        "bench": "startup", "machine": machine(), "loadavg_before": loadavg(),
        "command": "python bench/startup_bench.py " + " ".join(argv or sys.argv[1:]),
        "trees": {k: str(v) for k, v in trees.items()}, "repeats": args.repeats,
        "cold_repeats": args.cold_repeats, "targets": TARGETS, "cases": {},
    }
    with tempfile.TemporaryDirectory(prefix="mindkg-startup-") as tmp:
        state = PrivateState(Path(tmp) / "state", Path(home).expanduser(), Path(cache))
        env = state.env()
        cases = {
            "scales only": ["analyze", str(SCALES), "--json", "--no-write"],
            "transcript only": ["analyze", str(transcript_bundle(Path(tmp) / "tr")), "--json",
                                "--no-write"],
            "--help": ["--help"],
        }
        names = list(cases)
        warm: dict[tuple[str, str], list[tuple[float, float, float]]] = {
            (c, t): [] for c in cases for t in trees}
        cold: dict[tuple[str, str], list[tuple[float, float, float]]] = {
            (c, t): [] for c in cases if c != "--help" for t in trees}
        for case in cases.values():
            for tree in trees.values():
                run_once(tree, case, env)  # warm-up: builds what later runs load
        rounds = max(args.repeats, args.cold_repeats)
        for r in range(rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            if r < args.cold_repeats:
                for name in order:
                    for label, tree in trees.items():
                        if (name, label) in cold:
                            state.drop()
                            cold[(name, label)].append(run_once(tree, cases[name], env))
            if r < args.repeats:
                for name in order:
                    for label, tree in trees.items():
                        warm[(name, label)].append(run_once(tree, cases[name], env))
            print(f"round {r + 1}/{rounds} done, load {loadavg()[0]}", file=sys.stderr,
                  flush=True)
    for name in cases:
        entry: dict[str, Any] = {}
        for label in trees:
            entry[label] = {"warm": _summary(warm[(name, label)])}
            if cold.get((name, label)):
                entry[label]["cold"] = _summary(cold[(name, label)])
        result["cases"][name] = entry
    result["loadavg_after"] = loadavg()
    for name, entry in result["cases"].items():
        for label, kinds in entry.items():
            for kind, s in kinds.items():
                print(f"{name:16s} {label:10s} {kind:4s} wall {_fmt(s['wall_s'], 's')}; "
                      f"cpu {_fmt(s['cpu_s'], 's')}; peak {_fmt(s['peak_mb'], 'MB')}")
    print(f"load average before {result['loadavg_before']}, after {result['loadavg_after']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
