"""Where a request's engine work runs: off the event loop, in worker threads.

A choice runs in the server's shared thread pool (FastAPI runs a plain ``def`` route
there). Creating a game can step the engine through many hours of the crisis before the
player's first decision (Castro's comes on 26 October), so new games run in a lane of
their own, one at a time: a burst of new games then waits its turn instead of taking the
interpreter away from the choices of the games in play. Waiting requests hold no thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")

CREATES_AT_ONCE = 1
"""New games stepped at the same time."""


class Lanes:
    """The server's lanes for engine work."""

    def __init__(self, creates: int = CREATES_AT_ONCE) -> None:
        self._creates = CapacityLimiter(creates)

    async def create(self, work: Callable[[], T]) -> T:
        """Run ``work`` (a new game) in the creation lane; wait for a free slot first."""
        return await anyio.to_thread.run_sync(work, limiter=self._creates)
