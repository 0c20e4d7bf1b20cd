"""cx.touchpoints -> case state, contributions and facts.

Per event, in this order: decode and validate (bad input becomes a dead letter); drop it if
already applied; send what it contributes and its facts; then record the new case state. Faust
flushes everything sent before it commits the offset, so a crash replays the event; sends
happen before the state write so that a replay whose state write was lost sends again rather
than never (the windows agent drops the copies by source position, the ClickHouse tables by
event id / case version).
"""

from __future__ import annotations

from faust import StreamT
from faust.types import Message

from schemas.records import Touchpoint
from streams import counters
from streams.app import app, awaiting_response, cases, seen, touchpoints_topic
from streams.case_log import CaseEntry, apply_event
from streams.intake import read_touchpoint
from streams.metrics import summarize, touchpoint_seen
from streams.publish import (
    dead_letter,
    guarded,
    publish_case,
    publish_contributions,
    publish_touchpoint,
)
from streams.watermark import WATERMARKS

TOPIC = touchpoints_topic.get_topic_name()


@app.agent(touchpoints_topic)
async def process_touchpoints(stream: StreamT[bytes]) -> None:
    async for event in stream.events():
        await guarded(event.message, _process)


async def _process(message: Message) -> None:
    tp = read_touchpoint(message.value)
    if not isinstance(tp, Touchpoint):
        await dead_letter(message, tp)
        return
    WATERMARKS.observe(message.partition, tp.occurred_at)
    if tp.case_id:
        await _case_event(tp, _source(message), message.offset)
    elif seen.get(tp.event_id) is not None:
        counters.DUPLICATES.labels(TOPIC).inc()
    else:
        await publish_contributions([touchpoint_seen(tp)], _source(message), message.offset)
        await publish_touchpoint(tp)
        seen[tp.event_id] = [tp.occurred_at.timestamp(), message.partition]
        counters.EVENTS.labels(TOPIC, "applied").inc()


async def _case_event(tp: Touchpoint, source: str, offset: int) -> None:
    stored = cases.get(tp.case_id)
    entry = CaseEntry.new(tp.case_id) if stored is None else CaseEntry.from_dict(stored)
    applied = apply_event(entry, tp)
    if applied is None:
        counters.DUPLICATES.labels(TOPIC).inc()
        return
    entry, contributions = applied
    contributions = [touchpoint_seen(tp), *contributions]
    await publish_contributions(contributions, source, offset)
    await publish_touchpoint(tp)
    await publish_case(summarize(entry.state))
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
    elif awaiting_response.get(state.case_id) is not None:
        del awaiting_response[state.case_id]
