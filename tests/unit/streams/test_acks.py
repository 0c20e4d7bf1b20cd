"""A batch's events are acked only once the batch is done: one that failed, or was cancelled,
leaves them unacked (Faust's own ack at the end of take_events gives back only its reference),
and a failure stops the worker."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from streams import acks


class _Message:
    def __init__(self) -> None:
        self.refcount = 1  # Faust's, given back by take_events whatever happens to the batch

    def incref(self) -> None:
        self.refcount += 1

    def ack(self, consumer: object) -> None:
        self.refcount -= 1


class _Event:
    def __init__(self) -> None:
        self.message = _Message()


def _run(body: Any) -> list[int]:
    """The references left on a batch of three events once ``body`` ran in ``acked_when_done``
    and take_events gave back its own."""
    events = [_Event() for _ in range(3)]

    async def batch() -> None:
        async with acks.acked_when_done(events, "a test batch"):
            await body()

    with contextlib.suppress(RuntimeError, asyncio.CancelledError):
        asyncio.run(batch())
    for event in events:  # take_events' finally
        event.message.ack(None)
    return [event.message.refcount for event in events]


@pytest.fixture
def stopped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(acks, "stop_worker", lambda what, error: calls.append(what))
    return calls


def test_a_batch_done_is_acked(stopped: list[str]) -> None:
    async def body() -> None:
        await asyncio.sleep(0)

    assert _run(body) == [0, 0, 0] and stopped == []


def test_a_batch_that_failed_stays_unacked_and_stops_the_worker(stopped: list[str]) -> None:
    async def body() -> None:
        raise RuntimeError("delivery failed")

    assert _run(body) == [1, 1, 1] and stopped == ["a test batch"]


def test_a_batch_cancelled_by_a_stop_stays_unacked(stopped: list[str]) -> None:
    async def body() -> None:
        raise asyncio.CancelledError

    assert _run(body) == [1, 1, 1] and stopped == []
