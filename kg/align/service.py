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

_CACHE: dict[tuple[str, str, str], Aligner] = {}
_LOCK = threading.Lock()


def load_aligner(
    store: GraphStore,
    settings: Settings,
    *,
    weights: AlignWeights | None = None,
    progress: Callable[[str], None] | None = None,
) -> Aligner:
    view = graph_view(store)
    key = (view.key, view.source, str(settings.cache_home))
    with _LOCK:
        if key not in _CACHE:
            space = build_joint_space(store, settings.cache_home, progress=progress)
            _CACHE[key] = Aligner(space, concept_valence(view), cilin_synonyms(space.concepts),
                                  lexicon=load_lexical_index(view, settings.cache_home))
        aligner = _CACHE[key]
    if weights is not None:
        aligner.weights = weights
    return aligner
