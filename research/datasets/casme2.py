"""CASME II (Yan et al. 2014): coding sheet + `<variant>/subNN/EPxx_yy/img<N>.jpg` frames."""

from __future__ import annotations

from pathlib import Path

from research.datasets.layout import attach, first_dir, sheet_and_base
from research.datasets.sample import MESample, coded_sample
from research.datasets.sheets import as_frame, as_str, read_table

SHEET_PATTERNS = ("CASME2-coding-*.xlsx", "CASME2-coding*.xls*", "CASME2-coding*.csv", "*/CASME2-coding-*.xlsx")
FRAME_VARIANTS = ("Cropped", "CASME2_RAW_selected", "CASME2-RAW", "")


def read_coding_sheet(path: Path) -> list[MESample]:
    """All rows of a CASME II coding sheet (2014 or 2019 release) as samples without frames.

    Quirks kept visible: ApexFrame '/' becomes apex=None with an issue note; apex equal to
    onset (sub05/EP09_05f) is noted too, because MEGC 2019 drops both clips.
    """
    table = read_table(path, 0, ("Subject", "Filename", "OnsetFrame"), _COLUMNS)
    obj_col = table.optional("Objective Classes")
    return [
        coded_sample("casme2", row, number, table.col, _FRAMES, pad=2,
                     objective=as_frame(row[obj_col]) if obj_col is not None else None)
        for number, row in table.rows
    ]


def read_objective_classes(path: Path) -> dict[tuple[str, str], int]:
    """(subject, filename) -> objective class 1-7 from CASME2-ObjectiveClasses.xlsx Sheet1."""
    table = read_table(path, "Sheet1", ("Subject", "Filename", "Objective Class"))
    s, f, c = table.col.values()
    return {(as_str(r[s], pad=2), as_str(r[f])): int(as_frame(r[c]) or 0) for _, r in table.rows}


def load(root: Path) -> list[MESample]:
    """Samples with frames from a CASME II folder (sheet inside it, frames in a known variant)."""
    sheet, base = sheet_and_base(root, SHEET_PATTERNS, "CASME II")
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
_FRAMES = ("OnsetFrame", "ApexFrame", "OffsetFrame")  # onset, apex, offset
