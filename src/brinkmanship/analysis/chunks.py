"""Chunks of runs over local processes, streamed back in order with a bounded number in
flight, and stopped at once by Ctrl-C.

Workers ignore SIGINT (a Ctrl-C at the terminal reaches the whole process group); the
driver gets the ``KeyboardInterrupt`` and leaving the pool terminates the workers, so no
queued chunk is waited for and no worker prints a traceback. Workers whose driver is
killed end with it, silently (:mod:`brinkmanship.analysis.workers`).
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Callable, Generator, Sequence
from multiprocessing.pool import AsyncResult, Pool
from typing import TypeVar

from brinkmanship.analysis.workers import worker_init

T = TypeVar("T")
Bounds = tuple[int, int]

IN_FLIGHT_PER_WORKER = 2
"""Chunks submitted ahead per process: enough to keep every process busy, few enough that
results waiting for the driver stay bounded."""


def bounds(runs: int, chunk: int) -> list[Bounds]:
    """``(start, stop)`` of each chunk of ``0 .. runs-1``."""
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, got {chunk}")
    return [(s, min(s + chunk, runs)) for s in range(0, runs, chunk)]


def _pool(workers: int) -> Pool:
    # SIGINT is ignored while the workers fork, so none can catch one before its
    # initializer runs; the driver's own handler is restored at once.
    if threading.current_thread() is not threading.main_thread():
        return multiprocessing.Pool(workers, initializer=worker_init)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return multiprocessing.Pool(workers, initializer=worker_init)
    finally:
        signal.signal(signal.SIGINT, previous)


def map_chunks(
    fn: Callable[[int, int], T], chunks: Sequence[Bounds], workers: int
) -> Generator[tuple[Bounds, T], None, None]:
    """``fn(start, stop)`` for each chunk, yielded in chunk order as they finish.

    ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one)
    when ``workers > 1``; with one worker it runs in this process. At most
    ``IN_FLIGHT_PER_WORKER * workers`` results are held at any time.
    """
    if workers <= 1 or len(chunks) <= 1:
        for start, stop in chunks:
            yield (start, stop), fn(start, stop)
        return
    with _pool(workers) as pool:  # leaving it, normally or not, terminates the workers
        pending: deque[tuple[Bounds, AsyncResult[T]]] = deque()
        todo = iter(chunks)
        for start, stop in todo:
            pending.append(((start, stop), pool.apply_async(fn, (start, stop))))
            if len(pending) >= IN_FLIGHT_PER_WORKER * workers:
                break
        while pending:
            where, result = pending.popleft()
            value = result.get()
            for start, stop in todo:
                pending.append(((start, stop), pool.apply_async(fn, (start, stop))))
                break
            yield where, value
