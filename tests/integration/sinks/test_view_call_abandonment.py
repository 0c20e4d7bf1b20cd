"""call_abandonment_hourly (migrations 0006, 0009): the domain's abandon rate, exact on hand-made
calls written through the sink's insert path, equal to what the worker's case rule counts on the
same events, and unchanged when the batch is written again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from schemas.records import Actor, Channel, EventType, JourneyStage, Touchpoint
from sinks.clickhouse import connect
from sinks.migrate import migrate
from sinks.sink import insert
from streams.metrics.case_state import CaseState, apply
from streams.metrics.contribution import Kind
from tests.integration.sinks.support import drop_database, own_database, query, rows
from tests.unit.sinks import records as r
from touchstream.settings import Settings

pytestmark = pytest.mark.integration

H10, H11 = r.T0, r.T0 + timedelta(hours=1)
CALLS = [  # (case, minutes after 10:00, event type, channel, actor)
    ("p1", 0, "contact_opened", "phone", "customer"),
    ("p1", 2, "agent_response", "phone", "agent"),  # answered: phone 10:00
    ("p1", 20, "customer_message", "phone", "customer"),
    ("p1", 21, "call_abandoned", "phone", "customer"),  # abandoned: phone 10:00
    ("p1", 30, "agent_response", "phone", "agent"),  # nothing was waiting
    ("p1", 65, "customer_message", "phone", "customer"),
    ("p1", 66, "agent_response", "phone", "bot"),  # a bot answers no call
    ("p1", 66, "agent_response", "phone", "system"),  # nor does an auto-acknowledgement
    ("p1", 67, "transfer", "phone", "agent"),
    ("p1", 70, "agent_response", "phone", "agent"),  # answered: phone 11:00
    ("i1", 5, "contact_opened", "ivr", "customer"),
    ("i1", 6, "bot_response", "ivr", "bot"),
    ("i1", 9, "ivr_escape", "ivr", "customer"),
    ("i1", 15, "agent_response", "phone", "agent"),  # answered, on the answering channel
    ("i2", 40, "contact_opened", "ivr", "customer"),
    ("i2", 41, "call_abandoned", "ivr", "customer"),  # abandoned: ivr 10:00
    ("c1", 0, "contact_opened", "chat", "customer"),
    ("c1", 50, "customer_message", "phone", "customer"),  # a chat case that calls
    ("c1", 51, "agent_response", "email", "agent"),  # not a voice answer
    ("c1", 55, "agent_response", "phone", "agent"),  # answered: phone 10:00
    ("x1", 1, "customer_message", "phone", "customer"),  # its case never opened: left out
    ("x1", 2, "agent_response", "phone", "agent"),
]
COLUMNS = ("hour", "channel", "calls_abandoned", "calls_answered", "abandon_pct")
EXPECTED = [
    dict(zip(COLUMNS, row, strict=True))
    for row in ((H10, "ivr", 1, 0, 100.0), (H10, "phone", 1, 3, 25.0), (H11, "phone", 0, 1, 0.0))
]


def touchpoint(
    n: int, case_id: str, minutes: int, kind: str, channel: str, actor: str
) -> Touchpoint:
    return Touchpoint(
        event_id=f"e{n:02}", occurred_at=H10 + timedelta(minutes=minutes), customer_id="u1",
        case_id=case_id, channel=Channel(channel), actor=Actor(actor),
        event_type=EventType(kind), journey_stage=JourneyStage.SUPPORT, source="test",
    )


TOUCHPOINTS = [touchpoint(n, *call) for n, call in enumerate(CALLS)]


def dataset() -> list[tuple[str, dict[str, Any]]]:
    facts = [
        ("touchpoint", r.touchpoint(event_id=tp.event_id, occurred_at=tp.occurred_at,
                                    case_id=tp.case_id, channel=tp.channel.value,
                                    actor=tp.actor.value, event_type=tp.event_type.value))
        for tp in TOUCHPOINTS
    ]
    opened = [("case_fact", r.case(case_id=c, opened_at=H10)) for c in ("p1", "i1", "i2", "c1")]
    return [*facts, *opened, ("case_fact", r.case(case_id="x1", opened_at=None))]


@pytest.fixture(scope="module")
def settings(stack: Settings) -> Iterator[Settings]:
    settings = own_database(stack, "calls")
    migrate(settings)
    writer = connect(settings, "writer")
    insert(writer, rows(dataset()))
    writer.close()
    yield settings
    drop_database(settings)


def view(settings: Settings) -> list[dict[str, Any]]:
    bi = connect(settings, "bi")
    out = query(bi, "SELECT * FROM call_abandonment_hourly ORDER BY hour, channel")
    bi.close()
    return [row | {"hour": row["hour"].replace(tzinfo=H10.tzinfo)} for row in out]


def test_abandon_rate_per_hour_and_voice_channel(settings: Settings) -> None:
    assert view(settings) == EXPECTED


def test_the_worker_counts_the_same_calls() -> None:
    counted: Counter[tuple[datetime, str, Kind]] = Counter()
    states: dict[str, CaseState] = {}
    for tp in TOUCHPOINTS:
        states[tp.case_id], out = apply(states.get(tp.case_id, CaseState(tp.case_id)), tp)
        for c in out:
            if c.kind in (Kind.CALL_ABANDONED, Kind.CALL_ANSWERED):
                counted[(c.window_at.replace(minute=0), c.channel.value, c.kind)] += 1
    assert counted == Counter({
        (row["hour"], row["channel"], kind): row[column]
        for row in EXPECTED
        for kind, column in ((Kind.CALL_ABANDONED, "calls_abandoned"),
                             (Kind.CALL_ANSWERED, "calls_answered"))
        if row[column]
    })


def test_a_replayed_batch_changes_no_figure(settings: Settings) -> None:
    writer = connect(settings, "writer")
    insert(writer, rows(dataset()))
    writer.close()
    assert view(settings) == EXPECTED
