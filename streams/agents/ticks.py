"""Event-time housekeeping, driven by ticks: SLA deadlines on quiet partitions, and the expiry of
remembered ids and of cases that are over. A timer on the leader sends the worker's watermark
to every partition of the ticks topic; the agent reading partition p acts on that partition's
keys, which Faust lets it write."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from faust import StreamT
from faust.types import EventT
from mode.types.signals import BaseSignalT

from streams.app import app, awaiting_response, cases, contributions_topic, seen, ticks_topic
from streams.breaches import CASES_LOCK, raise_due_breaches, refill_deadlines
from streams.case_log import is_over
from streams.deadlines import DEADLINES
from streams.liveness import PROGRESS
from streams.outbox import Outbox
from streams.partitions import PARTITIONS, partition_of
from streams.watermark import WATERMARKS
from touchstream.settings import get_settings

settings = get_settings()
TICK_EVERY_S = 2.0
# An open window's running result is due every window_emit_interval_s; once its channel is
# quiet it gets out on the next contributions tick after that. Four ticks per interval keep it
# within a quarter interval of due (with 2 s ticks and the 1 s interval of the tests and the
# bench, a quiet channel's result came up to 2 s after its due time).
WINDOW_TICK_EVERY_S = min(TICK_EVERY_S, settings.window_emit_interval_s / 4)
# Sweeps read every key of a table, so they run far less often than ticks: what they remove is
# days old, and a minute more of it costs nothing.
SWEEP_EVERY_S = settings.state_sweep_s
RESOLVED_KEEP = timedelta(seconds=settings.case_resolved_keep_s)
IDLE_KEEP = timedelta(seconds=settings.case_idle_keep_s)
_swept: dict[int, float] = {}  # partition -> monotonic time of its last sweep


@app.timer(interval=TICK_EVERY_S)
async def send_ticks() -> None:
    """Ticks each touchpoints partition this worker reads with that partition's event time
    (moving on with the wall clock once the partition is quiet): only this worker has seen its
    events, so only it knows their deadlines passed unanswered."""
    for tp in app.assignor.assigned_actives():
        at = WATERMARKS.now(tp.partition, time.monotonic())
        if tp.topic == settings.topic_touchpoints and at is not None:
            await ticks_topic.send(value={"tick": at.isoformat()}, partition=tp.partition)


@app.timer(interval=WINDOW_TICK_EVERY_S)
async def send_window_ticks() -> None:
    """Ticks each contributions partition this worker reads, so that open windows' running
    results get out when their channel goes quiet (see ``streams.agents.windows``)."""
    for tp in app.assignor.assigned_actives():
        if tp.topic == contributions_topic.get_topic_name():
            await contributions_topic.send(value={"tick": ""}, partition=tp.partition)


@app.agent(ticks_topic)
async def on_tick(stream: StreamT[dict[str, str]]) -> None:
    async for event in stream.events():
        now = datetime.fromisoformat(event.value["tick"])
        partition = event.message.partition
        PROGRESS.advance((event.message.topic, partition), event.message.offset, time.monotonic())
        await check_deadlines(now, event)
        if time.monotonic() - _swept.get(partition, float("-inf")) >= SWEEP_EVERY_S:
            _swept[partition] = time.monotonic()
            await sweep(now, event)


async def sweep(now: datetime, tick: EventT[dict[str, str]]) -> None:
    """Expiry of the tick's partition, as a batch of its own: under CASES_LOCK, so that no
    touchpoints batch has the same keys staged meanwhile, and through an outbox, whose
    tombstones are delivered before the lock goes (written through the table, a tombstone could
    reach the changelog after a later write of the same key, and a recovery lose that)."""
    partition = tick.message.partition
    async with CASES_LOCK:
        outbox = Outbox()
        with outbox.acting_for(tick):
            expire_seen(now, partition, outbox)
            expire_cases(now, partition, outbox)
        await outbox.finish()


# mode types receivers with mypy_extensions' NamedArg, which no function definition matches.
@app.on_partitions_revoked.connect  # type: ignore[arg-type]
async def _partitions_moving(
    sender: Any, *args: Any, signal: BaseSignalT[Any], **kwargs: Any
) -> None:
    """Faust revokes every partition of the worker when a rebalance starts. The event-time
    clocks go too: a partition that comes back was read meanwhile by another worker, further
    on than this worker's clock says."""
    DEADLINES.forget()
    WATERMARKS.forget()


async def check_deadlines(now: datetime, tick: EventT[dict[str, str]]) -> None:
    """A case breaches when its deadline passes with no agent response: known at the deadline
    by event time, not only when the late response arrives."""
    partition = tick.message.partition
    async with CASES_LOCK:
        if DEADLINES.needs_refill(partition):
            # Every partition of the worker's that needs it, not only this tick's: its other
            # partitions' ticks come right after, and each refill reads the whole table.
            refill_deadlines([p for p in range(PARTITIONS) if DEADLINES.needs_refill(p)])
        outbox = Outbox()
        with outbox.acting_for(tick):
            raise_due_breaches(partition, now, outbox, tick.message.offset)
        await outbox.finish()


def expire_cases(now: datetime, partition: int, outbox: Outbox) -> None:
    """Forgets the partition's cases that are over, so state stays as large as the cases that
    can still change. Only keys of ``partition`` may be written under its tick."""
    for key, stored in list(cases.items()):
        if is_over(stored, now, RESOLVED_KEEP, IDLE_KEEP) and partition_of(key) == partition:
            outbox.delete(cases, key)
            outbox.delete(awaiting_response, key)


def expire_seen(now: datetime, partition: int, outbox: Outbox) -> None:
    """A duplicate comes from a producer retrying minutes or hours later, not days later."""
    horizon = now.timestamp() - settings.dedup_ttl_s
    for key, (at, key_partition) in list(seen.items()):
        if key_partition == partition and at < horizon:
            outbox.delete(seen, key)
