"""Start-up of `mindkg analyze --json --no-write`, warm, against a baseline tree and `--help`.

Each case runs as a fresh process under `/usr/bin/time` (wall, user+sys CPU, peak RSS),
alternating this tree and the baseline (`--baseline DIR`, e.g. a checkout of main) in the same
loop so both see the same machine load; one warm-up run of each comes first (it builds what
the warm runs find cached: graph view, lexical index, finished word rows, prefix
dictionaries). Cases: a scales-only bundle (`samples/sessions/zh_w01_moderate`), a
transcript-only bundle (two Mandarin sentences, written to a temporary folder) and
`mindkg --help`. The store is the one MINDKG_HOME points at (seed it first: `mindkg kg seed`);
MINDKG_CACHE_DIR is shared by both trees as a user's would be. Prints medians, min and max,
and the load average. Targets (issue 14): scales-only <= 1.5 s and <= 400 MB, transcript-only
<= 3 s, --help <= 0.5 s.

Run: .venv/bin/python bench/startup_bench.py --baseline /path/to/main [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIME = "/usr/bin/time"
SCALES = ROOT / "samples" / "sessions" / "zh_w01_moderate"
TRANSCRIPT = "最近睡不好，每天都很累，对什么都提不起兴趣。\n我觉得自己没什么用，学习也集中不了注意力。\n"


def transcript_bundle(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({
        "student": "bench-student", "session": "w01", "recorded_at": "2026-03-02T10:00:00+08:00",
        "language": "zh", "transcript": "transcript.txt", "synthetic": True}), encoding="utf-8")
    (folder / "transcript.txt").write_text(TRANSCRIPT, encoding="utf-8")
    return folder


def run_once(tree: Path, args: list[str]) -> tuple[float, float, float]:
    """(wall s, user+sys CPU s, peak RSS MB) of `mindkg ARGS` with `tree` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    cmd = [TIME, "-f", "%e %U %S %M", sys.executable, "-m", "api.cli", *args]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    last = done.stderr.strip().splitlines()[-1].split()
    if done.returncode != 0 or len(last) != 4:
        raise RuntimeError(f"{tree}: mindkg {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    wall, user, sys_, rss_kb = map(float, last)
    return wall, user + sys_, rss_kb / 1024


def summary(values: list[float], unit: str) -> str:
    return (f"median {statistics.median(values):.2f} {unit} "
            f"(min {min(values):.2f}, max {max(values):.2f})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--baseline", type=Path, help="another checkout to compare with (main)")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    if not os.environ.get("MINDKG_HOME"):
        ap.error("set MINDKG_HOME to a seeded home (mindkg kg seed)")
    trees = {"this tree": ROOT}
    if args.baseline is not None:
        trees["baseline"] = args.baseline.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "scales only": ["analyze", str(SCALES), "--json", "--no-write"],
            "transcript only": ["analyze", str(transcript_bundle(Path(tmp) / "tr")), "--json",
                                "--no-write"],
            "--help": ["--help"],
        }
        for name, case in cases.items():
            for tree in trees.values():
                run_once(tree, case)  # warm-up: builds what later runs load
            got: dict[str, list[tuple[float, float, float]]] = {t: [] for t in trees}
            for _ in range(args.repeats):
                for label, tree in trees.items():
                    got[label].append(run_once(tree, case))
            for label, runs in got.items():
                walls, cpus, rss = zip(*runs, strict=True)
                print(f"{name:16s} {label:10s} wall {summary(list(walls), 's')}; "
                      f"cpu {summary(list(cpus), 's')}; peak {summary(list(rss), 'MB')}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{args.repeats} alternating runs per case")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
