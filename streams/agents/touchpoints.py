"""cx.touchpoints -> case state, contributions and facts.

Per event: decode and validate (bad input becomes a dead letter); once alignment lets it through
(``streams.batches``), raise the SLA breaches its time reveals; drop it if already applied; stage
its facts, what it contributes and the new case state in the batch's outbox. The outbox sends
them, waits for delivery and only then writes the tables (see ``streams.outbox``), so a crash
replays an event whose state write was lost and never skips one whose contributions were; the
windows agent drops the replayed copies by source position, the ClickHouse tables by event id /
case version.
"""

from __future__ import annotations

import time
from datetime import datetime

from faust import StreamT
from faust.types import Message

from schemas.records import Touchpoint
from schemas.validation import Rejection
from streams import counters
from streams.alerts import sla_breach_alert, sla_breach_undone_alert
from streams.app import app, awaiting_response, cases, seen, touchpoints_topic
from streams.batches import Intake, each_event
from streams.breaches import CASES_LOCK, raise_due_breaches
from streams.case_log import CaseEntry, apply_event, entry_of
from streams.deadlines import DEADLINES
from streams.intake import read_touchpoint
from streams.metrics import touchpoint_seen
from streams.outbox import Outbox
from streams.partitions import partition_of
from streams.publish import dead_letter, publish_alert, publish_touchpoint
from streams.rules import CASE_RULES
from streams.watermark import WATERMARKS

TOPIC = touchpoints_topic.get_topic_name()
# Labelled once: ``labels`` per event cost 3.6% of a worker's time (py-spy).
APPLIED, DUPLICATE = counters.EVENTS.labels(TOPIC, "applied"), counters.DUPLICATES.labels(TOPIC)


@app.agent(touchpoints_topic)
async def process_touchpoints(stream: StreamT[bytes]) -> None:
    # The ticks agent changes cases too: a batch holds the lock until its writes are made.
    await each_event(stream, Intake(TOPIC, read_touchpoint, _occurred_at, _process, CASES_LOCK))


def _occurred_at(tp: Touchpoint) -> datetime:
    return tp.occurred_at


async def _process(message: Message, tp: Touchpoint | Rejection, outbox: Outbox) -> None:
    if isinstance(tp, Rejection):
        dead_letter(outbox.sends, message, tp)
        return
    value = message.value or b""
    WATERMARKS.observe(message.partition, tp.occurred_at, time.monotonic())
    # Before the event: its time may show that deadlines passed, and the breaches it reveals
    # belong before anything it changes.
    now = WATERMARKS.latest[message.partition]
    raise_due_breaches(message.partition, now, outbox, message.offset)
    if tp.case_id:
        await _case_event(tp, value, message, outbox, now)
    elif outbox.get(seen, tp.event_id) is not None:
        DUPLICATE.inc()
    else:
        outbox.contribute([touchpoint_seen(tp)], _source(message), message.offset)
        publish_touchpoint(outbox.sends, tp, value)
        outbox.put(seen, tp.event_id, [tp.occurred_at.timestamp(), message.partition])
        APPLIED.inc()


async def _case_event(
    tp: Touchpoint, value: bytes, message: Message, outbox: Outbox, now: datetime
) -> None:
    stored = outbox.get(cases, tp.case_id)
    entry = CaseEntry.new(tp.case_id) if stored is None else entry_of(stored)
    applied = apply_event(entry, tp, CASE_RULES)
    if applied is None:
        DUPLICATE.inc()
        return
    was_breached = entry.state.sla_breached
    entry, contributions = applied
    outbox.contribute([touchpoint_seen(tp), *contributions], _source(message), message.offset)
    publish_touchpoint(outbox.sends, tp, value)
    outbox.publish_case(entry.state)
    if entry.state.sla_breached and not was_breached:
        # Found by the case's own late event, before the deadline queue knew the case (a
        # worker that has just started or taken over the partition).
        publish_alert(outbox.sends, sla_breach_alert(entry.state, tp.occurred_at))
    elif was_breached and not entry.state.sla_breached:
        publish_alert(outbox.sends, sla_breach_undone_alert(entry.state, now))
    outbox.put(cases, tp.case_id, entry)
    _track_deadline(entry, outbox)
    APPLIED.inc()


def _source(message: Message) -> str:
    return f"{message.topic}:{message.partition}"


def _track_deadline(entry: CaseEntry, outbox: Outbox) -> None:
    state = entry.state
    waiting = state.sla_deadline is not None and state.first_response_at is None
    if waiting and not state.sla_breached:
        assert state.sla_deadline is not None
        if outbox.get(awaiting_response, state.case_id) is None:
            outbox.put(awaiting_response, state.case_id, state.sla_deadline.isoformat())
            DEADLINES.push(partition_of(state.case_id), state.sla_deadline, state.case_id)
    elif outbox.get(awaiting_response, state.case_id) is not None:
        outbox.delete(awaiting_response, state.case_id)
