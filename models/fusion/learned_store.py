"""A trained LearnedFusion on disk: one folder the decoder can be pointed at (MINDKG_LEARNED_FUSION_DIR).

Folder: `emotion.pt` and/or `depression.pt` (models/fusion/hgc.save_hgc, loaded with
`weights_only`, so a file cannot run code) and `learned_fusion.json` (mixing weight and what the
models were trained on: a centre must be able to see whether its models came from real
labelled sessions or from the SYNTHETIC cohort).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from contracts.feature_text import FeatureText
from models.fusion.hgc import HGCConfig, load_hgc, save_hgc
from models.fusion.learned import LearnedFusion, train_session_model

META_FILE = "learned_fusion.json"
TARGETS = ("emotion", "depression")


class LearnedFusionError(ValueError):
    """A learned-fusion folder is missing, incomplete or unreadable."""


@dataclass(frozen=True)
class LabelledSession:
    features: list[FeatureText]
    emotion: str | None  # EMOTIONS label, or None when the session has no emotion label
    depression: str | None  # LEVELS label, or None


def train_learned_fusion(
    sessions: Sequence[LabelledSession], *, weight: float = 0.5, cfg: HGCConfig | None = None
) -> LearnedFusion:
    """One HGC model per target that has at least two labelled classes."""
    models = {}
    for target in TARGETS:
        pairs = [(s.features, getattr(s, target)) for s in sessions if getattr(s, target)]
        if len({label for _f, label in pairs}) >= 2:
            models[target] = train_session_model([f for f, _ in pairs], [lab for _, lab in pairs],
                                                 target, cfg)
    if not models:
        raise LearnedFusionError("no target has sessions with at least two different labels")
    return LearnedFusion(models.get("emotion"), models.get("depression"), weight)


def save_learned_fusion(fusion: LearnedFusion, folder: Path, meta: dict[str, Any]) -> Path:
    """Write all files to a temporary sibling, then rename: readers never see half a folder."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for target in TARGETS:
            model = getattr(fusion, target)
            if model is not None:
                save_hgc(model, tmp / f"{target}.pt")
        info = {**meta, "weight": fusion.weight,
                "targets": [t for t in TARGETS if getattr(fusion, t) is not None]}
        (tmp / META_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


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


def read_labelled_sessions(path: Path) -> list[LabelledSession]:
    """JSON lines: {"feature_texts": [...], "emotion": "negative", "depression_level": "mild"}.

    Either label may be missing or null; a wrong label or feature text names the line.
    """
    from pydantic import TypeAdapter, ValidationError

    from models.fusion.state import EMOTIONS, LEVELS

    adapter = TypeAdapter(list[FeatureText])
    out: list[LabelledSession] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LearnedFusionError(f"{path}: {exc}") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            row = json.loads(line)
            features = adapter.validate_python(row["feature_texts"])
        except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
            raise LearnedFusionError(f"{where}: not a labelled session ({exc})") from exc
        emotion, level = row.get("emotion"), row.get("depression_level")
        if emotion is not None and emotion not in EMOTIONS:
            raise LearnedFusionError(f"{where}: emotion {emotion!r} is not one of {EMOTIONS}")
        if level is not None and level not in LEVELS:
            raise LearnedFusionError(f"{where}: depression_level {level!r} is not one of {LEVELS}")
        if not features:
            raise LearnedFusionError(f"{where}: no feature texts")
        out.append(LabelledSession(features, emotion, level))
    if not out:
        raise LearnedFusionError(f"{path}: no labelled sessions")
    return out
