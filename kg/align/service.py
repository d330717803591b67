"""Building the aligner for a store once per process per ontology content.

The joint space, the graph view and the aligner's lexical index are derived artefacts cached on
disk by the content they derive from; a warm process memory-maps them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from contracts.settings import Settings
from kg.align.aligner import (
    Aligner,
    AlignWeights,
    cilin_synonyms,
    concept_valence,
    load_lexical_index,
)
from kg.align.space import build_joint_space
from kg.graph_view import graph_view
from kg.store.base import GraphStore

_CACHE: dict[tuple[str, str, str, int], Aligner] = {}
_LOCK = threading.Lock()


def load_aligner(
    store: GraphStore,
    settings: Settings,
    *,
    weights: AlignWeights | None = None,
    progress: Callable[[str], None] | None = None,
) -> Aligner:
    view = graph_view(store)
    key = (view.key, view.source, str(settings.cache_home), settings.align_cache_size)
    with _LOCK:
        if key not in _CACHE:
            space = build_joint_space(store, settings.cache_home, progress=progress)
            _CACHE[key] = Aligner(space, concept_valence(view), cilin_synonyms(space.concepts),
                                  lexicon=load_lexical_index(view, settings.cache_home),
                                  cache_size=settings.align_cache_size)
        aligner = _CACHE[key]
    if weights is not None:
        aligner.weights = weights
    return aligner


def rank_cache_stats() -> dict[str, int]:
    """Hits and misses of the rank caches of this process's aligners (all ontologies)."""
    with _LOCK:
        aligners = list(_CACHE.values())
    out = {"hits": 0, "misses": 0, "entries": 0}
    for aligner in aligners:
        stats = aligner.cache.stats()
        for name in out:
            out[name] += int(stats[name])
    return out


def warm_aligner(store: GraphStore, settings: Settings) -> bool:
    """Load the aligner of the store's ontology now (a server's start-up), so that no request
    pays for it; False when semantic alignment is off or the graph has no concepts."""
    if not settings.semantic_alignment or not len(graph_view(store)):
        return False
    load_aligner(store, settings)
    return True
