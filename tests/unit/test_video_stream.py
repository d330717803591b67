"""Threaded stages: same results in the same order as one thread, bounded, errors surface."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ingest.video import VideoInputError, analyze_video
from ingest.video.stream import prefetch


def test_prefetch_keeps_order_and_stays_bounded() -> None:
    made: list[int] = []

    def source() -> Iterator[int]:
        for i in range(50):
            made.append(i)
            yield i

    it = prefetch(source(), maxsize=3)
    assert next(it) == 0
    time.sleep(0.2)  # let the producer run ahead as far as it may
    # one item taken, at most 3 queued, one more produced and waiting to be queued
    assert len(made) <= 1 + 3 + 1
    assert [0, *it] == list(range(50))


def test_prefetch_reraises_the_producer_error_in_place() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise VideoInputError("broken stream")

    got: list[int] = []
    with pytest.raises(VideoInputError, match="broken stream"):
        for x in prefetch(source()):
            got.append(x)
    assert got == [1, 2]


def test_closing_early_stops_the_producer_and_closes_its_source() -> None:
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            i = 0
            while True:  # endless, like a camera
                yield i
                i += 1
        finally:
            closed.set()

    it = prefetch(source(), maxsize=2)
    assert [next(it) for _ in range(5)] == [0, 1, 2, 3, 4]
    it.close()
    assert closed.is_set()
    assert not any(t.name == "mindkg-stage" for t in threading.enumerate())


def test_threaded_analysis_equals_single_thread(tmp_path: Path) -> None:
    from research.video.synthetic import generate_clip

    truth = generate_clip(tmp_path, face="astronaut", aus={4: 0.7}, onset_s=0.9,
                          apex_s=1.0, offset_s=1.15, duration_s=1.6, fps=120, seed=3,
                          blinks=0, head_moves=1)
    before = set(threading.enumerate())  # e.g. the API's CPU pool, started by earlier tests
    seq = analyze_video(truth.video_path, progress=False, threads=False)
    par = analyze_video(truth.video_path, progress=False, threads=True)
    assert par.n_frames == seq.n_frames == truth.n_frames
    assert np.array_equal(par.au_frames.data, seq.au_frames.data, equal_nan=True)
    assert [(e.onset_frame, e.offset_frame, e.me_class) for e in par.events] == [
        (e.onset_frame, e.offset_frame, e.me_class) for e in seq.events]
    left = [t.name for t in set(threading.enumerate()) - before if t.name.startswith("mindkg-")]
    assert not left, f"analysis left its stage threads running: {left}"

