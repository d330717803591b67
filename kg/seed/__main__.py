"""`python -m kg.seed [--store PATH] [--import FILE --mapping JSON --source-id ID --version V]`

Builds the default seed (or imports one dump) and prints nodes per label and edges per type;
with --store, merges it into an embedded (SQLite) graph. `mindkg kg seed` is the user-facing
command; this entry point is for checking a seed without the CLI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.seed import SeedError, SeedGraph, SourceInfo, build_default_seed, load_seed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.seed", description=__doc__)
    parser.add_argument("--store", type=Path, help="embedded graph file to load the seed into")
    parser.add_argument("--import", dest="dump", type=Path, help="an RDF or TSV/CSV dump")
    parser.add_argument("--mapping", type=Path, help="JSON predicate mapping for --import")
    parser.add_argument("--source-id", default="source:user-dump")
    parser.add_argument("--version", default="unversioned")
    args = parser.parse_args(argv)
    try:
        seed: SeedGraph
        if args.dump:
            from kg.seed.importers import import_file, load_mapping
            from kg.seed.triples import TripleMapping

            mapping = load_mapping(args.mapping) if args.mapping else TripleMapping("user")
            source = SourceInfo(args.source_id, args.dump.name, args.version)
            seed = import_file(args.dump, mapping, source)
        else:
            seed = build_default_seed(progress=lambda m: print(m, file=sys.stderr))
        for label, n in seed.counts().items():
            print(f"{label}\t{n}")
        for rel, n in seed.edge_counts().items():
            print(f"[{rel}]\t{n}")
        if args.store:
            from kg.store.sqlite_store import SqliteGraphStore

            store = SqliteGraphStore(args.store)
            try:
                counts = load_seed(store, seed)
            finally:
                store.close()
            print(f"loaded into {args.store}: {counts.get('Concept', 0)} Concept nodes")
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
