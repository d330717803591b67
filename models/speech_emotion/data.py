"""CHEAVD-style dataset folder: audio clips plus one label file.

CHEAVD 2.0's own file naming and label columns are not public (FORMATS.md section 6), so
the loader reads a small adapter CSV, `labels.csv`, in the dataset folder:

    path,split,label[,speaker]
    clips/0001.wav,train,sad,spk07

`path` is relative to the folder; `split` is train / val / test; `label` is one of the
dataset's classes (CHEAVD 2.0: neutral, angry, happy, sad, worried, anxious, surprise,
disgust). Paper 004 merged worried+anxious; pass `merge={"anxious": "worried"}` for that.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LABEL_FILE = "labels.csv"
SPLITS = ("train", "val", "test")
CHEAVD2_CLASSES = ("neutral", "angry", "happy", "sad", "worried", "anxious", "surprise",
                   "disgust")


class DatasetError(ValueError):
    """A dataset folder that does not follow the labels.csv adapter format."""


@dataclass(frozen=True)
class Clip:
    path: Path
    split: str
    label: str
    speaker: str


def read_dataset(folder: Path, merge: Mapping[str, str] | None = None) -> list[Clip]:
    """All clips listed in `folder/labels.csv`, checked to exist; labels optionally merged."""
    label_file = folder / LABEL_FILE
    if not label_file.is_file():
        raise DatasetError(f"{folder}: no {LABEL_FILE} (columns: path,split,label[,speaker])")
    merge = merge or {}
    clips: list[Clip] = []
    with label_file.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"path", "split", "label"} - set(reader.fieldnames or [])
        if missing:
            raise DatasetError(f"{label_file}: missing columns {sorted(missing)}")
        for line, row in enumerate(reader, start=2):
            split = row["split"].strip().lower()
            if split not in SPLITS:
                raise DatasetError(f"{label_file}:{line}: split {split!r} not in {SPLITS}")
            path = folder / row["path"].strip()
            if not path.is_file():
                raise DatasetError(f"{label_file}:{line}: clip {path} not found")
            label = row["label"].strip().lower()
            if not label:
                raise DatasetError(f"{label_file}:{line}: empty label")
            clips.append(Clip(path, split, merge.get(label, label),
                              (row.get("speaker") or "").strip()))
    if not clips:
        raise DatasetError(f"{label_file}: no clips listed")
    return clips


def class_names(clips: list[Clip]) -> list[str]:
    """Classes in CHEAVD 2.0 order where they belong to it, others alphabetically after."""
    present = {c.label for c in clips}
    known = [c for c in CHEAVD2_CLASSES if c in present]
    return known + sorted(present - set(known))
