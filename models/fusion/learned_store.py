"""A trained LearnedFusion on disk: one folder the decoder can be pointed at (MINDKG_LEARNED_FUSION_DIR).

This module loads the folder; research/fusion/train.py trains the models and writes it.

Folder: `emotion.pt` and/or `depression.pt` (models/fusion/hgc.save_hgc, loaded with
`weights_only`, so a file cannot run code) and `learned_fusion.json` (mixing weight and what the
models were trained on: a centre must be able to see whether its models came from real
labelled sessions or from the SYNTHETIC cohort).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from models.fusion.hgc import load_hgc
from models.fusion.learned import LearnedFusion

META_FILE = "learned_fusion.json"
TARGETS = ("emotion", "depression")


class LearnedFusionError(ValueError):
    """A learned-fusion folder is missing, incomplete or unreadable."""


def read_meta(folder: Path) -> dict[str, Any]:
    path = Path(folder) / META_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LearnedFusionError(f"{path}: not a learned-fusion folder ({exc})") from exc
    if not isinstance(meta, dict):
        raise LearnedFusionError(f"{path}: expected a JSON object")
    return meta


def load_learned_fusion(folder: Path) -> LearnedFusion:
    folder = Path(folder)
    meta = read_meta(folder)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*")) if p.is_file())
    return _load(str(folder.resolve()), stamp, float(meta.get("weight", 0.5)),
                 tuple(str(t) for t in meta.get("targets", TARGETS)))


@lru_cache(maxsize=4)
def _load(folder: str, _stamp: tuple[tuple[str, int], ...], weight: float,
          targets: tuple[str, ...]) -> LearnedFusion:
    """Cached per folder content: the API and the CLI load each model once."""
    models = {}
    for target in targets:
        if target not in TARGETS:
            raise LearnedFusionError(f"{folder}: unknown target {target!r}")
        path = Path(folder) / f"{target}.pt"
        try:
            models[target], _dims = load_hgc(path)
        except Exception as exc:  # corrupt or foreign file: refuse, never half-load
            raise LearnedFusionError(f"{path}: cannot load the {target} model ({exc})") from exc
    try:
        return LearnedFusion(models.get("emotion"), models.get("depression"), weight)
    except ValueError as exc:
        raise LearnedFusionError(f"{folder}: {exc}") from exc
