"""The first-response breach timer: a case breaches when its deadline passes unanswered, known at
the deadline (by the worker's event-time watermark), not only when the late answer arrives."""

from __future__ import annotations

import zlib
from datetime import datetime

from kafka.partitioner.default import murmur2

from streams.alerts import sla_breach_alert
from streams.app import app, awaiting_response, cases
from streams.case_log import CaseEntry
from streams.metrics import sla_check, summarize
from streams.publish import publish_alert, publish_case, publish_contributions
from streams.watermark import WATERMARK
from touchstream.settings import get_settings

settings = get_settings()
CHECK_EVERY_S = 2.0


@app.timer(interval=CHECK_EVERY_S)
async def check_deadlines() -> None:
    now = WATERMARK.latest
    if now is None:
        return
    due = sorted(
        (datetime.fromisoformat(deadline), zlib.crc32(case_id.encode()), case_id)
        for case_id, deadline in list(awaiting_response.items())
        if datetime.fromisoformat(deadline) <= now
    )
    for deadline, _, case_id in due:
        await _breach(case_id, deadline, now)


async def _breach(case_id: str, deadline: datetime, now: datetime) -> None:
    stored = cases.get(case_id)
    if stored is not None:
        entry = CaseEntry.from_dict(stored)
        state, breach = sla_check(entry.state, now)
        if breach is not None:
            # The windows agent drops a contribution it already holds by source position; a
            # breach has no source event, so its position is its deadline on a pseudo-partition
            # of its own per case partition (negative, apart from real ones). Breaches are
            # found in (deadline, crc) order, so positions grow as they must.
            partition = -1 - murmur2(case_id.encode()) % settings.topic_partitions
            position = int(deadline.timestamp() * 1000)
            await publish_contributions([breach], partition, position, zlib.crc32(case_id.encode()))
            await publish_case(summarize(state))
            await publish_alert(sla_breach_alert(state, now))
            cases[case_id] = CaseEntry(state, entry.event_ids).to_dict()
    del awaiting_response[case_id]
