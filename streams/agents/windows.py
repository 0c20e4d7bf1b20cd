"""Contributions (keyed by channel) -> per-channel windows -> window results on cx.windows.

Each record of the contributions topic holds what one batch of an input agent contributed to one
channel (see ``streams.outbox``). Records are taken in batches (up to ``window_batch_max``, or
what arrived within ``window_batch_wait_s``). Each channel's windows are added to, emitted and
written back to the table once per batch, as one value with the source positions they hold (see
``streams.window_log``): a channel's value is tens of kilobytes, so writing it per contribution
made its serialisation and changelog the worker's main cost. Faust acks a batch's records only
after this agent is done with the batch, so their offsets are committed only once the table
writes they caused are sent. A tick (see ``streams.agents.ticks``) lets open windows' running
results out, at most every ``window_emit_interval_s`` each.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

from faust import Stream, StreamT
from faust.types import EventT, Message

from schemas.records import Channel
from schemas.validation import Reason, Rejection
from streams import counters
from streams.acks import acked_when_done
from streams.app import app, channel_windows, contributions_topic
from streams.channel_alerts import observe
from streams.event_context import ActingFor
from streams.liveness import PROGRESS
from streams.metrics import TUMBLING_1H, Watermarking
from streams.metrics.jsonable import JsonDict
from streams.partitions import partition_of
from streams.publish import dead_letter, publish_alert, publish_window
from streams.rules import CASE_RULES
from streams.sends import Sends, delivered
from streams.window_log import ChannelWindows, Sourced, add_batch, read_wire
from touchstream.settings import get_settings

settings = get_settings()
EMIT_EVERY = timedelta(seconds=settings.window_emit_interval_s)
# Watermarks are made by the input partitions; SLA breaches, the other source, follow them.
WATERMARKING = Watermarking(
    allowed_lateness=timedelta(seconds=settings.allowed_lateness_s),
    idle_s=settings.watermark_idle_s,
    inputs=frozenset(
        f"{topic}:{partition}"
        for topic in (settings.topic_touchpoints, settings.topic_feedback)
        for partition in range(settings.topic_partitions)
    ),
    hold_s=settings.window_start_hold_s,
    max_skew=timedelta(seconds=settings.watermark_max_skew_s),
)

# Decoded windows per channel with the table value they were saved as. The table hands back
# the very object it was given, so an identical value means the decoded windows are current;
# anything else (a recovered or reassigned partition) is decoded afresh.
_LIVE: dict[str, tuple[JsonDict, ChannelWindows]] = {}


def _load(channel: Channel) -> ChannelWindows:
    stored = channel_windows.get(channel.value)
    live = _LIVE.get(channel.value)
    if live is not None and live[0] is stored:
        return live[1]
    if stored is None:
        return ChannelWindows.new(EMIT_EVERY, WATERMARKING)
    return ChannelWindows.from_dict(stored, EMIT_EVERY, WATERMARKING)


def _save(channel: Channel, windows: ChannelWindows, event: EventT[JsonDict]) -> None:
    """Writes the channel's windows to the table as part of ``event``, one of the channel's
    records (see ``streams.event_context``)."""
    value = windows.to_dict()
    with ActingFor(event):
        channel_windows[channel.value] = value
    _LIVE[channel.value] = (value, windows)


@app.agent(contributions_topic)
async def aggregate_windows(stream: StreamT[JsonDict]) -> None:
    # take_events is on Faust's Stream but missing from its StreamT protocol.
    async for events in cast(Stream[JsonDict], stream).take_events(
        settings.window_batch_max, within=settings.window_batch_wait_s
    ):
        try:
            async with acked_when_done(events, "a contributions batch"):
                await _apply(events)
        except BaseException:
            _LIVE.clear()  # windows changed in memory but not saved must not be reused
            raise


async def _apply(events: Sequence[EventT[JsonDict]]) -> None:
    batch: list[Sourced] = []
    carrier: dict[Channel, EventT[JsonDict]] = {}  # a record of each channel in the batch
    ticks: dict[int, EventT[JsonDict]] = {}  # partition -> a tick on it
    sends = Sends()
    for event in events:
        message = event.message
        PROGRESS.advance((message.topic, message.partition), message.offset, time.monotonic())
        value = cast(JsonDict, event.value)  # EventT types every value as bytes
        if "tick" in value:
            ticks[message.partition] = event
            continue
        for sourced in _read(value, message, sends):
            batch.append(sourced)
            carrier[sourced[0].channel] = event
    now, wall = datetime.now(UTC), time.monotonic()
    changed: dict[Channel, tuple[ChannelWindows, EventT[JsonDict]]] = {}
    for channel, windows in add_batch(batch, _load, wall).items():
        _emit(sends, windows, now, wall)
        changed[channel] = (windows, carrier[channel])
    for partition, tick in sorted(ticks.items()):
        changed |= _tick(sends, partition, tick, now, wall, skip=changed.keys())
    # The results are delivered before the table writes' changelog records are sent, so that a
    # recovered table never holds a batch whose results (a closed window's final one, which no
    # replay would emit again) were lost.
    await delivered(await sends.submit())
    for channel, (windows, event) in changed.items():
        _save(channel, windows, event)


def _read(value: JsonDict, message: Message, sends: Sends) -> list[Sourced]:
    """The contributions of one record; none, and a dead letter, for a record this version
    cannot read (a newer worker's, during an upgrade): failing the batch instead would stop the
    worker, which would meet the same record again on every restart."""
    try:
        return read_wire(value)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        detail = f"a contributions record this worker cannot read ({type(exc).__name__})"
        dead_letter(sends, message, Rejection(Reason.SCHEMA_MISMATCH, detail))
        return []


def _tick(
    sends: Sends,
    partition: int,
    tick: EventT[JsonDict],
    now: datetime,
    wall: float,
    skip: Collection[Channel],
) -> dict[Channel, tuple[ChannelWindows, EventT[JsonDict]]]:
    """The channels of ``partition`` (but those in ``skip``, emitted already at this time) whose
    windows had results due, to be saved as part of ``tick``. Windows close only by their own
    channel's event time: a tick's watermark comes from one worker's partitions, while a
    channel's contributions come from every partition, so it could close a window that a
    slower partition still feeds. An idle channel's windows stay open (their running results
    are out) until the channel sees later events."""
    due: dict[Channel, tuple[ChannelWindows, EventT[JsonDict]]] = {}
    for channel in Channel:
        if partition_of(channel.value) != partition or channel in skip:
            continue
        if channel.value not in channel_windows:
            continue
        windows = _load(channel)
        if _emit(sends, windows, now, wall):
            due[channel] = (windows, tick)
    return due


def _emit(sends: Sends, windows: ChannelWindows, now: datetime, wall: float) -> bool:
    """Stages final results of closed windows and due running results, and the channel alerts
    the closed windows raise; says if anything was. Tumbling hours go to the alert rules
    before the hopping hour that ends with them, which compares against them."""
    final = sorted(windows.store.closed(wall=wall), key=lambda s: (s.end, s.spec != TUMBLING_1H))
    running = windows.store.due_updates(now)
    for snapshot in final:
        publish_window(sends, snapshot, final=True)
        counters.EMIT_DELAY.observe((now - snapshot.end).total_seconds())
        if snapshot.spec == TUMBLING_1H:  # one spec, so that each late event counts once
            channel = snapshot.channel.value
            counters.LATE.labels(channel).inc(snapshot.accumulator.late_events)
            counters.LATE_UPDATES.labels(channel).inc(snapshot.accumulator.late_updates)
        for alert in observe(windows.alerts, snapshot, CASE_RULES.standards):
            publish_alert(sends, alert)
    for snapshot in running:
        publish_window(sends, snapshot, final=False)
    return bool(final or running)
