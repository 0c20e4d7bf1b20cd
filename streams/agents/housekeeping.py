"""Expires remembered event/feedback ids older than ``dedup_ttl_s`` of event time: a duplicate
comes from a producer retrying, minutes or hours later, not from one a day later."""

from __future__ import annotations

from streams.app import app, seen
from streams.watermark import WATERMARK
from touchstream.settings import get_settings

settings = get_settings()


@app.timer(interval=60.0)
async def expire_seen_ids() -> None:
    if WATERMARK.latest is None:
        return
    horizon = WATERMARK.latest.timestamp() - settings.dedup_ttl_s
    for key, at in list(seen.items()):
        if at < horizon:
            del seen[key]
