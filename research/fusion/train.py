"""Train the learned (HGC) fusion and write the folder the decoder loads.

Labelled sessions (a centre's JSON lines, or the SYNTHETIC cohort) -> one HGC model per target
(`train_learned_fusion`) -> `save_learned_fusion`, in the format that
models/fusion/learned_store.py loads at run time (MINDKG_LEARNED_FUSION_DIR). MMSA clips train
and evaluate the same model as a regressor (`train_eval_mmsa`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contracts.feature_text import FeatureText
from models.fusion.encode import GROUP_DIMS, values_vector
from models.fusion.learned import LearnedFusion
from models.fusion.learned_store import META_FILE, TARGETS, LearnedFusionError
from models.fusion.mmsa import MMSARow, mmsa_metrics, text_hash_vector
from models.fusion.state import EMOTIONS, LEVELS

if TYPE_CHECKING:  # torch loads only when a model is trained
    from models.fusion.hgc import GroupVectors, HGCConfig, HGCModel


@dataclass(frozen=True)
class LabelledSession:
    features: list[FeatureText]
    emotion: str | None  # EMOTIONS label, or None when the session has no emotion label
    depression: str | None  # LEVELS label, or None


def train_session_model(
    sessions: Sequence[Sequence[FeatureText]], labels: Sequence[str], target: str,
    cfg: HGCConfig | None = None,
) -> HGCModel:
    """target 'emotion' (labels from EMOTIONS) or 'depression' (labels from LEVELS)."""
    from research.fusion.hgc_train import train_hgc

    classes = {"emotion": EMOTIONS, "depression": LEVELS}[target]
    unknown = sorted({lab for lab in labels if lab not in classes})
    if unknown:
        raise ValueError(f"labels {unknown} are not {target} classes {classes}")
    xs = [values_vector(fs) for fs in sessions]
    return train_hgc(xs, [classes.index(lab) for lab in labels], GROUP_DIMS,
                     n_out=len(classes), cfg=cfg)


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
    from models.fusion.hgc import save_hgc

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


def read_labelled_sessions(path: Path) -> list[LabelledSession]:
    """JSON lines: {"feature_texts": [...], "emotion": "negative", "depression_level": "mild"}.

    Either label may be missing or null; a wrong label or feature text names the line.
    """
    from pydantic import TypeAdapter, ValidationError

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


def mmsa_vectors(rows: Sequence[MMSARow], features: Mapping[str, GroupVectors] | None = None
                 ) -> tuple[list[GroupVectors], dict[str, int]]:
    """Per clip group vectors: `features[row.key]` if given, else the hashed-text baseline."""
    if features is None:
        return [{"content": text_hash_vector(r.text)} for r in rows], {"content": 64}
    lacking = [r.key for r in rows if r.key not in features]
    if lacking:
        raise KeyError(f"{len(lacking)} clips have no features, e.g. {lacking[:3]}")
    xs = [dict(features[r.key]) for r in rows]
    dims: dict[str, int] = {}
    for x in xs:
        for g, v in x.items():
            if dims.setdefault(g, len(v)) != len(v):
                raise ValueError(f"group {g!r} has vectors of different lengths")
    return xs, dims


def train_eval_mmsa(
    rows: Sequence[MMSARow], features: Mapping[str, GroupVectors] | None = None,
    cfg: HGCConfig | None = None,
) -> dict[str, float]:
    """Train on mode=train (regression on `label`), report MMSA metrics on mode=test."""
    from models.fusion.hgc import predict_hgc
    from research.fusion.hgc_train import train_hgc

    train = [r for r in rows if r.mode == "train"]
    test = [r for r in rows if r.mode == "test"]
    if not train or not test:
        raise ValueError("label.csv needs both train and test rows")
    xtr, dims = mmsa_vectors(train, features)
    xte, _ = mmsa_vectors(test, features)
    model = train_hgc(xtr, [r.label for r in train], dims, n_out=1, cfg=cfg)
    return mmsa_metrics(predict_hgc(model, xte, dims).tolist(), [r.label for r in test])
