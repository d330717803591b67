"""MEGC 2019 composite (CASME II + SAMM + SMIC-HS, 3 classes, 68 subjects).

The ground-truth list decides membership and label; frames come from the component
datasets' own loaders, so each dataset's quirks are handled in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from research.datasets import casme2, samm, smic
from research.datasets.layout import find_sheet
from research.datasets.sample import CLASS3, MESample
from research.datasets.sheets import SheetError, as_str, data_rows, read_sheet

GT_PATTERNS = ("combined_3class_gt.csv", "combined_3_class2_for_optical_flow.csv", "*3class*.csv")


@dataclass(frozen=True)
class MegcEntry:
    """One ground-truth row, with ids normalised to the component loaders' spelling."""

    dataset: str
    subject: str
    clip_id: str
    label: str


def read_ground_truth(path: Path) -> list[MegcEntry]:
    """Either composite CSV: header-less 4 columns, or the HTNet header `dataset,sub,...`."""
    rows = read_sheet(path, 0)
    start = 1 if rows and str(rows[0][0]).strip().lower() == "dataset" else 0
    out: list[MegcEntry] = []
    for number, row in data_rows(rows, start):
        dataset = str(row[0]).strip().lower()
        index = int(float(str(row[3])))
        if dataset not in _SUBJECT or not 0 <= index < len(CLASS3):
            raise SheetError(f"{path}: row {number}: bad dataset/label {row[:4]}")
        out.append(
            MegcEntry(dataset, _SUBJECT[dataset](as_str(row[1])), as_str(row[2]), CLASS3[index])
        )
    return out


def load(root: Path) -> list[MESample]:
    """Composite samples: `root/` holds the GT CSV and `casme2/`, `samm/`, `smic/` dataset folders.

    A GT row whose clip is missing from its component dataset raises: a silent drop would
    change the protocol's sample count.
    """
    root = Path(root)
    entries = read_ground_truth(find_sheet(root, GT_PATTERNS, "MEGC composite"))
    pools: dict[str, dict[tuple[str, str], MESample]] = {}
    for name, loader in (("casme2", casme2.load), ("samm", samm.load), ("smic", smic.load)):
        if any(e.dataset == name for e in entries):
            folder = _component(root, name)
            pools[name] = {(s.subject, s.clip_id): s for s in loader(folder)}
    out: list[MESample] = []
    for e in entries:
        found = pools[e.dataset].get((e.subject, e.clip_id))
        if found is None:
            raise FileNotFoundError(f"MEGC: {e.dataset} {e.subject}/{e.clip_id} not in its dataset")
        out.append(replace(found, class3=e.label))
    return out


def megc_subset(samples: list[MESample]) -> list[MESample]:
    """Apply the MEGC 2019 rule to one dataset's own sheet: 3-class label and a usable apex.

    Reproduces the composite's CASME II count (145: the '/' apex and apex == onset clips go)
    and SAMM's (133).
    """
    return [
        s
        for s in samples
        if s.class3 is not None
        and not any(i.startswith(("apex not annotated", "apex equals onset")) for i in s.issues)
    ]


def _component(root: Path, name: str) -> Path:
    for candidate in (root / name, root / name.upper(), root / _CANONICAL[name]):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"MEGC: component folder {name}/ not found in {root}")


def _casme2_subject(raw: str) -> str:
    return raw.lower().removeprefix("sub").zfill(2)


_SUBJECT = {
    "casme2": _casme2_subject,
    "samm": lambda raw: raw.zfill(3),
    "smic": lambda raw: f"s{int(raw.lower().lstrip('s')):02d}",
}
_CANONICAL = {"casme2": "CASME2", "samm": "SAMM", "smic": "SMIC"}
