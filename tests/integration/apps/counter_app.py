"""A minimal Faust worker for the broker tests: counts messages per key in a changelog-backed
table, and publishes each new count. Run: python -m tests.integration.apps.counter_app worker

Each count remembers the offset it last applied, so a message replayed after a crash (consumed
again because its offset was not yet committed) is skipped instead of counted twice.
"""

from __future__ import annotations

import os

import faust

from streams.faust_config import faust_settings
from touchstream.settings import load_settings

settings = load_settings()
APP_ID = os.environ["COUNTER_APP_ID"]
app = faust.App(APP_ID, **faust_settings(settings))
raw = {"key_serializer": "raw", "value_serializer": "raw"}
source = app.topic(f"{APP_ID}-in", partitions=settings.topic_partitions, **raw)
counts_out = app.topic(f"{APP_ID}-counts", **raw)
counts = app.Table(
    "counts", default=lambda: {"count": 0, "offset": -1}, partitions=settings.topic_partitions
)


@app.agent(source)
async def count(stream: faust.StreamT[bytes]) -> None:
    async for event in stream.events():
        key = event.key.decode()
        state = counts[key]
        if event.message.offset <= state["offset"]:
            continue
        state = {"count": state["count"] + 1, "offset": event.message.offset}
        counts[key] = state
        await counts_out.send(key=key.encode(), value=str(state["count"]).encode())


if __name__ == "__main__":
    app.main()
