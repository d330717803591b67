"""CAS(ME)^3 (Li et al. 2022): Part A labels (frame = jpg file name), Part B self-reports,
Part C mock-crime MEs (frame = position in folder) and the official exception lists.
"""

from __future__ import annotations

import re
from pathlib import Path

from research.datasets.layout import attach, find_sheet, first_dir
from research.datasets.sample import (
    MESample,
    frame_issues,
    normalise_emotion,
    parse_aus,
    to_class3,
    with_labels,
)
from research.datasets.sheets import (
    Row,
    as_frame,
    as_str,
    column_index,
    data_rows,
    find_header,
    optional_column,
    read_sheet,
    sheet_names,
)

PART_A_PATTERNS = (
    "cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx",
    "*part_A_ME_label*.xls*",
    "*part_A_ME_label*.csv",
    "*/*part_A_ME_label*.xls*",
)
PART_A_PREFIXES = ("part_A/data/part_A", "data/part_A", "part_A", "")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7}


def read_part_a(path: Path, sheet: str | int | None = None) -> list[MESample]:
    """Part A rows (ME label sheets, the all-expressions `AU+Emotion` sheet, or HTNet's CSV).

    Filename is lower-cased ('J' on spNO.14). Onset = apex = 0 (spNO.216/e) is kept with
    an issue note: the errata's fix (+1) is a decision for the caller, not silent here.
    """
    rows = read_sheet(path, _part_a_sheet(path) if sheet is None else sheet)
    h = find_header(rows, ("Subject", "Filename", "Onset", "Apex", "Offset"), path)
    head = rows[h]
    c = {n: column_index(head, n, path) for n in ("Subject", "Filename", "Onset", "Apex", "Offset")}
    au_col = optional_column(head, "AU")
    emo_col = optional_column(head, "emotion")
    obj_col = optional_column(head, "Objective class")
    type_col = optional_column(head, "Expression type")
    out: list[MESample] = []
    for number, row in data_rows(rows, h + 1):
        onset, apex, offset = (as_frame(row[c[k]]) for k in ("Onset", "Apex", "Offset"))
        tokens, aus = parse_aus(row[au_col] if au_col is not None else None)
        issues = list(frame_issues(row[c["Apex"]], onset, apex, offset))
        if onset == 0:
            issues.append("frame 0 does not exist (errata: add 1)")
        kind = str(row[type_col] if type_col is not None else "micro").strip().lower()
        sample = MESample(
            dataset="casme3",
            subject=as_str(row[c["Subject"]]),
            clip_id=as_str(row[c["Filename"]]).lower(),
            onset=onset,
            apex=apex,
            offset=offset,
            emotion=normalise_emotion(row[emo_col]) if emo_col is not None else "",
            au_tokens=tokens,
            aus=aus,
            objective_class=_objective(row[obj_col] if obj_col is not None else None),
            expression_type="micro" if kind.startswith("micro") else "macro",
            source_row=number,
            issues=tuple(issues),
        )
        out.append(with_labels(sample))
    return out


def read_eye_blinks(path: Path) -> list[tuple[str, str, int | None, int | None]]:
    """(subject, filename, onset, offset) rows of the Part A `eye blink` sheet."""
    rows = read_sheet(path, "eye blink")
    h = find_header(rows, ("Subject", "Filename", "Onset", "Offset"), path)
    head = rows[h]
    s, f, on, off = (column_index(head, n, path) for n in ("Subject", "Filename", "Onset", "Offset"))
    return [
        (as_str(r[s]), as_str(r[f]).lower(), as_frame(r[on]), as_frame(r[off]))
        for _, r in data_rows(rows, h + 1)
    ]


def read_part_c(path: Path) -> list[MESample]:
    """Part C `mockCrimeME`: sub, count, onset, offset, au (comma list), emotion; no apex."""
    rows = read_sheet(path, "mockCrimeME")
    h = find_header(rows, ("sub", "count", "onset", "offset"), path)
    head = rows[h]
    c = {n: column_index(head, n, path) for n in ("sub", "count", "onset", "offset", "au", "emotion")}
    out: list[MESample] = []
    for number, row in data_rows(rows, h + 1):
        tokens, aus = parse_aus(row[c["au"]])
        emotion = normalise_emotion(row[c["emotion"]])
        out.append(
            MESample(
                dataset="casme3_c",
                subject=as_str(row[c["sub"]]),
                clip_id=as_str(row[c["count"]]),
                onset=as_frame(row[c["onset"]]),
                apex=None,
                offset=as_frame(row[c["offset"]]),
                emotion=emotion,
                au_tokens=tokens,
                aus=aus,
                class3=to_class3(emotion),
                class4=emotion if emotion in {"negative", "positive", "surprise"} else "others",
                source_row=number,
                issues=("no apex annotation in Part C",),
            )
        )
    return out


def read_part_c_intervals(path: Path) -> list[Row]:
    """Part C `organize` sheet rows (Subject, Onset, Offset, diff, Exp_type, risk), as numbers."""
    rows = read_sheet(path, "organize")
    h = find_header(rows, ("Subject", "Onset", "Offset", "Exp_type"), path)
    return [row[:6] for _, row in data_rows(rows, h + 1)]


def read_part_b_self_reports(path: Path) -> list[dict[str, object]]:
    """Part B self-reported intensities (1-5) per subject and stimulus video, all sheets.

    The subject id sits only on the first row of each block, so it is carried down.
    """
    out: list[dict[str, object]] = []
    for name in sheet_names(path):
        rows = read_sheet(path, name)
        subject = ""
        for _, row in data_rows(rows, 0):
            order = as_frame(row[1]) if len(row) > 1 else None
            if order is None:  # title or header row
                continue
            if row[0] is not None:
                subject = as_str(row[0])
            scores = [as_frame(v) for v in row[2:9]]
            out.append({"sheet": name, "subject": subject, "video_order": order} | dict(
                zip(_PART_B_EMOTIONS, scores, strict=True)
            ))
    return out


def read_exception_frames(path: Path) -> list[tuple[str, str, int]]:
    """(subject, filename, frame) listed in the damaged / bad-quality frame text files."""
    pattern = re.compile(r"(spNO\.\d+)\W+([a-mA-M])\W+(?:color\W+)?(\d+)\.(?:jpg|png)")
    out = []
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        match = pattern.search(line)
        if match:
            out.append((match.group(1), match.group(2).lower(), int(match.group(3))))
    return out


def load(root: Path, *, drop_others: bool = False) -> list[MESample]:
    """Part A MEs with frames `spNO.N/<a-m>/color/<frame>.jpg` (file name = frame number)."""
    sheet = find_sheet(root, PART_A_PATTERNS, "CAS(ME)^3 Part A")
    base = sheet.parent if Path(root).is_file() else Path(root)
    out = []
    for s in read_part_a(sheet):
        if drop_others and s.class4 == "others":
            continue
        out.append(attach(s, first_dir(base, PART_A_PREFIXES, Path(s.subject) / s.clip_id / "color")))
    return out


def _part_a_sheet(path: Path) -> str | int:
    names = sheet_names(path)
    for preferred in ("label", "AU+Emotion"):
        if preferred in names:
            return preferred
    return 0


def _objective(cell: object) -> int | None:
    if cell is None:
        return None
    text = str(cell).strip().upper()
    return _ROMAN.get(text) or as_frame(text)


_PART_B_EMOTIONS = ("happy", "sad", "disgust", "fear", "surprise", "anger", "contempt")


def read_part_a_errata(path: Path) -> list[MESample]:
    """The header-less list of v1 rows with wrong apex/offset, so callers can drop or fix them.

    Two blocks with different layouts, split by a blank row: (subject, file, onset, apex,
    offset, AU, objective class, emotion) then (..., AU, emotion, type, objective class, diff).
    """
    out = []
    for number, row in data_rows(read_sheet(path, 0), 0):
        onset, apex, offset = (as_frame(row[i]) for i in (2, 3, 4))
        tokens, aus = parse_aus(row[5])
        # Second block of the sheet: emotion, 'Micro-expression', objective class, diff.
        second = str(row[7]).lower().startswith("micro")
        emotion, objective = (row[6], row[8]) if second else (row[7], row[6])
        out.append(
            with_labels(
                MESample(
                    dataset="casme3",
                    subject=as_str(row[0]),
                    clip_id=as_str(row[1]).lower(),
                    onset=onset,
                    apex=apex,
                    offset=offset,
                    emotion=normalise_emotion(emotion),
                    au_tokens=tokens,
                    aus=aus,
                    objective_class=_objective(objective),
                    source_row=number,
                    issues=(*frame_issues(row[3], onset, apex, offset), "listed as wrong in v1"),
                )
            )
        )
    return out
