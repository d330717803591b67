"""SAMM micro-movements (Davison et al. 2018) and the SAMM Long Videos spotting sheet.

Frames: `<subject>/<Filename>/<subject>_<frame:05d>.jpg`. Short-clip and long-video frame
numbers differ (FORMATS.md), so the two sheets are read by separate functions.
"""

from __future__ import annotations

from pathlib import Path

from research.datasets.layout import attach, find_sheet, first_dir
from research.datasets.sample import (
    MESample,
    frame_issues,
    normalise_emotion,
    parse_aus,
    with_labels,
)
from research.datasets.sheets import (
    as_frame,
    as_str,
    column_index,
    data_rows,
    find_header,
    read_sheet,
)

SHEET_PATTERNS = (
    "SAMM_Micro_FACS_Codes*.xls*",
    "SAMM_Micro_FACS_Codes*.csv",
    "*/SAMM_Micro_FACS_Codes*.xls*",
)
FRAME_VARIANTS = ("SAMM", "")


def read_micro_sheet(path: Path) -> list[MESample]:
    """The `MICRO_ONLY` sheet: header found below the preamble (13 rows in v2)."""
    rows = read_sheet(path, "MICRO_ONLY")
    h = find_header(rows, ("Subject", "Filename", "Onset Frame"), path)
    head = rows[h]
    c = {n: column_index(head, n, path) for n in _MICRO_COLUMNS}
    out: list[MESample] = []
    for number, row in data_rows(rows, h + 1):
        onset, apex, offset = (as_frame(row[c[k]]) for k in _MICRO_FRAMES)
        tokens, aus = parse_aus(row[c["Action Units"]])
        sample = MESample(
            dataset="samm",
            subject=as_str(row[c["Subject"]], pad=3),
            clip_id=as_str(row[c["Filename"]]),
            onset=onset,
            apex=apex,
            offset=offset,
            emotion=normalise_emotion(row[c["Estimated Emotion"]]),
            au_tokens=tokens,
            aus=aus,
            objective_class=as_frame(row[c["Objective Classes"]]),
            source_row=number,
            issues=frame_issues(row[c["Apex Frame"]], onset, apex, offset),
        )
        out.append(with_labels(sample))
    return out


def read_long_video_sheet(path: Path) -> list[MESample]:
    """SAMM-LV V2 (CSV export): macro and micro intervals; Apex -1 means not annotated."""
    rows = read_sheet(path, 0)
    h = find_header(rows, ("Subject", "Filename", "Onset", "Type"), path)
    head = rows[h]
    c = {n: column_index(head, n, path) for n in _LV_COLUMNS}
    out: list[MESample] = []
    for number, row in data_rows(rows, h + 1):
        onset, apex, offset = (as_frame(row[c[k]]) for k in ("Onset", "Apex", "Offset"))
        raw_apex = row[c["Apex"]]
        if apex == -1:
            apex = None
        tokens, aus = parse_aus(row[c["Action Units"]])
        kind = str(row[c["Type"]] or "").strip().lower()
        out.append(
            MESample(
                dataset="samm_lv",
                subject=as_str(row[c["Subject"]], pad=3),
                clip_id=as_str(row[c["Filename"]]),
                onset=onset,
                apex=apex,
                offset=offset,
                emotion="",
                au_tokens=tokens,
                aus=aus,
                expression_type="micro" if kind.startswith("micro") else "macro",
                source_row=number,
                issues=frame_issues(raw_apex, onset, apex, offset),
            )
        )
    return out


def load(root: Path) -> list[MESample]:
    """Samples with frames from a SAMM folder holding the micro sheet and subject folders."""
    sheet = find_sheet(root, SHEET_PATTERNS, "SAMM")
    base = sheet.parent if Path(root).is_file() else Path(root)
    return [
        attach(s, first_dir(base, FRAME_VARIANTS, Path(s.subject) / s.clip_id))
        for s in read_micro_sheet(sheet)
    ]


_MICRO_COLUMNS = (
    "Subject",
    "Filename",
    "Onset Frame",
    "Apex Frame",
    "Offset Frame",
    "Action Units",
    "Estimated Emotion",
    "Objective Classes",
)
_MICRO_FRAMES = ("Onset Frame", "Apex Frame", "Offset Frame")
_LV_COLUMNS = ("Subject", "Filename", "Onset", "Apex", "Offset", "Type", "Action Units")
