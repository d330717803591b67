"""SMIC (Li et al. 2013): class-named folders for short clips, an xlsx sheet for SMIC-E.

Short clips have no onset/apex/offset: the first/last frames bound the clip and the apex is
left None (callers pick one, e.g. the middle frame). Folders are `s1`, clips `s1_ne_01`,
while MEGC writes `s01`/`s01_ne_01`: `folder_subject` strips the zero.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from research.datasets.layout import attach, find_sheet, first_dir, list_frames
from research.datasets.sample import MESample, frame_number, normalise_emotion, with_labels
from research.datasets.sheets import (
    Row,
    as_frame,
    as_str,
    column_index,
    data_rows,
    find_header,
    read_sheet,
)

SUBSETS = ("HS", "VIS", "NIR")
TREE_PREFIXES = ("SMIC_all_raw", "")
_CLIP = re.compile(r"^s0*(\d+)_(ne|po|sur)_(\d+)$", re.IGNORECASE)
SHEET_PATTERNS = ("SMIC-*E_annotation*.xlsx", "*/SMIC-*E_annotation*.xlsx")


def folder_subject(subject: str) -> str:
    """'s01' / '1' / 1 -> 's1', the folder spelling."""
    digits = re.sub(r"\D", "", str(subject))
    if not digits:
        raise ValueError(f"not a SMIC subject id: {subject!r}")
    return f"s{int(digits)}"


def folder_clip(clip: str) -> str:
    """'s01_ne_01' -> 's1_ne_01' (MEGC spelling to folder spelling)."""
    match = _CLIP.match(clip.strip())
    if match is None:
        raise ValueError(f"not a SMIC clip id: {clip!r}")
    return f"s{int(match.group(1))}_{match.group(2).lower()}_{match.group(3)}"


def load(root: Path, subset: str = "HS") -> list[MESample]:
    """Walk `[SMIC_all_raw/]<subset>/sN/micro/<class>/<clip>/` and return one sample per clip."""
    if subset not in SUBSETS:
        raise ValueError(f"SMIC subset must be one of {SUBSETS}, not {subset!r}")
    base = first_dir(Path(root), TREE_PREFIXES, subset)
    if base is None:
        raise FileNotFoundError(f"SMIC: no {subset}/ folder under {root} (or SMIC_all_raw/)")
    out: list[MESample] = []
    for clip_dir in sorted(base.glob("s*/micro/*/*")):
        match = _CLIP.match(clip_dir.name)
        if not clip_dir.is_dir() or match is None:
            continue
        folder_class = normalise_emotion(clip_dir.parent.name)
        name_class = normalise_emotion(match.group(2))
        issues = () if folder_class == name_class else (f"folder {folder_class} != name",)
        frames = list_frames(clip_dir)
        sample = MESample(
            dataset="smic",
            subject=f"s{int(match.group(1)):02d}",
            clip_id=f"s{int(match.group(1)):02d}_{match.group(2).lower()}_{match.group(3)}",
            onset=frame_number(frames[0]) if frames else None,
            apex=None,
            offset=frame_number(frames[-1]) if frames else None,
            emotion=name_class,
            expression_type="micro",
            issues=(*issues, "no apex annotation in SMIC"),
        )
        out.append(replace(with_labels(attach(sample, clip_dir)), frames=frames))
    if not out:
        raise FileNotFoundError(f"SMIC: no clip folders like sN/micro/negative/sN_ne_01 in {base}")
    return out


def read_e_sheet(path: Path, subset: str = "HS") -> list[MESample]:
    """SMIC-E long-clip sheet (`HS` or `VIS` sheet): absolute onset/offset, second ME if any."""
    rows = read_sheet(path, subset)
    h = find_header(rows, ("Subject", "Filename", "OnsetF", "OffsetF"), path)
    head = rows[h]
    c = {n: column_index(head, n, path) for n in ("Subject", "Filename", "OnsetF", "OffsetF")}
    emotion_col = _emotion_column(head)
    out: list[MESample] = []
    for number, row in data_rows(rows, h + 1):
        clip = as_str(row[c["Filename"]])
        emotion = row[emotion_col] if emotion_col is not None else _CLIP.match(clip)
        label = (
            normalise_emotion(emotion.group(2))
            if isinstance(emotion, re.Match)
            else normalise_emotion(emotion)
        )
        sample = MESample(
            dataset=f"smic_e_{subset.lower()}",
            subject=f"s{int(as_frame(row[c['Subject']]) or 0):02d}",
            clip_id=clip,
            onset=as_frame(row[c["OnsetF"]]),
            apex=None,
            offset=as_frame(row[c["OffsetF"]]),
            emotion=label,
            source_row=number,
            issues=("no apex annotation in SMIC",),
        )
        out.append(with_labels(sample))
    return out


def _emotion_column(head: Row) -> int | None:
    for i, cell in enumerate(head):
        if cell is not None and str(cell).strip().lower() == "emotion":
            return i
    return None


def read_e_sheet_from(root: Path, subset: str = "HS") -> list[MESample]:
    """SMIC-E sheet found inside a folder."""
    return read_e_sheet(find_sheet(root, SHEET_PATTERNS, "SMIC-E"), subset)
