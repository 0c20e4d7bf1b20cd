"""Every ``watermark_align_interval_s``, pauses and resumes the worker's input partitions as
``streams.alignment`` plans, so that a backlog is read evenly in event time, and has the input
agents process the events they hold back that may now go (an agent whose partitions have nothing
new would otherwise hold them until its next batch)."""

from __future__ import annotations

import time

from streams import counters
from streams.alignment import ALIGNMENT
from streams.app import app
from streams.batches import INTAKES, release_held, waiting
from streams.kafka_transport import Consumer
from touchstream.settings import get_settings


@app.timer(interval=get_settings().watermark_align_interval_s)
async def align() -> None:
    plan = ALIGNMENT.plan(waiting(), time.monotonic())
    counters.ALIGNMENT_PAUSES.inc(len(plan.pause))
    consumer = app.consumer
    assert isinstance(consumer, Consumer), "the worker runs on streams.kafka_transport"
    if plan.resume:
        await consumer.pause_fetching(plan.resume, paused=False)
    if ALIGNMENT.paused:
        # All of them, not only the new ones: a partition assigned again after a rebalance
        # comes back unpaused.
        await consumer.pause_fetching(ALIGNMENT.paused)
    counters.PAUSED.set(len(ALIGNMENT.paused))
    for intake in list(INTAKES.values()):
        await release_held(intake)
    counters.HELD.set(sum(len(queue) for queue in ALIGNMENT.held.values()))
