"""SLA breaches. Refilling the deadline queues from the awaiting-response table: one pass fills
every partition asked for with exactly its waiting cases, and leaves the others alone. Raising
them as a partition's event time passes their deadlines, each with its case, so that the
windows count each once, however out of order the cases come and wherever a replay after a
crash raises them again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
import pytest

from schemas.records import Channel
from streams.app import awaiting_response, cases
from streams.breaches import raise_due_breaches, refill_deadlines
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


def _raise(now: datetime, offset: int) -> list[Sourced]:
    outbox, tick = RecordingOutbox(), cast(Any, _Tick())
    with outbox.acting_for(tick):
        raise_due_breaches(PARTITION, now, outbox, offset)
    return outbox.rows


def _breaches(windows: ChannelWindows) -> dict[datetime, float | None]:
    return {
        s.start: s.accumulator.result()["sla_breaches"]
        for s in windows.store.due_updates(T0 + timedelta(days=1))
        if s.spec == TUMBLING_1H
    }


def test_a_case_read_late_breaches_after_others_and_each_breach_counts_once() -> None:
    _waiting_case("early-deadline-read-first", T0 + timedelta(minutes=2))
    first = _raise(T0 + timedelta(minutes=10), 7)
    # The next event opens a case whose deadline passed before the one just raised: it was
    # read behind the partition's other events.
    _waiting_case("read-late", T0 - timedelta(minutes=8))
    second = _raise(T0 + timedelta(minutes=11), 8)
    third = _raise(T0 + timedelta(hours=2), 8)  # a tick: nothing else is due

    assert [len(first), len(second), third] == [1, 1, []]
    windows = ChannelWindows.new(timedelta(seconds=10), Watermarking(timedelta(hours=1)))
    assert windows.add_batch(first, wall=0.0) and windows.add_batch(second, wall=0.0)
    assert _breaches(windows) == {T0 - timedelta(hours=1): 1, T0: 1}
    # A replay raises them again, in any order: the copies are dropped.
    assert not windows.add_batch(second + first, wall=0.0)
    assert windows.store.due_updates(T0 + timedelta(days=2)) == []


def test_breaches_raised_at_once_come_out_by_deadline_each_with_its_case() -> None:
    for minute in (3, 1, 2):
        _waiting_case(f"case-{minute}", T0 + timedelta(minutes=minute))

    raised = _raise(T0 + timedelta(minutes=5), 40)

    assert [(c.at, c.case_id) for c, _, _ in raised] == [
        (T0 + timedelta(minutes=m), f"case-{m}") for m in (1, 2, 3)
    ]
    assert [(source, position) for _, source, position in raised] == [
        (f"breaches:{PARTITION}", (40, order)) for order in range(3)
    ]


def _hours(windows: ChannelWindows, rows: list[Sourced]) -> dict[datetime, float | None]:
    """The breaches each tumbling hour holds once ``rows`` are added, read from a copy."""
    windows.add_batch(rows, wall=0.0)
    policy = Watermarking(timedelta(hours=1))
    copy = ChannelWindows.from_dict(windows.to_dict(), timedelta(seconds=10), policy)
    return {
        s.start: s.accumulator.result()["sla_breaches"]
        for s in copy.store.closed(watermark=T0 + timedelta(days=1))
        if s.spec == TUMBLING_1H
    }


def test_a_replay_whose_clock_starts_lower_raises_a_breach_later_and_it_counts_once() -> None:
    windows = ChannelWindows.new(timedelta(seconds=10), Watermarking(timedelta(hours=1)))
    # First run: an event at offset 10 two hours ahead of its neighbours set the partition's
    # clock; the case opened by offset 20 breached when offset 21 was read.
    _waiting_case("late-read", T0 + timedelta(minutes=5))
    assert _hours(windows, _raise(T0 + timedelta(hours=2), 21)) == {T0: 1}
    # The crash lost the breach's table writes (the case still waits) and the offsets after 15.
    # The replay reads from 16: without offset 10 its clock passes the deadline only at 30.
    _waiting_case("late-read", T0 + timedelta(minutes=5))
    assert _raise(T0 + timedelta(minutes=4), 21) == []
    assert _hours(windows, _raise(T0 + timedelta(minutes=6), 30)) == {T0: 1}


def test_a_replay_that_knows_a_case_sooner_raises_its_breach_sooner_and_it_counts() -> None:
    windows = ChannelWindows.new(timedelta(seconds=10), Watermarking(timedelta(hours=1)))
    # First run: one case breached at offset 12; a case read late at offset 25 was saved
    # waiting, and the worker crashed before offset 26 raised its breach.
    _waiting_case("first", T0 + timedelta(minutes=1))
    assert _hours(windows, _raise(T0 + timedelta(minutes=3), 12)) == {T0: 1}
    # The replay from offset 10 finds the late case in the table from the start and raises its
    # breach at offset 11: before the first case's, which its table already shows breached.
    _waiting_case("read-late", T0 + timedelta(minutes=2))
    assert _hours(windows, _raise(T0 + timedelta(minutes=2, seconds=30), 11)) == {T0: 2}
