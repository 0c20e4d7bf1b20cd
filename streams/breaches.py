"""SLA breaches raised at the deadline, in event time. The touchpoints agent checks after every
event (so a breach comes out before any event later than its deadline is processed), the ticks
agent on partitions that went quiet (see streams.watermark)."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime

from streams.alerts import sla_breach_alert
from streams.app import awaiting_response, cases
from streams.case_log import CaseEntry, entry_of
from streams.deadlines import DEADLINES, Due, due
from streams.metrics import sla_check
from streams.outbox import Outbox
from streams.partitions import partition_of
from streams.publish import publish_alert

# Held by whoever reads, changes and writes back a case across awaits (the input agents and the
# ticks agent, each until its outbox's writes are made), so none can overwrite another's newer
# state of the same case.
CASES_LOCK = asyncio.Lock()


def raise_due_breaches(partition: int, now: datetime, outbox: Outbox, offset: int) -> None:
    """Breaches every case of ``partition`` whose deadline passed before ``now`` unanswered,
    staging the changes in ``outbox``. The caller holds CASES_LOCK.

    A breach has no source event: it goes to the windows from a source of its own per
    partition, ``breaches:<partition>``, at ``offset`` (of the event or tick that raised it)
    and its order among this call's breaches. The windows drop copies of a breach by its case,
    not by that position: a replay after a crash can raise a breach sooner or later in the
    partition's reading than the first time (see ``streams.window_log``).
    """
    for order, (deadline, _, case_id) in enumerate(DEADLINES.pop_due(partition, now)):
        waiting = outbox.get(awaiting_response, case_id)
        if waiting is None or datetime.fromisoformat(waiting) != deadline:
            continue  # answered meanwhile, or a stale entry
        stored = outbox.get(cases, case_id)
        if stored is not None:
            entry = entry_of(stored)
            state, breach = sla_check(entry.state, now)
            if breach is not None:
                outbox.contribute([breach], f"breaches:{partition}", offset, order)
                outbox.publish_case(state)
                publish_alert(outbox.sends, sla_breach_alert(state, now))
                outbox.put(cases, case_id, CaseEntry(state, entry.event_ids))
        outbox.delete(awaiting_response, case_id)


def refill_deadlines(partitions: Collection[int]) -> None:
    """Loads the queues of ``partitions`` from the table: after a restart or a rebalance the
    queues do not know the cases that were waiting already. One pass over the table for all of
    them: a pass per partition hashed every waiting case's key once per partition (1.3% of a
    worker's first 30 s catching up, py-spy)."""
    queues: dict[int, list[Due]] = {partition: [] for partition in partitions}
    for case_id, deadline in list(awaiting_response.items()):
        queue = queues.get(partition_of(case_id))
        if queue is not None:
            queue.append(due(datetime.fromisoformat(deadline), case_id))
    for partition, entries in queues.items():
        DEADLINES.refill(partition, entries)
