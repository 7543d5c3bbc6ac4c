"""One generation at a time per loaded model; a bounded number of requests may wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from llm_Engine.errors import Overloaded


class GenerationGate:
    """An asyncio semaphore of one, with a bounded waiting room.

    `enter()` waits for the model and returns the function that frees it; a worker thread
    calls that function (through the loop) when it has really stopped using the model."""

    def __init__(self, queue_size: int, retry_after: float, on_depth: Callable[[int], None]):
        self._busy = asyncio.Semaphore(1)
        self._waiting = 0
        self.queue_size = queue_size
        self.retry_after = retry_after
        self._on_depth = on_depth

    @property
    def waiting(self) -> int:
        return self._waiting

    async def enter(self) -> Callable[[], None]:
        if self._busy.locked():
            if self._waiting >= self.queue_size:
                raise Overloaded(
                    f"the model is busy and {self._waiting} requests are already waiting",
                    retry_after=self.retry_after,
                )
            self._waiting += 1
            self._on_depth(self._waiting)
            try:
                await self._busy.acquire()
            finally:
                self._waiting -= 1
                self._on_depth(self._waiting)
        else:
            await self._busy.acquire()
        released = False

        def leave() -> None:
            nonlocal released
            if not released:
                released = True
                self._busy.release()

        return leave
