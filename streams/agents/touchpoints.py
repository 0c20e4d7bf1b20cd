"""cx.touchpoints -> case state, contributions and facts.

Per event, in this order: decode and validate (bad input becomes a dead letter); drop it if
already applied; send what it contributes and its facts; then record the new case state. Faust
flushes everything sent before it commits the offset, so a crash replays the event; sends
happen before the state write so that a replay whose state write was lost sends again rather
than never (the windows agent drops the copies by source position, the ClickHouse tables by
event id / case version).
"""

from __future__ import annotations

import time

from faust import StreamT
from faust.types import Message

from schemas.records import Touchpoint
from streams import counters
from streams.alerts import sla_breach_alert
from streams.app import app, awaiting_response, cases, seen, touchpoints_topic
from streams.batches import each_event
from streams.breaches import CASES_LOCK, raise_due_breaches
from streams.case_log import CaseEntry, apply_event
from streams.deadlines import DEADLINES
from streams.intake import read_touchpoint
from streams.metrics import summarize, touchpoint_seen
from streams.partitions import partition_of
from streams.publish import (
    dead_letter,
    publish_alert,
    publish_case,
    publish_contributions,
    publish_touchpoint,
)
from streams.rules import CASE_RULES
from streams.watermark import WATERMARKS

TOPIC = touchpoints_topic.get_topic_name()


@app.agent(touchpoints_topic)
async def process_touchpoints(stream: StreamT[bytes]) -> None:
    await each_event(stream, _process)


async def _process(message: Message) -> None:
    tp = read_touchpoint(message.value)
    if not isinstance(tp, Touchpoint):
        await dead_letter(message, tp)
        return
    WATERMARKS.observe(message.partition, tp.occurred_at, time.monotonic())
    async with CASES_LOCK:
        # Before the event: its time may show that deadlines passed, and the breaches it
        # reveals belong before anything it changes.
        await raise_due_breaches(message.partition, WATERMARKS.latest[message.partition])
        if tp.case_id:
            await _case_event(tp, _source(message), message.offset)
            return
    if seen.get(tp.event_id) is not None:
        counters.DUPLICATES.labels(TOPIC).inc()
    else:
        await publish_contributions([touchpoint_seen(tp)], _source(message), message.offset)
        await publish_touchpoint(tp)
        seen[tp.event_id] = [tp.occurred_at.timestamp(), message.partition]
        counters.EVENTS.labels(TOPIC, "applied").inc()


async def _case_event(tp: Touchpoint, source: str, offset: int) -> None:
    stored = cases.get(tp.case_id)
    entry = CaseEntry.new(tp.case_id) if stored is None else CaseEntry.from_dict(stored)
    applied = apply_event(entry, tp, CASE_RULES)
    if applied is None:
        counters.DUPLICATES.labels(TOPIC).inc()
        return
    was_breached = entry.state.sla_breached
    entry, contributions = applied
    contributions = [touchpoint_seen(tp), *contributions]
    await publish_contributions(contributions, source, offset)
    await publish_touchpoint(tp)
    await publish_case(summarize(entry.state))
    if entry.state.sla_breached and not was_breached:
        # Found by the case's own late event, before the deadline queue knew the case (a
        # worker that has just started or taken over the partition).
        await publish_alert(sla_breach_alert(entry.state, tp.occurred_at))
    cases[tp.case_id] = entry.to_dict()
    _track_deadline(entry)
    counters.EVENTS.labels(TOPIC, "applied").inc()


def _source(message: Message) -> str:
    return f"{message.topic}:{message.partition}"


def _track_deadline(entry: CaseEntry) -> None:
    state = entry.state
    waiting = state.sla_deadline is not None and state.first_response_at is None
    if waiting and not state.sla_breached:
        assert state.sla_deadline is not None
        if awaiting_response.get(state.case_id) is None:
            awaiting_response[state.case_id] = state.sla_deadline.isoformat()
            DEADLINES.push(partition_of(state.case_id), state.sla_deadline, state.case_id)
    elif awaiting_response.get(state.case_id) is not None:
        del awaiting_response[state.case_id]
