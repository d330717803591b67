"""Micro-expression dataset loaders that read the official annotation sheets and folder layouts.

`load_dataset(format, root)` is the single entry point the training command uses; the
per-dataset modules also expose sheet readers that work without any frames on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from research.datasets import casme2, casme3, casme_sq, megc, samm, smic
from research.datasets.sample import CLASS3, CLASS4, MESample, frame_number, parse_aus

LOADERS: dict[str, Callable[[Path], list[MESample]]] = {
    "casme2": casme2.load,
    "samm": samm.load,
    "smic": smic.load,
    "casme_sq": casme_sq.load,
    "casme3": casme3.load,
    "megc": megc.load,
}


def load_dataset(fmt: str, root: Path) -> list[MESample]:
    """Samples of one dataset format from its folder; a clear error for unknown formats."""
    try:
        loader = LOADERS[fmt]
    except KeyError:
        raise ValueError(f"unknown dataset format {fmt!r}; choose from {sorted(LOADERS)}") from None
    return loader(Path(root))


__all__ = ["CLASS3", "CLASS4", "LOADERS", "MESample", "frame_number", "load_dataset", "parse_aus"]
