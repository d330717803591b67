"""Decoding: real files through OpenCV's decoder, bad files give VideoInputError."""

from __future__ import annotations

import types
from pathlib import Path

import cv2
import numpy as np
import pytest

from ingest.video.decode import iter_frames, probe
from ingest.video.errors import VideoInputError


def _write_video(path: Path, n: int, fps: float = 120.0, size: tuple[int, int] = (64, 48)) -> None:
    w = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, size)
    assert w.isOpened()
    for i in range(n):
        w.write(np.full((size[1], size[0], 3), i * 20 % 255, np.uint8))
    w.release()


def test_streams_frames_lazily_with_high_fps(tmp_path: Path) -> None:
    path = tmp_path / "tiny.avi"
    _write_video(path, 7)
    info = probe(path)
    assert info.fps == pytest.approx(120.0)
    assert (info.width, info.height) == (64, 48)
    frames = iter_frames(path)
    assert isinstance(frames, types.GeneratorType)
    got = list(frames)
    assert len(got) == 7
    assert got[0].shape == (48, 64, 3)
    assert abs(int(got[3].mean()) - 60) <= 3  # the 4th frame's grey level survived MJPG


def test_fps_override(tmp_path: Path) -> None:
    path = tmp_path / "tiny.avi"
    _write_video(path, 2, fps=25.0)
    assert probe(path, fps=200.0).fps == 200.0


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "empty"), (b"this is not a video at all" * 40, "cannot open|zero frames|frame rate")],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "broken.mp4"
    path.write_bytes(content)
    with pytest.raises(VideoInputError, match=needle):
        probe(path)
        list(iter_frames(path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VideoInputError, match="not found"):
        probe(tmp_path / "nope.avi")


def test_truncated_file_is_reported(tmp_path: Path) -> None:
    good = tmp_path / "good.avi"
    _write_video(good, 5)
    cut = tmp_path / "cut.avi"
    cut.write_bytes(good.read_bytes()[:200])  # header only, no frames
    with pytest.raises(VideoInputError):
        probe(cut)
        list(iter_frames(cut))
