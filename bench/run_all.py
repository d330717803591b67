"""Run the quick benchmarks one after another, each writing its results into OUTDIR.

    .venv/bin/python bench/run_all.py OUTDIR [--only NAMES] [--baseline ../main]
    .venv/bin/python bench/report.py OUTDIR --write docs/BENCHMARKS.md

Settings are chosen to finish in about 12 minutes on a quiet 2-core machine (plus a one-off
build of the joint space when MINDKG_CACHE_DIR has none for the seed graph). Run it on a quiet
machine: the load average before and after every step is recorded and printed in the report.

Steps (in this order; --only picks some):
- prepare: a fresh home under OUTDIR/home seeded as a user's is (`mindkg kg seed`), its joint
  space built or found in MINDKG_CACHE_DIR (`mindkg kg embed`); untimed in the report;
- startup: bench/startup_bench.py (warm 5, cold 3, against `--help`);
- face_path: bench/face_path_bench.py (5 s synthetic 640x480 at 120 fps, 5 rounds);
- timeline: bench/timeline_bench.py (30-minute synthetic session, 5 repeats);
- node2vec: bench/node2vec_bench.py (warm 5 rounds on the power-law graph and the seed
  knowledge graph, cold 3 rounds on the seed knowledge graph, walk quality);
- api_load, api_load_unique, joint_space: bench/api_load_bench.py (as is, then with every
  speech text new: `--unique`) and bench/joint_space_bench.py with the command lines below
  (override with MINDKG_BENCH_API_ARGS / MINDKG_BENCH_API_UNIQUE_ARGS /
  MINDKG_BENCH_JOINT_ARGS); the API bench serves the seeded home (`--home`) where its version
  has that option; their stdout is kept as OUTDIR/<name>.stdout (and as <name>.json when it
  is one JSON document).

MINDKG_CACHE_DIR is used as set (a user's cache: the trained joint space is reused); without
it, OUTDIR/cache. MINDKG_PURPOSE defaults to counseling.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_stats import loadavg, machine

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"

# name -> argv after the interpreter; each bench writes its own JSON (--json).
STEPS: dict[str, list[str]] = {
    "startup": ["bench/startup_bench.py", "--repeats", "5", "--cold-repeats", "3"],
    "face_path": ["bench/face_path_bench.py", "--seconds", "5", "--repeat", "5"],
    "timeline": ["bench/timeline_bench.py", "--repeats", "5"],
    "node2vec": ["bench/node2vec_bench.py", "--synthetic", "plc", "--seed-kg", "--repeats", "5",
                 "--cold-repeats", "3", "--cold-graphs", "seed-kg", "--quality"],
}
# Other benches, called by their command lines; their stdout is captured.
CAPTURED: dict[str, tuple[str, list[str]]] = {
    "api_load": ("MINDKG_BENCH_API_ARGS",
                 ["bench/api_load_bench.py", "--processes", "2", "--clients", "50",
                  "--seconds", "20", "--baseline-seconds", "10"]),
    # the same with every speech text new (a center's transcripts never repeat)
    "api_load_unique": ("MINDKG_BENCH_API_UNIQUE_ARGS",
                        ["bench/api_load_bench.py", "--processes", "2", "--clients", "50",
                         "--seconds", "20", "--baseline-seconds", "10", "--unique",
                         "--pool", "60"]),
    "joint_space": ("MINDKG_BENCH_JOINT_ARGS", ["bench/joint_space_bench.py", "--runs", "2"]),
}
# --smoke: the same steps at tiny settings, to check the pipeline works (numbers meaningless).
SMOKE: dict[str, list[str]] = {
    "startup": ["bench/startup_bench.py", "--repeats", "1", "--cold-repeats", "1"],
    "face_path": ["bench/face_path_bench.py", "--seconds", "3", "--repeat", "1"],
    "timeline": ["bench/timeline_bench.py", "--minutes", "2", "--repeats", "1"],
    "node2vec": ["bench/node2vec_bench.py", "--synthetic", "plc", "--nodes", "500",
                 "--repeats", "1", "--cold-repeats", "1", "--no-cold-jit"],
    "api_load": ["bench/api_load_bench.py", "--clients", "5", "--seconds", "3",
                 "--baseline-seconds", "1"],
    "api_load_unique": ["bench/api_load_bench.py", "--clients", "5", "--seconds", "3",
                        "--baseline-seconds", "1", "--unique", "--pool", "6"],
    "joint_space": ["bench/joint_space_bench.py", "--runs", "1"],
}
ORDER = ["startup", "face_path", "timeline", "node2vec", "api_load", "api_load_unique",
         "joint_space"]


def _run(name: str, argv: list[str], env: dict[str, str], out: Path, timeout: int,
         stdout_file: Path | None = None) -> dict[str, Any]:
    print(f"== {name}: {shlex.join(argv)}", flush=True)
    step: dict[str, Any] = {"name": name, "command": shlex.join(argv),
                            "loadavg_before": loadavg()}
    t0 = time.perf_counter()
    log = (out / f"{name}.log").open("w", encoding="utf-8")
    try:
        done = subprocess.run(argv, cwd=REPO, env=env, timeout=timeout, text=True,
                              stdout=subprocess.PIPE if stdout_file else log, stderr=log)
        step["rc"] = done.returncode
        if stdout_file is not None:
            stdout_file.write_text(done.stdout or "", encoding="utf-8")
    except subprocess.TimeoutExpired:
        step["rc"] = None
        step["error"] = f"timed out after {timeout} s"
    finally:
        log.close()
    step["seconds"] = round(time.perf_counter() - t0, 1)
    step["loadavg_after"] = loadavg()
    print(f"   rc={step['rc']} in {step['seconds']} s, load {step['loadavg_after'][0]}",
          flush=True)
    return step


def _accepts(py: str, script: str, option: str, env: dict[str, str]) -> bool:
    """Whether `script --help` lists `option` (benches other work is changing)."""
    done = subprocess.run([py, script, "--help"], cwd=REPO, env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    return option in done.stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--only", default=",".join(ORDER), help=f"of {', '.join(ORDER)}")
    ap.add_argument("--baseline", type=Path, help="another checkout for the start-up bench")
    ap.add_argument("--timeout", type=int, default=900, help="per step, seconds")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny settings: checks that every step runs; the numbers mean nothing")
    args = ap.parse_args(argv)
    only = [s for s in args.only.split(",") if s]
    unknown = set(only) - set(ORDER)
    if unknown:
        ap.error(f"unknown steps {sorted(unknown)}")
    out = args.outdir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    home = out / "home"
    env = {**os.environ, "PYTHONPATH": str(REPO), "MINDKG_HOME": str(home),
           "MINDKG_CACHE_DIR": os.environ.get("MINDKG_CACHE_DIR") or str(out / "cache"),
           "MINDKG_PURPOSE": os.environ.get("MINDKG_PURPOSE", "counseling")}
    # A user's Python caches bytecode; some sandboxes turn that off, which would make every
    # process recompile the project's modules.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    py = sys.executable
    run: dict[str, Any] = {"machine": machine(), "loadavg_before": loadavg(), "smoke": args.smoke,
                           "command": shlex.join([py, *sys.argv]), "steps": [],
                           "cache_dir": env["MINDKG_CACHE_DIR"]}
    t0 = time.perf_counter()
    needs_store = {"startup", "joint_space", "api_load", "api_load_unique"} & set(only)
    if needs_store:
        for name, cmd in (("prepare-seed", ["kg", "seed"]), ("prepare-embed", ["kg", "embed"])):
            step = _run(name, [py, "-m", "api.cli", *cmd], env, out, args.timeout)
            run["steps"].append(step)
            if step["rc"] != 0:
                print(f"{name} failed: see {out / (name + '.log')}", file=sys.stderr)
                return 1
    for name in [s for s in ORDER if s in only]:
        if name in STEPS:
            cmd = [py, *(SMOKE if args.smoke else STEPS)[name], "--json",
                   str(out / f"{name}.json")]
            if name == "startup" and args.baseline is not None:
                cmd += ["--baseline", str(args.baseline.resolve())]
            run["steps"].append(_run(name, cmd, env, out, args.timeout))
            continue
        variable, default = CAPTURED[name]
        override = os.environ.get(variable)
        rest = shlex.split(override) if override else (SMOKE[name] if args.smoke else default)
        if not (REPO / rest[0]).exists():
            run["steps"].append({"name": name, "command": shlex.join(rest), "skipped": True,
                                 "error": f"{rest[0]} not in this tree"})
            continue
        if name.startswith("api_load") and not override and _accepts(py, rest[0], "--home",
                                                                        env):
            rest = [*rest, "--home", str(home)]  # serve the seeded home, as a user's server
        stdout_file = out / f"{name}.stdout"
        run["steps"].append(_run(name, [py, *rest], env, out, args.timeout, stdout_file))
        try:
            doc = json.loads(stdout_file.read_text(encoding="utf-8"))
            (out / f"{name}.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
        except (OSError, ValueError):
            pass
    run["seconds"] = round(time.perf_counter() - t0, 1)
    run["loadavg_after"] = loadavg()
    (out / "run.json").write_text(json.dumps(run, indent=1), encoding="utf-8")
    print(f"done in {run['seconds']} s; render with: {py} bench/report.py {out}")
    return 0 if all(s.get("rc") == 0 or s.get("skipped") for s in run["steps"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
