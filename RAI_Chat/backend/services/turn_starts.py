"""The turns of this process that are starting: from the runner's first step until the
model's first round is asked for (their prompt: database reads, the message's embedding,
token counts). That is what a user waits for, so this process's background jobs wait for
no turn to be starting before each job (at most ``JOB_WAIT_S``, so that they are never
held back for good).

The condition is made on first use, never at import (under gevent it must be made after
the worker is patched)."""

from __future__ import annotations

import threading
import time

JOB_WAIT_S = 2.0


class TurnStarts:
    def __init__(self) -> None:
        self._starting = 0
        self._condition: threading.Condition | None = None
        self._made: dict[str, threading.Condition] = {}

    def _cond(self) -> threading.Condition:
        cond = self._condition
        if cond is None:  # first use: ``setdefault`` keeps one if threads race here
            cond = self._condition = self._made.setdefault("cond", threading.Condition())
        return cond

    @property
    def starting(self) -> int:
        return self._starting

    def begin(self) -> Start:
        with self._cond():
            self._starting += 1
        return Start(self)

    def _end(self) -> None:
        cond = self._cond()
        with cond:
            self._starting -= 1
            if not self._starting:
                cond.notify_all()

    def wait_for_none(self, at_most: float = JOB_WAIT_S) -> bool:
        """Wait until no turn is starting (at most ``at_most`` seconds); True when none is."""
        deadline = time.monotonic() + at_most
        cond = self._cond()
        with cond:
            while self._starting:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                cond.wait(left)
            return True


class Start:
    """One turn's start; ``end()`` may be called more than once (only the first counts)."""

    def __init__(self, starts: TurnStarts) -> None:
        self._starts = starts
        self._ended = False

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            self._starts._end()


TURN_STARTS = TurnStarts()
