"""A batch's events acked only once the batch is done.

Faust's ``Stream.take_events`` acks every event of a batch when the agent leaves it, in a
``finally``: also when the agent raised or was cancelled halfway through (its generator is
closed), and the next commit (periodic, at a rebalance or at a stop) then passes events whose
state, contributions or results were never made: lost. ``acked_when_done`` takes a reference of
its own on each event's message and gives it back only once the batch got through, so Faust's ack
leaves a failed batch's events unacked and no offset from the first of them on is committed.

A failure other than a cancellation (the worker stopping) also stops the worker: Faust would
restart the agent, which would go on past the unacked events with the partition's offsets stuck
behind them, and a rebalance would wait for them for good. The worker, started again, reads them
again from the last commit; the copies of what they had caused are dropped as every replay's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from faust.types import EventT

from streams.app import app
from streams.sends import stop_worker


@asynccontextmanager
async def acked_when_done(events: Sequence[EventT[Any]], what: str) -> AsyncIterator[None]:
    """Holds ``events`` unacked until the block is done; if it fails, they stay unacked and
    the worker stops, logging ``what``."""
    for event in events:
        event.message.incref()
    try:
        yield
    except asyncio.CancelledError:
        raise
    except BaseException as exc:
        stop_worker(what, exc)
        raise
    for event in events:
        event.message.ack(app.consumer)
