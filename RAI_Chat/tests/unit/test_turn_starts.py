"""Background jobs keep out of the way of turns that are starting (``services.turn_starts``):
a job waits while a turn of its process is between its first step and its first model
call, at most a bounded time."""

from __future__ import annotations

import threading

from RAI_Chat.backend.services import jobs as jobs_module
from RAI_Chat.backend.services.jobs import Jobs
from RAI_Chat.backend.services.turn_starts import TURN_STARTS, TurnStarts

WAIT_S = 10.0


def test_nothing_starting_means_no_wait():
    assert TurnStarts().wait_for_none(at_most=WAIT_S) is True


def test_a_turn_starting_holds_the_wait_until_it_ends():
    starts = TurnStarts()
    start = starts.begin()
    assert starts.starting == 1
    assert starts.wait_for_none(at_most=0.05) is False  # bounded: never held for good
    waited: list[bool] = []
    waiter = threading.Thread(target=lambda: waited.append(starts.wait_for_none(WAIT_S)))
    waiter.start()
    start.end()
    start.end()  # a second end counts for nothing
    waiter.join(WAIT_S)
    assert waited == [True] and starts.starting == 0


def test_the_after_turn_job_runs_once_no_turn_is_starting(monkeypatch, tmp_path):
    from RAI_Chat.backend.services.memory import maintenance

    ran = threading.Event()
    monkeypatch.setattr(maintenance, "after_turn", lambda *args: ran.set())
    monkeypatch.setattr(jobs_module, "INSTANCE_DIR", tmp_path)
    jobs = Jobs(None, "inprocess", "sqlite://", lambda url: _Context())
    start = TURN_STARTS.begin()
    try:
        job = threading.Thread(target=jobs._after_turn_job, args=("sqlite://", "u", "s", ["m"]))
        job.start()
        assert not ran.wait(0.2)  # the turn is still starting
    finally:
        start.end()
    job.join(WAIT_S)
    assert ran.is_set()


class _Context:
    settings = database = engine = None
