"""Contributions (keyed by channel) -> per-channel windows -> window results on cx.windows.

Each contribution updates its channel's windows and writes them back as one table value with
the source positions they hold (see ``streams.window_log``). A tick (see ``streams.agents.ticks``)
lets open windows' running results out, at most every ``window_emit_interval_s`` each.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from faust import StreamT

from schemas.records import Channel
from streams import counters
from streams.app import app, channel_windows, contributions_topic
from streams.channel_alerts import observe
from streams.liveness import PROGRESS
from streams.metrics import TUMBLING_1H, Contribution
from streams.partitions import partition_of
from streams.publish import publish_alert, publish_window
from streams.rules import CASE_RULES
from streams.window_log import ChannelWindows
from touchstream.settings import get_settings

settings = get_settings()
LATENESS = timedelta(seconds=settings.allowed_lateness_s)
EMIT_EVERY = timedelta(seconds=settings.window_emit_interval_s)


def _load(channel: Channel) -> ChannelWindows:
    stored = channel_windows.get(channel.value)
    if stored is None:
        return ChannelWindows.new(LATENESS, EMIT_EVERY)
    return ChannelWindows.from_dict(stored, LATENESS, EMIT_EVERY)


@app.agent(contributions_topic)
async def aggregate_windows(stream: StreamT[dict[str, Any]]) -> None:
    async for event in stream.events():
        message = event.message
        PROGRESS.advance((message.topic, message.partition), message.offset, time.monotonic())
        value = event.value
        if "tick" in value:
            await _tick(event.message.partition)
            continue
        contribution = Contribution.from_dict(value["contribution"])
        source, offset, index = value["source"]
        windows = _load(contribution.channel)
        if windows.add(contribution, source, (offset, index)):
            await _emit(windows, datetime.now(UTC))
            channel_windows[contribution.channel.value] = windows.to_dict()


async def _tick(partition: int) -> None:
    """Windows close only by their own channel's event time: a tick's watermark comes from one
    worker's partitions, while a channel's contributions come from every partition, so it
    could close a window that a slower partition still feeds. An idle channel's windows stay
    open (their running results are out) until the channel sees later events."""
    for channel in Channel:
        if partition_of(channel.value) != partition or channel.value not in channel_windows:
            continue
        windows = _load(channel)
        if await _emit(windows, datetime.now(UTC)):
            channel_windows[channel.value] = windows.to_dict()


async def _emit(windows: ChannelWindows, now: datetime) -> bool:
    """Sends final results of closed windows and due running results, and the channel alerts
    the closed windows raise; says if anything was sent. Tumbling hours go to the alert rules
    before the hopping hour that ends with them, which compares against them."""
    final = sorted(windows.store.closed(), key=lambda s: (s.end, s.spec != TUMBLING_1H))
    running = windows.store.due_updates(now)
    for snapshot in final:
        await publish_window(snapshot, final=True)
        counters.EMIT_DELAY.observe((now - snapshot.end).total_seconds())
        if snapshot.spec == TUMBLING_1H:  # one spec, so that each late event counts once
            late = snapshot.accumulator.late_events + snapshot.accumulator.late_updates
            counters.LATE.labels(snapshot.channel.value).inc(late)
        for alert in observe(windows.alerts, snapshot, CASE_RULES.standards):
            await publish_alert(alert)
    for snapshot in running:
        await publish_window(snapshot, final=False)
    return bool(final or running)
