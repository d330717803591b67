"""Keeping external decoder processes bounded: stderr drained concurrently, reads timed.

A child that writes more to stderr than a pipe holds (~64 KB) blocks until someone reads it;
if the parent only reads stdout, both wait forever. `BoundedDrain` reads stderr on its own
thread and keeps only the tail. `Watchdog` kills the child when one blocking read waits too
long (the decoder hangs) or all reads together exceed a wall-clock budget.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

_TAIL = 64 * 1024


class BoundedDrain:
    """Read `stream` to its end on a daemon thread, keeping the last `tail` bytes."""

    def __init__(self, stream: IO[bytes], tail: int = _TAIL) -> None:
        self._stream = stream
        self._tail = tail
        self._buf = bytearray()
        self._thread = threading.Thread(target=self._run, name="stderr-drain", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while chunk := self._stream.read(4096):
                self._buf += chunk
                if len(self._buf) > 2 * self._tail:
                    del self._buf[: len(self._buf) - self._tail]
        except (OSError, ValueError):  # closed under us
            pass

    def text(self, timeout: float = 5.0) -> str:
        """The tail read so far, once the stream ended (or after `timeout`)."""
        self._thread.join(timeout)
        try:
            self._stream.close()
        except OSError:
            pass
        return bytes(self._buf[-self._tail :]).decode("utf-8", "replace")


class Watchdog:
    """Kills `proc` when a read inside `reading()` lasts over `stall_s`, or reads in total
    over `total_s`; `fired` then says which limit, naming its setting."""

    def __init__(self, proc: subprocess.Popen[bytes], *, stall_s: float, total_s: float) -> None:
        self.proc = proc
        self.stall_s = stall_s
        self.total_s = total_s
        self.spent = 0.0
        self.fired: str | None = None

    def _fire(self, reason: str) -> None:
        self.fired = reason
        if self.proc.poll() is None:
            self.proc.kill()

    @contextmanager
    def reading(self) -> Iterator[None]:
        left = self.total_s - self.spent
        if left <= 0:
            self._fire(f"decoder time over MINDKG_DECODE_TIMEOUT_S={self.total_s:g} s")
            yield
            return
        if self.stall_s <= left:
            reason = f"the decoder produced nothing for MINDKG_DECODE_STALL_S={self.stall_s:g} s"
        else:
            reason = f"decoder time over MINDKG_DECODE_TIMEOUT_S={self.total_s:g} s"
        timer = threading.Timer(min(self.stall_s, left), self._fire, (reason,))
        timer.daemon = True
        started = time.monotonic()
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            self.spent += time.monotonic() - started
