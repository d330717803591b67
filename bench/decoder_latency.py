"""Decoding latency (fusion + graph beam search + realisation) at beam widths 1, 5 and 10.

Sessions: a SYNTHETIC cohort with all modalities (research/cohort); graph: a temporary SQLite
store loaded with the default seed (or the curated ontology with --no-store). The ontology view
is loaded once before timing (it is cached per store in production too).
Run: .venv/bin/python bench/decoder_latency.py [--sessions 200 --widths 1 5 10]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.decoder import assess  # noqa: E402
from models.fusion.graph import ontology_view  # noqa: E402
from research.cohort import generate_cohort  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--widths", type=int, nargs="+", default=[1, 5, 10])
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--no-store", action="store_true")
    args = ap.parse_args(argv)
    cohort = generate_cohort(args.sessions, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = None
        if not args.no_store:
            from kg.seed import build_default_seed, load_seed
            from kg.store.sqlite_store import SqliteGraphStore

            store = SqliteGraphStore(Path(tmp) / "graph.sqlite3")
            store.ensure_schema()
            load_seed(store, build_default_seed())
        t = time.perf_counter()
        view = ontology_view(store)
        load_ms = (time.perf_counter() - t) * 1000
        print(f"graph: {view.source}, {len(view.names)} concepts; view load {load_ms:.0f} ms "
              f"(once per store); {args.sessions} sessions; python {platform.python_version()}")
        print("| beam width | p50 ms | p95 ms | mean ms |")
        print("|---|---|---|---|")
        for width in args.widths:
            s0 = cohort[0]
            assess(s0.features, s0.feature_ids, [], store, beam_width=width)  # warm-up
            times = []
            for s in cohort:
                t = time.perf_counter()
                assess(s.features, s.feature_ids, [], store, beam_width=width)
                times.append((time.perf_counter() - t) * 1000)
            arr = np.array(times)
            print(f"| {width} | {np.percentile(arr, 50):.2f} | {np.percentile(arr, 95):.2f} | "
                  f"{arr.mean():.2f} |")
        if store is not None:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
