"""Preprocessing of one window of face frames into small grayscale arrays (onset, apex,
sequence), shared by the video path's classifier and training (`research.mer.clips` reads
annotated dataset clips through `window_arrays`).

Frames are face crops already; face detection and alignment belong to the video path
(ingest/video).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class ClipArrays:
    """Per-sample arrays in [0, 1]: onset (N,S,S), apex (N,S,S), sequence (N,T,S,S)."""

    onset: np.ndarray
    apex: np.ndarray
    sequence: np.ndarray


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


def window_arrays(frames: list[np.ndarray | None], size: int, length: int,
                  apex: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(onset, apex, sequence) of one window of [0, 1] grayscale faces, onset first.

    Frames are registered onto the onset frame; `apex` is the apex's index in the window,
    None -> the frame that differs most from onset. Entries may be None for frames that
    are not needed (training reads only the sampled ones); the used ones must be present.
    The shared preprocessing of training (`research.mer.clips.clip_arrays`) and the video
    path's classifier.
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
