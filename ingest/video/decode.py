"""Streaming video decode with OpenCV: one frame in memory at a time, whatever the length.

High-speed recordings (120-200 fps) are common in micro-expression work; containers often
carry a wrong or missing fps, so callers may override it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ingest.cancel import checkpoint
from ingest.limits import InputLimits, input_limits
from ingest.video.errors import VideoInputError


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    fps: float
    frame_count: int  # container's claim; may be 0 or wrong for some codecs
    width: int
    height: int


def _open(path: Path) -> cv2.VideoCapture:
    if not path.is_file():
        raise VideoInputError(f"video file not found: {path}")
    if path.stat().st_size == 0:
        raise VideoInputError(f"video file is empty (0 bytes): {path}")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise VideoInputError(
            f"cannot open video {path}: unknown container/codec or corrupt file"
        )
    return cap


def probe(path: Path, fps: float | None = None, limits: InputLimits | None = None) -> VideoInfo:
    """Container metadata; `fps` overrides a missing or wrong rate in the file.

    What the header declares (size, frame rate, frame count, duration, resolution) is checked
    against the input limits here, before any frame is decoded."""
    limits = limits or input_limits()
    if path.is_file() and path.stat().st_size > limits.max_media_bytes:
        raise VideoInputError(
            f"video {path} is {path.stat().st_size} bytes, over "
            f"MINDKG_MAX_MEDIA_BYTES={limits.max_media_bytes}"
        )
    cap = _open(path)
    try:
        rate = float(fps) if fps else float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        info = VideoInfo(
            path=path,
            fps=rate,
            frame_count=int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
            width=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0),
            height=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0),
        )
    finally:
        cap.release()
    if not rate or rate <= 0 or rate > 2000:
        raise VideoInputError(
            f"video {path} has no usable frame rate ({rate}); pass fps= explicitly"
        )
    _check_header(info, limits)
    return info


def _check_header(info: VideoInfo, limits: InputLimits) -> None:
    name = info.path
    if info.fps > limits.max_video_fps:
        raise VideoInputError(
            f"video {name} runs at {info.fps:g} fps, over MINDKG_MAX_VIDEO_FPS={limits.max_video_fps:g}"
        )
    if info.frame_count > limits.max_video_frames:
        raise VideoInputError(
            f"video {name} declares {info.frame_count} frames, over "
            f"MINDKG_MAX_VIDEO_FRAMES={limits.max_video_frames}"
        )
    if info.frame_count / info.fps > limits.max_media_s:
        raise VideoInputError(
            f"video {name} declares {info.frame_count / info.fps:.0f} s, over "
            f"MINDKG_MAX_MEDIA_S={limits.max_media_s:g}"
        )
    if info.width * info.height > limits.max_video_pixels:
        raise VideoInputError(
            f"video {name} is {info.width}x{info.height}, over "
            f"MINDKG_MAX_VIDEO_PIXELS={limits.max_video_pixels}"
        )


def iter_frames(path: Path, *, start: int = 0, stop: int | None = None) -> Iterator[np.ndarray]:
    """Yield BGR uint8 frames [start, stop) one by one; raise if the file yields none."""
    cap = _open(path)
    most = input_limits().max_video_frames  # the header may understate the frame count
    try:
        if start:
            cap.set(cv2.CAP_PROP_POS_FRAMES, start)
        index = start
        produced = 0
        while stop is None or index < stop:
            checkpoint()  # a cancelled or overdue job stops between frames
            ok, frame = cap.read()
            if not ok or frame is None:
                break
            if index >= most:
                raise VideoInputError(
                    f"video {path} holds more than MINDKG_MAX_VIDEO_FRAMES={most} frames"
                )
            produced += 1
            index += 1
            yield frame
        if produced == 0 and start == 0:
            raise VideoInputError(f"video {path} decoded to zero frames (corrupt or empty stream)")
    finally:
        cap.release()
