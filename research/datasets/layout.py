"""Frame-folder helpers shared by the loaders (natural frame order, first existing layout)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from research.datasets.sample import MESample, frame_number

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp"})


def list_frames(folder: Path) -> tuple[Path, ...]:
    """Image files of a clip folder in frame-number order (img2 before img10, unlike sorted())."""
    files = [p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
    return tuple(sorted(files, key=lambda p: (frame_number(p), p.name)))


def list_frames_by_order(folder: Path) -> tuple[Path, ...]:
    """Frames in folder order, for CAS(ME)^3 Part C whose indices are positions, not names."""
    return tuple(sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES))


def first_dir(root: Path, prefixes: Sequence[str], rel: Path | str) -> Path | None:
    """root/<prefix>/rel for the first prefix where that folder exists ('' = root itself)."""
    for prefix in prefixes:
        candidate = root / prefix / rel if prefix else root / rel
        if candidate.is_dir():
            return candidate
    return None


def find_sheet(root: Path, patterns: Iterable[str], what: str) -> Path:
    """The annotation sheet inside a dataset folder, searched by glob patterns in order."""
    root = Path(root)
    if root.is_file():
        return root
    if not root.is_dir():
        raise FileNotFoundError(f"{what}: dataset folder not found: {root}")
    for pattern in patterns:
        hits = sorted(root.glob(pattern))
        if hits:
            return hits[0]
    raise FileNotFoundError(f"{what}: no annotation sheet matching {list(patterns)} in {root}")


def attach(sample: MESample, folder: Path | None, *, by_order: bool = False) -> MESample:
    """Return the sample with its frame folder and frames, or an issue note if none was found."""
    if folder is None:
        return replace(sample, issues=(*sample.issues, "frame folder not found"))
    frames = list_frames_by_order(folder) if by_order else list_frames(folder)
    return replace(sample, frame_dir=folder, frames=frames)
