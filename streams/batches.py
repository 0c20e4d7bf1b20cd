"""Agents that take their input in batches, each batch with an outbox (``streams.outbox``), and
hold back the events that alignment says are too far ahead (``streams.alignment``).

Taking events in batches (``Stream.take_events``) and working through a batch in one go is what
makes a Faust agent fast: measured on the local broker, an agent sending one record per event
ran at 3,400 events/s when it awaited each event from the stream and at 8,800 when it took them
in batches of 1,000. A batch's events are acked once the agent is done with the whole batch,
outbox included, and only if it got through (``streams.acks``), so their offsets are committed
only after their table writes were made and delivered.

A held event keeps a reference of its own on its message, so Faust's ack at the end of the batch
that read it leaves it unacked, and no offset from there on is committed; it is acked once a
later batch (or the alignment timer, for an agent with nothing new to read) has processed it.
During a rebalance every held event is processed, ready or not, as the events Faust waits for:
it lets a rebalance go on only once every event taken is acked. (Dropping them would lose them:
Faust lets records flow again, and rebalancing stays set, for a while after its last seek to the
committed offsets, measured as 12 of 1,384 touchpoints lost.) Only the events of a partition no
longer assigned are dropped (``Alignment.track``): its readers from then on start from the last
commit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Generic, TypeVar, cast

from faust import Stream, StreamT
from faust.types import EventT, Message

from schemas.validation import Rejection
from streams.acks import acked_when_done
from streams.alignment import ALIGNMENT
from streams.app import app, feedback_topic, touchpoints_topic
from streams.kafka_transport import Consumer
from streams.liveness import PROGRESS
from streams.outbox import Outbox
from streams.publish import guarded
from streams.sends import crash_if_failed
from touchstream.settings import get_settings

settings = get_settings()
INPUTS = frozenset(t.get_topic_name() for t in (touchpoints_topic, feedback_topic))

R = TypeVar("R")
# An event, and the input record read from it or why it is refused (None: reading raised).
Held = tuple[EventT[Any], Any]


@dataclass(frozen=True, slots=True)
class Intake(Generic[R]):
    """An input agent's steps: ``read`` an event's value, the event time of what it read, and
    ``process`` it, staging what it causes in the batch's outbox."""

    topic: str
    read: Callable[[bytes | None], R | Rejection]
    time_of: Callable[[R], datetime]
    process: Callable[[Message, R | Rejection, Outbox], Awaitable[None]]
    lock: asyncio.Lock

    def ours(self, tp: tuple[str, int]) -> bool:
        return tp[0] == self.topic


# The input agents by topic, for the alignment timer's releases (an agent restarted by Faust
# replaces its entry).
INTAKES: dict[str, Intake[Any]] = {}


def waiting() -> dict[Any, int | None]:
    """Records waiting on each assigned input partition (None: not known yet). A partition not
    read from yet is read from its committed offset."""
    consumer = app.consumer
    assert isinstance(consumer, Consumer), "the worker runs on streams.kafka_transport"
    return {
        tp: PROGRESS.lag((tp.topic, tp.partition), consumer.highwater(tp), consumer.committed(tp))
        for tp in app.assignor.assigned_actives()
        if tp.topic in INPUTS
    }


async def each_event(stream: StreamT[Any], intake: Intake[R]) -> None:
    """Runs the intake on every record of ``stream``, in batches, each batch with an outbox that
    it finishes, holding the intake's lock from the batch's first record until its table writes
    are made."""
    INTAKES[intake.topic] = intake
    # take_events is on Faust's Stream but missing from its StreamT protocol.
    async for events in cast(Stream[Any], stream).take_events(
        settings.input_batch_max, within=settings.input_batch_wait_s
    ):
        async with intake.lock:
            ALIGNMENT.track(waiting(), time.monotonic())
            ready = [read for event in events if (read := _admit(intake, event)) is not None]
            released = ALIGNMENT.release(intake.ours)
            # Ready ones first: a partition's events held in this batch come after its ready
            # ones, and one held in an earlier batch had none ready in this one. The held ones
            # have their reference already.
            async with acked_when_done([event for event, _ in ready], f"a {intake.topic} batch"):
                await _run_batch(intake, ready + released)
            _ack(released)
        _wake_others(intake)


async def release_held(intake: Intake[Any]) -> None:
    """Processes the intake's held events that alignment now lets through; all of them during a
    rebalance, which Faust lets go on only once every event taken is acked."""
    async with intake.lock:
        release = ALIGNMENT.release_all if app.rebalancing else ALIGNMENT.release
        released = release(intake.ours)
        await _run_batch(intake, released)
        _ack(released)


_RELEASING: dict[str, asyncio.Future[None]] = {}  # by topic


def _wake_others(intake: Intake[Any]) -> None:
    """After a batch of ``intake``, the other intakes' held events that its progress lets
    through are processed at once, not at the alignment timer's next tick: an agent whose
    partitions were all read holds its events until then, and the two agents took turns one
    tick at a time (measured: a catch-up of 131,000 records took 72 s instead of 53)."""
    held = {tp[0] for tp in ALIGNMENT.held}
    for topic, other in INTAKES.items():
        if other is intake or topic not in held or topic in _RELEASING:
            continue
        task = _RELEASING[topic] = asyncio.ensure_future(release_held(other))
        task.add_done_callback(partial(_released, topic))


def _released(topic: str, task: asyncio.Future[None]) -> None:
    del _RELEASING[topic]
    crash_if_failed("releasing held events failed", task)


def _admit(intake: Intake[R], event: EventT[Any]) -> Held | None:
    """The event and what was read from it, to process in this batch; None if it is held."""
    message = event.message
    try:
        read = intake.read(message.value)
    except Exception:  # processing turns it into a dead letter (``guarded``)
        return event, None
    if isinstance(read, Rejection):
        return event, read
    at = intake.time_of(read)
    if ALIGNMENT.admit((message.topic, message.partition), at, (event, read)):
        return event, read
    message.incref()
    return None


async def _run_batch(intake: Intake[R], batch: Sequence[Held]) -> None:
    if not batch:
        return
    outbox = Outbox()
    for event, read in batch:
        with outbox.acting_for(event):
            await guarded(event.message, partial(_step, intake, read, outbox), outbox.sends)
    await outbox.finish()


def _ack(released: Sequence[Held]) -> None:
    """Drops the references held events kept (``_admit``), now that they are processed."""
    for event, _ in released:
        event.message.ack(app.consumer)


async def _step(
    intake: Intake[R], read: R | Rejection | None, outbox: Outbox, message: Message
) -> None:
    if read is None:  # reading raised: again, so that guarded records why
        read = intake.read(message.value)
    await intake.process(message, read, outbox)
