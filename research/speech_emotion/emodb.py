"""EmoDB-layout folders: `labels.csv` (`file,speaker,emotion`) beside the audio files.

The Berlin Database of Emotional Speech (Burkhardt et al., Interspeech 2005) names its seven
classes from the German file-name codes W, L, E, A, F, N, T; this layout spells them out.
Any folder in this layout (e.g. a user's own recordings with the same columns) can be read.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

LABEL_FILE = "labels.csv"
CLASSES: tuple[str, ...] = ("anger", "boredom", "disgust", "fear", "happiness", "neutral",
                            "sadness")
CLASSES_4: tuple[str, ...] = ("anger", "happiness", "neutral", "sadness")


class DatasetError(ValueError):
    """A folder that does not follow the EmoDB layout."""


@dataclass(frozen=True)
class LabelledClip:
    path: Path
    speaker: str
    emotion: str


def read_emodb(root: Path) -> list[LabelledClip]:
    """Every clip listed in `root/labels.csv`, checked to exist and to carry a known class."""
    label_file = root / LABEL_FILE
    if not label_file.is_file():
        raise DatasetError(f"{root}: no {LABEL_FILE} (columns: file,speaker,emotion)")
    clips: list[LabelledClip] = []
    with label_file.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"file", "speaker", "emotion"} - set(reader.fieldnames or [])
        if missing:
            raise DatasetError(f"{label_file}: missing columns {sorted(missing)}")
        for line, row in enumerate(reader, start=2):
            name = (row["file"] or "").strip()
            path = root / name
            if not name or Path(name).is_absolute() or ".." in Path(name).parts:
                raise DatasetError(f"{label_file}:{line}: file {name!r} is not a plain "
                                   "relative name")
            if not path.is_file():
                raise DatasetError(f"{label_file}:{line}: clip {path} not found")
            emotion = (row["emotion"] or "").strip().lower()
            if emotion not in CLASSES:
                raise DatasetError(f"{label_file}:{line}: emotion {emotion!r} not in {CLASSES}")
            speaker = (row["speaker"] or "").strip()
            if not speaker:
                raise DatasetError(f"{label_file}:{line}: empty speaker")
            clips.append(LabelledClip(path, speaker, emotion))
    if not clips:
        raise DatasetError(f"{label_file}: no clips listed")
    if len({c.speaker for c in clips}) < 2:
        raise DatasetError(f"{label_file}: leave-one-speaker-out needs at least 2 speakers")
    return clips
