"""Bounded producer/consumer stages: run an iterator in its own thread, one queue hand-off.

Why: decoding (OpenCV), FaceMesh (MediaPipe) and optical flow (OpenCV) spend most of their
time in C++ with the GIL released, so putting each stage in its own thread lets a 2-core
machine run them at the same time. Each stage stays sequential, so results and their order
are exactly those of the single-threaded loop; the queues are bounded, so memory does not
grow with the video's length (at most `maxsize` items wait between two stages).
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")

_POLL_S = 0.05  # how often a blocked producer checks whether the consumer has gone


class _End:
    """End of the stream; carries the producer's exception, if it failed."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def close_iter(it: Iterator[object]) -> None:
    """Close a generator (runs its `finally`, e.g. releasing a capture); no-op otherwise."""
    close = getattr(it, "close", None)
    if close is not None:
        close()


def prefetch(source: Iterator[T], maxsize: int = 8, name: str = "mindkg-stage"
             ) -> Generator[T, None, None]:
    """Yield `source`'s items, produced ahead in a background thread (at most `maxsize`).

    The producer's exceptions are re-raised here, at the point in the stream where they
    happened. Closing this generator early stops the producer and closes `source`.
    """
    q: queue.Queue[T | _End] = queue.Queue(maxsize=max(1, maxsize))
    stop = threading.Event()

    def put(item: T | _End) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in source:
                if not put(item):
                    return
            put(_End())
        except BaseException as exc:  # handed to the consumer, re-raised there
            put(_End(exc))
        finally:
            close_iter(source)

    # the producer runs in the caller's context, so ingest.cancel checkpoints reach it
    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(work,), name=name, daemon=True
    )
    thread.start()
    try:
        while True:
            item = q.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        thread.join()
