"""CPU-bound request work (decoding an assessment) off the event loop, on a small pool.

Starlette's default thread pool has 40 threads; 50 concurrent CPU-bound requests on it all
contend for the GIL at once, so every request finishes late (the issue-13 load test: p95
3.8 s). A pool sized to the cores runs them first come, first served: the same throughput
with a far shorter tail, and the event loop stays free to accept and answer requests.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_THREADS = int(os.environ.get("MINDKG_CPU_THREADS") or min(4, os.cpu_count() or 1))
_POOL = ThreadPoolExecutor(max_workers=max(1, _THREADS), thread_name_prefix="mindkg-cpu")


async def run_cpu(fn: Callable[..., T], *args: object) -> T:
    """Run `fn(*args)` on the CPU pool and await its result (MINDKG_CPU_THREADS=0: on the
    event loop itself, for measuring what the hand-off costs)."""
    if _THREADS == 0:
        return fn(*args)
    return await asyncio.get_running_loop().run_in_executor(_POOL, fn, *args)
