"""Event-time housekeeping, driven by ticks: the SLA breach timer and the expiry of remembered
ids. A timer on the leader sends the worker's watermark to every partition of the ticks topic;
the agent reading partition p acts on that partition's keys, which Faust lets it write."""

from __future__ import annotations

import zlib
from datetime import datetime

from faust import StreamT

from streams.alerts import sla_breach_alert
from streams.app import app, awaiting_response, cases, contributions_topic, seen, ticks_topic
from streams.case_log import CaseEntry
from streams.metrics import sla_check, summarize
from streams.partitions import partition_of
from streams.publish import publish_alert, publish_case, publish_contributions
from streams.watermark import WATERMARKS
from touchstream.settings import get_settings

settings = get_settings()
TICK_EVERY_S = 2.0


@app.timer(interval=TICK_EVERY_S)
async def send_ticks() -> None:
    """Ticks each touchpoints partition this worker reads with that partition's watermark: only
    this worker has seen its events, so only it knows their deadlines passed unanswered. Also
    ticks the contributions topic, so that open windows' running results get out when their
    channel goes quiet."""
    for tp in app.assignor.assigned_actives():
        at = WATERMARKS.latest.get(tp.partition)
        if tp.topic == settings.topic_touchpoints and at is not None:
            await ticks_topic.send(value={"tick": at.isoformat()}, partition=tp.partition)
        elif tp.topic == contributions_topic.get_topic_name():
            await contributions_topic.send(value={"tick": ""}, partition=tp.partition)


@app.agent(ticks_topic)
async def on_tick(stream: StreamT[dict[str, str]]) -> None:
    async for event in stream.events():
        now = datetime.fromisoformat(event.value["tick"])
        partition = event.message.partition
        await check_deadlines(now, partition)
        expire_seen(now, partition)


async def check_deadlines(now: datetime, partition: int) -> None:
    """A case breaches when its deadline passes with no agent response: known at the deadline
    by event time, not only when the late response arrives."""
    due = sorted(
        (datetime.fromisoformat(deadline), zlib.crc32(case_id.encode()), case_id)
        for case_id, deadline in list(awaiting_response.items())
        if partition_of(case_id) == partition and datetime.fromisoformat(deadline) <= now
    )
    for deadline, crc, case_id in due:
        stored = cases.get(case_id)
        if stored is not None:
            entry = CaseEntry.from_dict(stored)
            state, breach = sla_check(entry.state, now)
            if breach is not None:
                # A breach has no source event; its position, by which the windows agent drops
                # copies, is its (deadline, crc) in a source of its own per case partition.
                # Breaches are found in that order.
                position = int(deadline.timestamp() * 1000)
                await publish_contributions([breach], f"sla:{partition}", position, crc)
                await publish_case(summarize(state))
                await publish_alert(sla_breach_alert(state, now))
                cases[case_id] = CaseEntry(state, entry.event_ids).to_dict()
        del awaiting_response[case_id]


def expire_seen(now: datetime, partition: int) -> None:
    """A duplicate comes from a producer retrying minutes or hours later, not days later."""
    horizon = now.timestamp() - settings.dedup_ttl_s
    for key, (at, key_partition) in list(seen.items()):
        if key_partition == partition and at < horizon:
            del seen[key]
