"""SLA breaches. Refilling the deadline queues from the awaiting-response table: one pass fills
every partition asked for with exactly its waiting cases, and leaves the others alone. Raising
them as a partition's event time passes their deadlines: each with a position that grows in the
order they are raised, so that the windows agent counts each once, however out of order the
cases' deadlines come."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
import pytest

from schemas.records import Channel
from streams.app import awaiting_response, cases
from streams.breaches import after_event, before_event, raise_due_breaches, refill_deadlines
from streams.case_log import CaseEntry
from streams.deadlines import DEADLINES
from streams.metrics import CaseState, Contribution, Watermarking
from streams.metrics.windows import TUMBLING_1H
from streams.outbox import Outbox
from streams.partitions import PARTITIONS, partition_of
from streams.window_log import ChannelWindows, Sourced, read_wire, wire_message, wire_records

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PARTITION = 5


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    yield
    awaiting_response.data.clear()
    cases.data.clear()
    for partition in range(PARTITIONS):
        DEADLINES.pop_due(partition, T0 + timedelta(days=365))
    DEADLINES.forget()


def test_one_pass_fills_each_partition_asked_for_with_its_own_cases() -> None:
    assert PARTITIONS >= 3
    deadlines = {f"case-{n}": T0 + timedelta(minutes=n) for n in range(40)}
    awaiting_response.data.update({k: v.isoformat() for k, v in deadlines.items()})
    DEADLINES.push(2, T0, "pushed before, not in the table")

    refill_deadlines([0, 1])

    assert not DEADLINES.needs_refill(0) and not DEADLINES.needs_refill(1)
    assert DEADLINES.needs_refill(2)
    end = T0 + timedelta(days=1)
    for partition in (0, 1):
        expected = sorted(
            (at, case_id) for case_id, at in deadlines.items() if partition_of(case_id) == partition
        )
        assert expected  # 40 keys over the partitions: each asked for has some
        assert [(at, case_id) for at, _, case_id in DEADLINES.pop_due(partition, end)] == expected
    assert [case_id for _, _, case_id in DEADLINES.pop_due(2, end)] == [
        "pushed before, not in the table"
    ]


class RecordingOutbox(Outbox):
    """An outbox that also keeps what was contributed, as the windows agent reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Sourced] = []

    def contribute(
        self, contributions: list[Contribution], source: str, offset: int, first_index: int = 0
    ) -> None:
        super().contribute(contributions, source, offset, first_index)
        for channel, event in wire_records(contributions, source, offset, first_index):
            wire = orjson.dumps(wire_message(channel, [event]))
            self.rows += read_wire(orjson.loads(wire))


def _waiting_case(case_id: str, deadline: datetime) -> None:
    """A chat case opened two minutes before ``deadline``, unanswered, in the tables and the
    partition's deadline queue (as the touchpoints agent leaves it)."""
    state = CaseState(case_id)
    state.opened_at, state.first_channel = deadline - timedelta(minutes=2), Channel.CHAT
    state.sla_deadline = deadline
    cases.data[case_id] = CaseEntry(state, frozenset({f"{case_id}-opened"}))
    awaiting_response.data[case_id] = deadline.isoformat()
    DEADLINES.push(PARTITION, deadline, case_id)


class _Tick:
    """Stands in for the Faust event the breaches are raised for: the outbox reads its
    message's partition."""

    def __init__(self) -> None:
        self.message: Any = type("Message", (), {"partition": PARTITION})()


def _raise(now: datetime, slot: int) -> list[Sourced]:
    outbox, tick = RecordingOutbox(), cast(Any, _Tick())
    with outbox.acting_for(tick):
        raise_due_breaches(PARTITION, now, outbox, slot)
    return outbox.rows


def _breaches(windows: ChannelWindows) -> dict[datetime, float | None]:
    return {
        s.start: s.accumulator.result()["sla_breaches"]
        for s in windows.store.due_updates(T0 + timedelta(days=1))
        if s.spec == TUMBLING_1H
    }


def test_a_case_read_late_breaches_after_others_and_each_breach_counts_once() -> None:
    _waiting_case("early-deadline-read-first", T0 + timedelta(minutes=2))
    first = _raise(T0 + timedelta(minutes=10), before_event(7))
    # The next event opens a case whose deadline passed before the one just raised: it was
    # read behind the partition's other events.
    _waiting_case("read-late", T0 - timedelta(minutes=8))
    second = _raise(T0 + timedelta(minutes=11), before_event(8))
    third = _raise(T0 + timedelta(hours=2), after_event(8))  # a tick: nothing else is due

    assert [len(first), len(second), third] == [1, 1, []]
    assert first[0][2] < second[0][2]  # positions grow in the order raised
    windows = ChannelWindows.new(timedelta(seconds=10), Watermarking(timedelta(hours=1)))
    assert windows.add_batch(first, wall=0.0) and windows.add_batch(second, wall=0.0)
    assert _breaches(windows) == {T0 - timedelta(hours=1): 1, T0: 1}
    # A replay raises them again no later than the first time: the copies are dropped.
    assert not windows.add_batch(first + second, wall=0.0)
    assert windows.store.due_updates(T0 + timedelta(days=2)) == []


def test_breaches_raised_at_once_come_out_by_deadline_with_growing_positions() -> None:
    for minute in (3, 1, 2):
        _waiting_case(f"case-{minute}", T0 + timedelta(minutes=minute))

    raised = _raise(T0 + timedelta(minutes=5), after_event(40))

    assert [c.at for c, _, _ in raised] == [T0 + timedelta(minutes=m) for m in (1, 2, 3)]
    positions = [position for _, _, position in raised]
    assert positions == sorted(set(positions))
    assert {source for _, source, _ in raised} == {f"breaches:{PARTITION}"}
    assert {position[0] for position in positions} == {after_event(40)}
