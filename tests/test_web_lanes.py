"""New games are stepped one at a time, in worker threads, off the event loop."""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import anyio

from brinkmanship.web.lanes import Lanes


def test_creates_run_one_at_a_time_in_worker_threads() -> None:
    spans: list[tuple[float, float]] = []
    threads: set[int] = set()
    loop_thread = threading.get_ident()

    def create() -> int:
        threads.add(threading.get_ident())
        start = time.monotonic()
        time.sleep(0.05)
        spans.append((start, time.monotonic()))
        return len(spans)

    async def main() -> list[int]:
        lanes = Lanes()
        results: list[int] = []

        async def one() -> None:
            results.append(await lanes.create(create))

        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(one)
        return results

    results = anyio.run(main)
    assert sorted(results) == [1, 2, 3, 4]
    assert loop_thread not in threads
    ordered = sorted(spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(ordered))


def test_a_wider_lane_overlaps() -> None:
    active = 0
    most = 0
    guard = threading.Lock()

    def create() -> None:
        nonlocal active, most
        with guard:
            active += 1
            most = max(most, active)
        time.sleep(0.05)
        with guard:
            active -= 1

    async def main() -> None:
        lanes = Lanes(creates=3)
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(lanes.create, create)

    anyio.run(main)
    assert most > 1
