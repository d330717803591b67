"""Building the aligner for a store once per process (the joint space is cached on disk)."""

from __future__ import annotations

from collections.abc import Callable

from contracts.settings import Settings
from kg.align.aligner import Aligner, AlignWeights, cilin_synonyms, concept_valence
from kg.align.space import build_joint_space
from kg.store.base import GraphStore

_CACHE: dict[tuple[str, str, str], Aligner] = {}


def load_aligner(
    store: GraphStore,
    settings: Settings,
    *,
    weights: AlignWeights | None = None,
    progress: Callable[[str], None] | None = None,
) -> Aligner:
    key = (store.backend, str(settings.home), str(settings.cache_home))
    if key not in _CACHE:
        space = build_joint_space(store, settings.cache_home, progress=progress)
        _CACHE[key] = Aligner(space, concept_valence(store), cilin_synonyms(space.concepts))
    aligner = _CACHE[key]
    if weights is not None:
        aligner.weights = weights
    return aligner
