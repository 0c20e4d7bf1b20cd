"""Consumer lag and liveness: a timer measures every assigned input partition against its
high-water mark, and GET /healthz on the worker's web port answers 503 while any is stalled, so
an orchestrator restarts a worker whose agent stopped consuming (see streams.liveness)."""

from __future__ import annotations

import time
from typing import Any

from faust import web

from streams.alignment import ALIGNMENT
from streams.app import app, contributions_topic, feedback_topic, ticks_topic, touchpoints_topic
from streams.liveness import PROGRESS, Partition
from streams.partition_gauges import PartitionGauges
from touchstream.settings import get_settings

settings = get_settings()
STARTED = time.monotonic()
STALLED: list[Partition] = []
GAUGES = PartitionGauges()
# The agents whose stop would stop the pipeline. Not the webhook's: a receiver that is down holds
# it back by design, and restarting the worker would not help. Not the tables' changelogs, which
# only recovery reads.
WATCHED = frozenset(
    t.get_topic_name()
    for t in (touchpoints_topic, feedback_topic, contributions_topic, ticks_topic)
)


@app.timer(interval=2.0)
async def measure() -> None:
    highwaters: dict[Partition, int | None] = {}
    for tp in app.assignor.assigned_actives():
        if tp.topic in WATCHED:
            highwaters[(tp.topic, tp.partition)] = app.consumer.highwater(tp)
    # A partition paused or held back by alignment has records waiting and does not move: by
    # design.
    aligning = ALIGNMENT.paused | ALIGNMENT.held.keys()
    reading = {tp: hw for tp, hw in highwaters.items() if tp not in aligning}
    stalled = PROGRESS.stalled(reading, time.monotonic(), settings.liveness_stall_s, STARTED)
    GAUGES.publish({tp: PROGRESS.lag(tp, hw) for tp, hw in highwaters.items()}, stalled)
    STALLED[:] = stalled


@app.page("/healthz")
async def healthz(self: web.View, request: web.Request) -> Any:
    if STALLED:
        stalled = [f"{topic}[{partition}]" for topic, partition in STALLED]
        return self.json({"ok": False, "stalled": stalled}, status=503)
    return self.json({"ok": True})
