from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streams.deadlines import DeadlineQueue
from streams.watermark import Watermarks

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_deadlines_come_out_once_earliest_first_and_only_when_passed() -> None:
    queue = DeadlineQueue()
    queue.push(0, T0 + timedelta(seconds=30), "b")
    queue.push(0, T0 + timedelta(seconds=10), "a")
    queue.push(1, T0, "other-partition")
    assert queue.pop_due(0, T0 + timedelta(seconds=10)) == []  # exactly at it: still in time
    assert [c for _, _, c in queue.pop_due(0, T0 + timedelta(seconds=31))] == ["a", "b"]
    assert queue.pop_due(0, T0 + timedelta(days=1)) == []
    assert [c for _, _, c in queue.pop_due(1, T0 + timedelta(seconds=1))] == ["other-partition"]


def test_refill_replaces_a_partitions_queue() -> None:
    queue = DeadlineQueue()
    queue.push(0, T0, "stale")
    queue.refill(0, [(T0 + timedelta(seconds=5), 7, "x")])
    assert queue.pop_due(0, T0 + timedelta(minutes=1)) == [(T0 + timedelta(seconds=5), 7, "x")]


def test_a_partition_needs_a_refill_until_filled_and_again_after_partitions_move() -> None:
    queue = DeadlineQueue()
    queue.push(0, T0, "pushed before the first tick")  # a push is no refill
    assert queue.needs_refill(0) and queue.needs_refill(1)
    queue.refill(0, [])
    assert not queue.needs_refill(0) and queue.needs_refill(1)
    queue.forget()
    assert queue.needs_refill(0)


def test_event_time_follows_the_wall_clock_only_once_a_partition_is_quiet() -> None:
    marks = Watermarks(idle_s=30.0)
    assert marks.now(0, 0.0) is None
    marks.observe(0, T0, wall=100.0)
    marks.observe(0, T0 - timedelta(minutes=1), wall=101.0)  # late: the clock stays
    assert marks.now(0, 120.0) == T0  # quiet for 19 s: a slow producer, time stands
    assert marks.now(0, 131.0) == T0 + timedelta(seconds=30)  # quiet for 30 s: time moves on
    assert marks.now(0, 191.0) == T0 + timedelta(seconds=90)
    marks.observe(0, T0 + timedelta(seconds=5), wall=200.0)  # events: event time rules
    assert marks.now(0, 201.0) == T0 + timedelta(seconds=5)


def test_a_rebalance_forgets_the_clocks() -> None:
    marks = Watermarks(idle_s=30.0)
    marks.observe(3, T0, wall=100.0)
    marks.forget()
    assert marks.now(3, 500.0) is None
