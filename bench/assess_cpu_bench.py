"""CPU per request of `POST /v1/assessments`'s work, in one process, without HTTP (issue 13
point 6): this checkout against another (`--project`, e.g. main), in alternating rounds.

Each round starts a fresh process per checkout (PYTHONPATH = that checkout), which loads what
`mindkg serve` loads (settings, graph store, decoder, aligner), validates each request body as
the route does (`AssessIn`) and runs the route's own work (`_assess_json`: align, decode,
serialize) on the bodies of `api_load_bench.py` (`--unique`: every speech text new, as a
center's transcripts are). It reports the process CPU and wall time per request, and a digest
of all the answers: equal digests mean both checkouts answered every request byte for byte
alike. CPU time is what matters on a shared machine; wall time is given for a quiet one.

Usage:  python bench/assess_cpu_bench.py --project ../main [--requests 400] [--rounds 3]
        [--unique] [--pool 60]     # MINDKG_HOME / MINDKG_CACHE_DIR: a seeded store
        MINDKG_ALIGN_CACHE_SIZE=0  # passed on: measure the aligner without its cache
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

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 20

_CHILD = """
import hashlib, json, sys, time
from api.http.app import _load_models
from api.http.deps import GraphHolder
from api.http.routes.assess import _assess_json
from api.http.schemas import AssessIn
from contracts.settings import load_settings
from kg.align.service import warm_aligner

settings = load_settings()
store = GraphHolder(settings).get()
_loaded, decoder = _load_models(settings)
warm_aligner(store, settings)
with open(sys.argv[1], "rb") as handle:
    bodies = handle.read().splitlines()
warm = int(sys.argv[2])
for body in bodies[:warm]:
    _assess_json(AssessIn.model_validate_json(body), settings, store, decoder)
digest = hashlib.sha256()
cpu, wall = time.process_time(), time.perf_counter()
for body in bodies[warm:]:
    digest.update(_assess_json(AssessIn.model_validate_json(body), settings, store, decoder))
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
n = len(bodies) - warm
print(json.dumps({"cpu_ms_per_request": round(1000 * cpu / n, 3),
                  "wall_ms_per_request": round(1000 * wall / n, 3),
                  "requests": n, "digest": digest.hexdigest()[:16]}))
"""


def bodies_file(folder: Path, requests: int, pool: int, seed: int, unique: bool) -> Path:
    """WARM_UP + `requests` bodies, one per line, as api_load_bench sends them."""
    sys.path.insert(0, str(ROOT / "bench"))
    from api_load_bench import NewClauses, Requests, payload_pool

    stream = Requests("http://unused", "unused", payload_pool(pool, seed, unique=unique),
                      NewClauses(seed) if unique else None)
    path = folder / "bodies.jsonl"
    path.write_bytes(b"\n".join(stream.body() for _ in range(WARM_UP + requests)))
    return path


def measure(project: Path, bodies: Path) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(project), OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", _CHILD, str(bodies), str(WARM_UP)],
                          cwd=project, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{project}: exit {done.returncode}\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--project", type=Path, required=True, help="the other checkout (A/B)")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pool", type=int, default=60, help="analysed bodies (round-robin)")
    parser.add_argument("--pool-seed", type=int, default=0)
    parser.add_argument("--unique", action="store_true", help="every speech text new")
    args = parser.parse_args()
    projects = {"this": ROOT, "other": args.project.resolve()}
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in projects}
    with tempfile.TemporaryDirectory(prefix="mindkg-assess-cpu-") as tmp:
        bodies = bodies_file(Path(tmp), args.requests, args.pool, args.pool_seed, args.unique)
        for r in range(args.rounds):
            order = list(projects) if r % 2 == 0 else list(projects)[::-1]
            for name in order:
                runs[name].append(measure(projects[name], bodies))
                print(name, runs[name][-1], f"load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    report: dict[str, object] = {
        "requests": args.requests, "rounds": args.rounds, "unique": args.unique,
        "align_cache_size": os.environ.get("MINDKG_ALIGN_CACHE_SIZE", "default"),
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }
    for name, project in projects.items():
        report[name] = {
            "project": str(project),
            "cpu_ms_per_request_median": statistics.median(
                float(str(x["cpu_ms_per_request"])) for x in runs[name]),
            "wall_ms_per_request_median": statistics.median(
                float(str(x["wall_ms_per_request"])) for x in runs[name]),
            "cpu_ms_per_request_all": [x["cpu_ms_per_request"] for x in runs[name]],
            "digests": sorted({str(x["digest"]) for x in runs[name]}),
        }
    report["same_answers"] = len({x["digest"] for name in projects for x in runs[name]}) == 1
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
