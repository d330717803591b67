"""CASME II (Yan et al. 2014): coding sheet + `<variant>/subNN/EPxx_yy/img<N>.jpg` frames."""

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
    optional_column,
    read_sheet,
)

SHEET_PATTERNS = ("CASME2-coding-*.xlsx", "CASME2-coding*.xls*", "CASME2-coding*.csv", "*/CASME2-coding-*.xlsx")
FRAME_VARIANTS = ("Cropped", "CASME2_RAW_selected", "CASME2-RAW", "")


def read_coding_sheet(path: Path) -> list[MESample]:
    """All rows of a CASME II coding sheet (2014 or 2019 release) as samples without frames.

    Quirks kept visible: ApexFrame '/' becomes apex=None with an issue note; apex equal to
    onset (sub05/EP09_05f) is noted too, because MEGC 2019 drops both clips.
    """
    rows = read_sheet(path, 0)
    h = find_header(rows, ("Subject", "Filename", "OnsetFrame"), path)
    head = rows[h]
    col = {n: column_index(head, n, path) for n in _COLUMNS}
    obj_col = optional_column(head, "Objective Classes")
    out: list[MESample] = []
    for number, row in data_rows(rows, h + 1):
        onset, apex, offset = (as_frame(row[col[k]]) for k in _FRAMES)
        issues = frame_issues(row[col["ApexFrame"]], onset, apex, offset)
        tokens, aus = parse_aus(row[col["Action Units"]])
        objective = as_frame(row[obj_col]) if obj_col is not None else None
        sample = MESample(
            dataset="casme2",
            subject=as_str(row[col["Subject"]], pad=2),
            clip_id=as_str(row[col["Filename"]]),
            onset=onset,
            apex=apex,
            offset=offset,
            emotion=normalise_emotion(row[col["Estimated Emotion"]]),
            au_tokens=tokens,
            aus=aus,
            objective_class=objective,
            source_row=number,
            issues=issues,
        )
        out.append(with_labels(sample))
    return out


def read_objective_classes(path: Path) -> dict[tuple[str, str], int]:
    """(subject, filename) -> objective class 1-7 from CASME2-ObjectiveClasses.xlsx Sheet1."""
    rows = read_sheet(path, "Sheet1")
    h = find_header(rows, ("Subject", "Filename", "Objective Class"), path)
    head = rows[h]
    s, f, c = (column_index(head, n, path) for n in ("Subject", "Filename", "Objective Class"))
    return {
        (as_str(r[s], pad=2), as_str(r[f])): int(as_frame(r[c]) or 0)
        for _, r in data_rows(rows, h + 1)
    }


def load(root: Path) -> list[MESample]:
    """Samples with frames from a CASME II folder (sheet inside it, frames in a known variant)."""
    sheet = find_sheet(root, SHEET_PATTERNS, "CASME II")
    base = sheet.parent if Path(root).is_file() else Path(root)
    return [
        attach(s, first_dir(base, FRAME_VARIANTS, Path(f"sub{s.subject}") / s.clip_id))
        for s in read_coding_sheet(sheet)
    ]


_COLUMNS = (
    "Subject",
    "Filename",
    "OnsetFrame",
    "ApexFrame",
    "OffsetFrame",
    "Action Units",
    "Estimated Emotion",
)
_FRAMES = ("OnsetFrame", "ApexFrame", "OffsetFrame")
