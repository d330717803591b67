"""Read the frames of annotated dataset clips into small grayscale arrays (onset, apex,
sequence) for training, through the runtime's window preprocessing (`models.mer.clips`).

Frames are expected to be face crops already (CASME II `Cropped`, the generator's crops);
face detection and alignment belong to the video path (ingest/video).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from models.mer.clips import ClipArrays, window_arrays
from research.datasets.sample import MESample, frame_number

FrameReader = Callable[[Path], np.ndarray]
"""Frame file -> [0, 1] grayscale face (float32); raises ValueError when it cannot."""


def read_gray(path: Path, size: int | None = None) -> np.ndarray:
    """Grayscale, histogram-equalised (source study's preprocessing), optionally resized."""
    try:
        with Image.open(path) as img:
            gray = ImageOps.equalize(img.convert("L"))
            if size is not None:
                gray = gray.resize((size, size), Image.Resampling.BILINEAR)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read frame {path}: {exc}") from exc
    return np.asarray(gray, dtype=np.float32) / 255.0


def _nearest(frames: tuple[Path, ...], numbers: list[int], wanted: int | None, default: int) -> int:
    if wanted is None:
        return default
    return int(np.argmin([abs(n - wanted) for n in numbers]))


def clip_arrays(sample: MESample, size: int, length: int,
                read: FrameReader | None = None) -> tuple[np.ndarray, ...]:
    """(onset, apex, sequence) of one sample, every frame registered onto the onset frame.

    Missing apex (SMIC, Part C) -> the frame that differs most from onset. Annotated frame
    numbers absent on disk -> the nearest frame present. The sequence samples `length`
    frames evenly from onset to offset. `read` turns a frame file into a [0, 1] grayscale
    face (default `read_gray`: the frames are crops already).
    """
    if not sample.frames:
        raise FileNotFoundError(f"{sample.key}: no frames found ({sample.frame_dir})")
    reader = read or read_gray
    numbers = [frame_number(p) for p in sample.frames]
    last = len(numbers) - 1
    i_on = _nearest(sample.frames, numbers, sample.onset, 0)
    offset = sample.offset if sample.offset else None
    i_off = max(_nearest(sample.frames, numbers, offset, last), i_on)
    i_apex = None
    if sample.apex is not None:
        i_apex = _nearest(sample.frames, numbers, sample.apex, i_on) - i_on
    # Only the frames the arrays use are read (apex search reads the whole span).
    picks = set(np.linspace(i_on, i_off, length).round().astype(int).tolist()) | {i_on}
    span = range(i_on, i_off + 1)
    wanted = set(span) if i_apex is None else picks | {i_on + max(0, min(i_apex, i_off - i_on))}
    frames = {i: reader(sample.frames[i]) for i in sorted(wanted)}
    return window_arrays([frames.get(i) for i in span], size, length, i_apex)


def load_clips(samples: list[MESample], size: int = 64, length: int = 8,
               read: FrameReader | None = None) -> ClipArrays:
    """Stack the arrays of all samples (raises with the clip's key on the first bad clip)."""
    if size % 4:
        raise ValueError(f"--size must be a multiple of 4 (Gabor 1/4 downsampling), got {size}")
    parts = [clip_arrays(s, size, length, read) for s in samples]
    if not parts:
        raise ValueError("no samples to load")
    return ClipArrays(
        onset=np.stack([p[0] for p in parts]),
        apex=np.stack([p[1] for p in parts]),
        sequence=np.stack([p[2] for p in parts]),
    )
