"""Every ``watermark_align_interval_s``, pauses and resumes the worker's input partitions as
``streams.alignment`` plans, so that a backlog is read evenly in event time."""

from __future__ import annotations

from faust.types import TP

from streams import counters
from streams.alignment import ALIGNMENT
from streams.app import app, feedback_topic, touchpoints_topic
from streams.kafka_transport import Consumer
from streams.liveness import PROGRESS
from touchstream.settings import get_settings

INPUTS = frozenset(t.get_topic_name() for t in (touchpoints_topic, feedback_topic))


@app.timer(interval=get_settings().watermark_align_interval_s)
async def align() -> None:
    waiting: dict[TP, int | None] = {
        tp: PROGRESS.lag((tp.topic, tp.partition), app.consumer.highwater(tp))
        for tp in app.assignor.assigned_actives()
        if tp.topic in INPUTS
    }
    plan = ALIGNMENT.plan(waiting)
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
