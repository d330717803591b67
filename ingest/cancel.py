"""Cooperative cancellation and deadlines for long analysis loops.

A job runner opens a `stop_scope(should_stop)`; code deep inside the recognizers calls
`checkpoint()` between frames or audio blocks. `checkpoint` asks `should_stop` (rate-limited,
it may hit a database) and raises `Interrupted` with its reason when the job was cancelled or
ran past its time budget. Outside a scope `checkpoint()` does nothing, so the CLI and tests
pay nothing. The scope is a context variable: it follows the thread (or asyncio task) that
opened it, not threads the recognizer starts itself, so checkpoints belong in the loop of
the thread that runs the recognizer (the frame and block loops of the decoders do this).

This module sits in `ingest` because the loops live there; `api.jobs.runner` opens the scope.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

StopKind = Literal["cancelled", "timeout"]
# returns None to go on, or (kind, reason) to stop
ShouldStop = Callable[[], tuple[StopKind, str] | None]


class Interrupted(Exception):
    """The surrounding job was cancelled or ran out of time; nothing may be written."""

    def __init__(self, kind: StopKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass
class _Scope:
    should_stop: ShouldStop
    every_s: float
    last: float = field(default=0.0)

    def check(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every_s:
            return
        self.last = now
        verdict = self.should_stop()
        if verdict is not None:
            raise Interrupted(*verdict)


_current: ContextVar[_Scope | None] = ContextVar("mindkg_stop_scope", default=None)


@contextmanager
def stop_scope(should_stop: ShouldStop, *, every_s: float = 0.5) -> Iterator[None]:
    """Make `checkpoint()` calls in this thread/task consult `should_stop`."""
    token = _current.set(_Scope(should_stop, every_s))
    try:
        yield
    finally:
        _current.reset(token)


def checkpoint(*, force: bool = False) -> None:
    """Raise Interrupted if the current job must stop; cheap (a clock read) otherwise."""
    scope = _current.get()
    if scope is not None:
        scope.check(force=force)
