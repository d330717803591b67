"""Benchmark: building the joint Word2Vec/node2vec space from scratch, this tree vs a baseline.

Each run builds the space of the configured store (`mindkg kg seed` first) in a fresh,
empty cache folder (no segmented corpus, no model, no jieba cache), in its own process,
timed by /usr/bin/time (wall, user+sys CPU, peak RSS). Runs alternate between the baseline
tree (e.g. a checkout of main) and this tree, so both see the same machine load; medians,
min and max are reported with the load average. Each run prints a hash of the cached space
(vectors, vocabulary, concept rows): equal hashes across runs and thread counts show the
build is bit-identical.

    python bench/joint_space_bench.py --baseline /path/to/main --runs 3
    python bench/joint_space_bench.py --runs 2 --threads 1 2     # determinism across threads

A benchmark, not a test: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_stats import spread

REPO = Path(__file__).resolve().parents[1]

# Run in the child: build the space into $MINDKG_CACHE_DIR and print the hash of its files.
_CHILD = """
import hashlib, sys
from kg.align.space import build_joint_space
from contracts.settings import load_settings
from kg.store.factory import open_store
settings = load_settings()
with open_store(settings) as store:
    space = build_joint_space(store, settings.cache_home)
folder = next(p for p in (settings.cache_home / "models").glob("space-*")
              if (p / "space.json").is_file())  # not space-keys/ or the -rows folder
h = hashlib.sha256()
for name in ("vectors.npy", "vocab.json", "names.npy", "nodes.npy"):
    h.update((folder / name).read_bytes())
print("SPACE", folder.name, h.hexdigest()[:16], len(space.words.key_to_index))
"""
_TIME = re.compile(r"TIME (\S+) (\S+) (\S+) (\S+)")


def run_once(tree: Path, threads: int | None, keep: Path | None = None
             ) -> dict[str, str | float]:
    """One build in an empty cache folder (a temporary one, or a new one under `keep`)."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        return _run_in(tree, threads, Path(tempfile.mkdtemp(prefix="space-", dir=keep)))
    with tempfile.TemporaryDirectory(prefix="mindkg-space-bench-") as cache:
        return _run_in(tree, threads, Path(cache))


def _run_in(tree: Path, threads: int | None, cache: Path) -> dict[str, str | float]:
    env = dict(os.environ, PYTHONPATH=str(tree), MINDKG_CACHE_DIR=str(cache))
    if threads is not None:
        env["NUMBA_NUM_THREADS"] = str(threads)
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %e %U %S %M", sys.executable, "-c", _CHILD],
        env=env, cwd=tree, capture_output=True, text=True, check=False,
    )
    out = proc.stdout + proc.stderr
    timing = _TIME.search(out)
    space = re.search(r"SPACE (\S+) (\S+) (\d+)", out)
    if proc.returncode != 0 or timing is None or space is None:
        raise RuntimeError(f"build in {tree} failed:\n{out[-3000:]}")
    wall, user, sys_s, rss = timing.groups()
    return {"wall": float(wall), "cpu": float(user) + float(sys_s), "rss_mb": int(rss) / 1024,
            "key": space.group(1), "hash": space.group(2), "vocabulary": space.group(3),
            "cache": str(cache)}


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="tree of the previous release (e.g. main)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="*", default=[],
                        help="NUMBA_NUM_THREADS values to run this tree with (default: unset)")
    parser.add_argument("--keep", type=Path,
                        help="build under new folders here and keep them (quality checks)")
    args = parser.parse_args(argv)
    variants: list[tuple[str, Path, int | None]] = []
    if args.baseline is not None:
        variants.append(("baseline", args.baseline.resolve(), None))
    for t in args.threads or [None]:
        variants.append((f"this tree{'' if t is None else f', {t} threads'}", REPO, t))
    results: dict[str, list[dict[str, str | float]]] = {name: [] for name, _, _ in variants}
    for i in range(args.runs):
        for name, tree, threads in variants:
            load = _load()
            r = run_once(tree, threads, args.keep)
            results[name].append(r)
            print(f"run {i + 1} {name:<24} {r['wall']:7.1f} s wall {r['cpu']:7.1f} s cpu "
                  f"{r['rss_mb']:6.0f} MB  load {load}  {r['key']} hash {r['hash']}  {r['cache']}",
                  flush=True)
    print()
    for name, rows in results.items():
        wall = spread([float(r["wall"]) for r in rows])
        cpu = spread([float(r["cpu"]) for r in rows])
        hashes = sorted({str(r["hash"]) for r in rows})
        print(f"{name:<26} median {wall['median']:6.1f} s wall "
              f"(min {wall['min']:.1f}, max {wall['max']:.1f}); median {cpu['median']:6.1f}"
              f" s cpu (min {cpu['min']:.1f}, max {cpu['max']:.1f}); hashes {', '.join(hashes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
