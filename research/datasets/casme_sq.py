"""CAS(ME)^2 (Qu et al. 2018): header-less code sheet of long-video intervals.

Columns by position: participant, expression id, onset, apex, offset (0 = not annotated),
AUs, class (negative/positive/surprise/others), expression type, self-reported emotion; the
public CSV export adds offset-onset and the raw video stem `s15/15_0401girlcrashing`, which
is what locates the frames under `rawpic/` (or `cropped/`, `selectedpic/`).
"""

from __future__ import annotations

from pathlib import Path

from research.datasets.layout import attach, find_sheet, first_dir
from research.datasets.sample import MESample, frame_issues, normalise_emotion, parse_aus, to_class3
from research.datasets.sheets import SheetError, as_frame, as_str, data_rows, read_sheet

SHEET_PATTERNS = ("CAS(ME)^2code_final*.csv", "CAS(ME)^2code_final*.xlsx", "*code_final*")
FRAME_VARIANTS = ("cropped", "rawpic", "selectedpic", "")


def read_code_sheet(path: Path) -> list[MESample]:
    """Every interval (macro and micro). `emotion` is the self-report; classes come from c6."""
    rows = read_sheet(path, 0)
    out: list[MESample] = []
    for number, row in data_rows(rows, 0):
        if len(row) < 8:
            raise SheetError(f"{path}: row {number} has {len(row)} columns, expected >= 8")
        if as_frame(row[0]) is None:  # tolerate a header line added by hand
            continue
        onset, apex, offset = (as_frame(row[i]) for i in (2, 3, 4))
        tokens, aus = parse_aus(None if str(row[5]).upper() == "NULL" else row[5])
        me_class = normalise_emotion(row[6])
        kind = str(row[7] or "").strip().lower()
        video = as_str(row[10]) if len(row) > 10 else ""
        out.append(
            MESample(
                dataset="casme_sq",
                subject=f"{int(as_frame(row[0]) or 0):02d}",
                clip_id=f"{video}#{as_str(row[1])}" if video else as_str(row[1]),
                onset=onset,
                apex=apex,
                offset=offset,
                emotion=normalise_emotion(row[8]) if len(row) > 8 else "",
                au_tokens=tokens,
                aus=aus,
                expression_type="micro" if kind.startswith("micro") else "macro",
                class3=to_class3(me_class),
                class4=me_class if me_class in _CLASS4 else "others",
                source_row=number,
                issues=frame_issues(row[3], onset, apex, offset),
            )
        )
    return out


def load(root: Path, *, micro_only: bool = True) -> list[MESample]:
    """Intervals with their long-video frame folders (needs the video-stem column)."""
    sheet = find_sheet(root, SHEET_PATTERNS, "CAS(ME)^2")
    base = sheet.parent if Path(root).is_file() else Path(root)
    out = []
    for s in read_code_sheet(sheet):
        if micro_only and s.expression_type != "micro":
            continue
        video = s.clip_id.split("#", 1)[0] if "#" in s.clip_id else ""
        out.append(attach(s, first_dir(base, FRAME_VARIANTS, video) if video else None))
    return out


_CLASS4 = frozenset({"negative", "positive", "surprise", "others"})
