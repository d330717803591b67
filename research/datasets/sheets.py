"""Read annotation sheets (.xlsx, .xls, .csv) into plain rows without pandas.

The official sheets have preambles, blank columns and no-header variants; one small reader
that returns cell lists keeps those quirks visible in each loader instead of hidden in options.
"""

from __future__ import annotations

import csv
from pathlib import Path

Cell = str | int | float | None
Row = list[Cell]


class SheetError(ValueError):
    """An annotation file that cannot be read or lacks an expected column."""


def read_sheet(path: Path, sheet: str | int = 0) -> list[Row]:
    """All rows of one sheet (by name or index) as lists of cells; trailing empty rows removed."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"annotation file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path)
    elif suffix in {".xlsx", ".xlsm"}:
        rows = _read_xlsx(path, sheet)
    elif suffix == ".xls":
        rows = _read_xls(path, sheet)
    else:
        raise SheetError(f"{path}: unsupported annotation format {suffix!r} (csv, xlsx, xls)")
    while rows and all(_blank(c) for c in rows[-1]):
        rows.pop()
    return rows


def sheet_names(path: Path) -> list[str]:
    """Sheet names of a workbook (a CSV has one unnamed sheet, reported as '')."""
    suffix = Path(path).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return list(book.sheetnames)
        finally:
            book.close()
    if suffix == ".xls":
        import xlrd

        return list(xlrd.open_workbook(str(path), on_demand=True).sheet_names())
    return [""]


def _read_csv(path: Path) -> list[Row]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    reader = csv.reader(text.splitlines())
    return [[cell if cell != "" else None for cell in row] for row in reader]


def _read_xlsx(path: Path, sheet: str | int) -> list[Row]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for bad files
        raise SheetError(f"{path}: not a readable xlsx workbook ({exc})") from exc
    try:
        names = book.sheetnames
        name = names[sheet] if isinstance(sheet, int) else sheet
        if name not in names:
            raise SheetError(f"{path}: no sheet {sheet!r}; sheets are {names}")
        rows: list[Row] = []
        for values in book[name].iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
        return rows
    finally:
        book.close()


def _read_xls(path: Path, sheet: str | int) -> list[Row]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:  # xlrd raises XLRDError and struct errors for bad files
        raise SheetError(f"{path}: not a readable xls workbook ({exc})") from exc
    names = book.sheet_names()
    name = names[sheet] if isinstance(sheet, int) else sheet
    if name not in names:
        raise SheetError(f"{path}: no sheet {sheet!r}; sheets are {names}")
    table = book.sheet_by_name(name)
    return [[_cell(v) for v in table.row_values(i)] for i in range(table.nrows)]


def _cell(value: object) -> Cell:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def find_header(rows: list[Row], required: tuple[str, ...], path: Path) -> int:
    """Index of the first row that contains every required column name (case-insensitive).

    Why: SAMM has 13 preamble rows, SAMM-LV 9; searching is sturdier than fixed skips.
    """
    wanted = {r.lower() for r in required}
    for i, row in enumerate(rows[:60]):
        names = {str(c).strip().lower() for c in row if c is not None}
        if wanted <= names:
            return i
    raise SheetError(f"{path}: no header row with columns {list(required)}")


def column_index(header: Row, name: str, path: Path) -> int:
    """Position of a column by its (case-insensitive, stripped) name."""
    for i, cell in enumerate(header):
        if cell is not None and str(cell).strip().lower() == name.lower():
            return i
    raise SheetError(f"{path}: missing column {name!r}; header is {header}")


def as_str(cell: Cell, *, pad: int = 0) -> str:
    """ID cell as text: 1.0 -> '1', optionally zero-padded ('6' -> '006')."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip()
    return text.zfill(pad) if pad and text.isdigit() else text


def as_frame(cell: Cell) -> int | None:
    """Frame number cell as int, or None for '/', '-', blanks and other non-numbers."""
    if cell is None:
        return None
    if isinstance(cell, int | float):
        return int(cell)
    text = str(cell).strip()
    try:
        return int(float(text))
    except ValueError:
        return None


def data_rows(rows: list[Row], start: int) -> list[tuple[int, Row]]:
    """(1-based sheet row number, row) for non-blank rows from `start` on."""
    return [(i + 1, row) for i, row in enumerate(rows) if i >= start and not all(map(_blank, row))]


def optional_column(header: Row, name: str) -> int | None:
    """Position of a column that only some releases have (e.g. CASME II 2019 objective class)."""
    for i, cell in enumerate(header):
        if cell is not None and str(cell).strip().lower() == name.lower():
            return i
    return None
