"""Contributions (keyed by channel) -> per-channel windows -> window results on cx.windows.

Each batch of contributions updates each touched channel's windows once and writes them back
as one table value, with the source positions it holds (see ``streams.window_log``). A timer
closes windows of idle channels by the worker's watermark and emits open windows' running
results at most every ``window_emit_interval_s``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from faust import StreamT

from schemas.records import Channel
from streams.app import app, channel_windows, contributions_topic
from streams.metrics import Contribution
from streams.publish import publish_window
from streams.watermark import WATERMARK
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
async def aggregate_windows(stream: StreamT[dict[str, object]]) -> None:
    async for events in stream.take_events(1000, within=0.5):
        touched: dict[Channel, ChannelWindows] = {}
        for event in events:
            value = event.value
            contribution = Contribution.from_dict(value["contribution"])  # type: ignore[arg-type]
            partition, offset, index = value["source"]  # type: ignore[misc]
            WATERMARK.observe(contribution.at)
            windows = touched.get(contribution.channel) or _load(contribution.channel)
            touched[contribution.channel] = windows
            windows.add(contribution, partition, (offset, index))
        for channel, windows in touched.items():
            await _emit(windows, datetime.now(UTC))
            channel_windows[channel.value] = windows.to_dict()


@app.timer(interval=settings.window_emit_interval_s)
async def close_idle_windows() -> None:
    """Windows of a channel that went quiet close when the worker's watermark passes them."""
    for key in list(channel_windows.keys()):
        windows = _load(Channel(key))
        if await _emit(windows, datetime.now(UTC), WATERMARK.latest):
            channel_windows[key] = windows.to_dict()


async def _emit(windows: ChannelWindows, now: datetime, watermark: datetime | None = None) -> bool:
    """Sends final results of closed windows and due running results; says if any was sent."""
    final = windows.store.closed(watermark)
    running = windows.store.due_updates(now)
    for snapshot in final:
        await publish_window(snapshot, final=True)
    for snapshot in running:
        await publish_window(snapshot, final=False)
    return bool(final or running)
