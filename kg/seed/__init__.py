"""The default knowledge-graph seed and its loading into a GraphStore.

`build_default_seed()` combines the CMeKG mental-health neighbourhood (OpenKG.CN), Cilin word
groups for psychological states and MindKG's curated ontology; `load_seed()` merges it into a
store, so loading twice changes nothing. Sources, rules and counts: docs/seed.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.seed.records import SeedError, SeedGraph, SourceInfo
from kg.store.base import DEFAULT_BATCH_SIZE, BatchCallback, GraphStore

__all__ = [
    "SeedError",
    "SeedGraph",
    "SourceInfo",
    "build_default_seed",
    "default_cache_dir",
    "load_seed",
]

Progress = Callable[[str], None]


def default_cache_dir() -> Path:
    from contracts.settings import load_settings

    return load_settings().home / "cache"


def build_default_seed(
    progress: Progress | None = None, cache_dir: Path | None = None
) -> SeedGraph:
    """CMeKG neighbourhood + curated ontology + Cilin, merged, checked for dangling edges."""
    from kg.seed.cilin import add_cilin
    from kg.seed.cmekg import build_cmekg_seed
    from kg.seed.curated import build_curated

    def say(msg: str) -> None:
        if progress:
            progress(msg)

    cache = default_cache_dir() if cache_dir is None else cache_dir
    say("CMeKG: extracting the mental-health neighbourhood")
    seed, subset = build_cmekg_seed(cache, progress)
    say(f"CMeKG: {len(subset.seeds)} seed disorders, {len(subset.hops)} concepts")
    say("curated ontology: AUs, emotions, speech descriptors, scales, symptoms")
    links = build_curated(seed)
    say(f"curated links to CMeKG: {links}")
    say("Cilin: psychological-state word groups")
    stats = add_cilin(seed)
    say(f"Cilin: {stats}")
    seed.check()
    return seed


def load_seed(
    store: GraphStore,
    seed: SeedGraph,
    on_batch: BatchCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, int]:
    """Merge the seed into `store` in one transaction (batched); returns nodes per label.

    Nodes merge on (label, id) and edges on (type, ends), so a second load changes nothing.
    """
    seed.check()
    store.ensure_schema()
    store.write(seed.nodes(), seed.edges(), batch_size=batch_size, on_batch=on_batch)
    return store.count_by_label()
