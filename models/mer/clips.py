"""Read the frames of annotated clips into small grayscale arrays (onset, apex, sequence).

Frames are expected to be face crops already (CASME II `Cropped`, the generator's crops);
face detection and alignment belong to the video path (ingest/video).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from models.datasets.sample import MESample, frame_number

FrameReader = Callable[[Path], np.ndarray]
"""Frame file -> [0, 1] grayscale face (float32); raises ValueError when it cannot."""


@dataclass(frozen=True)
class ClipArrays:
    """Per-sample arrays in [0, 1]: onset (N,S,S), apex (N,S,S), sequence (N,T,S,S)."""

    onset: np.ndarray
    apex: np.ndarray
    sequence: np.ndarray


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


def phase_shift(reference: np.ndarray, moving: np.ndarray) -> tuple[float, float]:
    """(dy, dx) that moves `moving` onto `reference` (phase correlation, sub-pixel peak).

    Why: head jitter between onset and apex makes rigid edges dominate the difference
    images; micro-expression motion is of the same size, so frames are registered first.
    """
    window = np.outer(np.hanning(reference.shape[0]), np.hanning(reference.shape[1]))
    fa = np.fft.fft2((reference - reference.mean()) * window)
    fb = np.fft.fft2((moving - moving.mean()) * window)
    cross = fa * np.conj(fb)
    corr = np.fft.ifft2(cross / np.maximum(np.abs(cross), 1e-12)).real
    peak = np.unravel_index(int(np.argmax(corr)), corr.shape)
    shift = []
    for axis, p in enumerate(peak):
        n = corr.shape[axis]
        idx = [peak[0], peak[1]]
        vals = []
        for d in (-1, 0, 1):
            idx[axis] = (p + d) % n
            vals.append(corr[idx[0], idx[1]])
        denom = vals[0] - 2 * vals[1] + vals[2]
        frac = 0.5 * (vals[0] - vals[2]) / denom if abs(denom) > 1e-12 else 0.0
        s = p + frac
        shift.append(s - n if s > n / 2 else s)
    return float(shift[0]), float(shift[1])


def register(reference: np.ndarray, moving: np.ndarray, max_shift: float = 4.0) -> np.ndarray:
    """`moving` translated onto `reference`; shifts above max_shift px are not trusted."""
    from scipy.ndimage import shift as nd_shift

    dy, dx = phase_shift(reference, moving)
    if max(abs(dy), abs(dx)) > max_shift:
        return moving
    return np.asarray(nd_shift(moving, (dy, dx), order=1, mode="nearest"), dtype=np.float32)


def _resize(img: np.ndarray, size: int) -> np.ndarray:
    pil = Image.fromarray(np.clip(img * 255.0, 0, 255).astype(np.uint8))
    return np.asarray(pil.resize((size, size), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0


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


def window_arrays(frames: list[np.ndarray | None], size: int, length: int,
                  apex: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(onset, apex, sequence) of one window of [0, 1] grayscale faces, onset first.

    Frames are registered onto the onset frame; `apex` is the apex's index in the window,
    None -> the frame that differs most from onset. Entries may be None for frames that
    are not needed (training reads only the sampled ones); the used ones must be present.
    The shared preprocessing of training (`clip_arrays`) and the video path's classifier.
    """
    if not frames or frames[0] is None:
        raise ValueError("empty window")
    onset = frames[0]
    last = len(frames) - 1

    def frame(i: int) -> np.ndarray:
        img = frames[i]
        if img is None:
            raise ValueError(f"frame {i} of the window was not read")
        return register(onset, img)

    if apex is None:
        diffs = [np.abs(frame(i) - onset).mean() for i in range(len(frames))]
        apex = int(np.argmax(diffs))
    apex_img = frame(max(0, min(apex, last)))
    picks = np.linspace(0, last, length).round().astype(int)
    sequence = np.stack([_resize(frame(i), size) for i in picks])
    return _resize(onset, size), _resize(apex_img, size), sequence


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
