"""The sink's batch bounds: rows and the age of the oldest row; and the retry backoff."""

from __future__ import annotations

import pytest

from sinks.batch import Batch, backoff_s


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_due_at_max_rows_with_no_room_left() -> None:
    batch = Batch(max_rows=3, max_seconds=60, clock=Clock())
    for offset in range(3):
        assert not batch.due()
        batch.add("t", (offset,), ("topic", 0), offset)
    assert batch.due() and batch.room() == 0
    with pytest.raises(OverflowError):
        batch.add("t", (3,), ("topic", 0), 3)


def test_due_when_the_oldest_row_is_max_seconds_old() -> None:
    clock = Clock()
    batch = Batch(max_rows=100, max_seconds=2.0, clock=clock)
    assert not batch.due() and batch.seconds_left() == 2.0
    batch.add("t", (1,), ("topic", 0), 0)
    clock.now += 1.5
    batch.add("t", (2,), ("topic", 0), 1)
    assert not batch.due() and batch.seconds_left() == pytest.approx(0.5)
    clock.now += 0.5
    assert batch.due() and batch.seconds_left() == 0.0


def test_empty_batch_is_never_due() -> None:
    clock = Clock()
    batch = Batch(max_rows=1, max_seconds=1.0, clock=clock)
    clock.now += 10
    assert not batch.due()


def test_offsets_to_commit_are_the_next_per_partition() -> None:
    batch = Batch(max_rows=10, max_seconds=1.0, clock=Clock())
    batch.add("a", (1,), ("x", 0), 5)
    batch.add("b", (2,), ("x", 1), 9)
    batch.add("a", (3,), ("x", 0), 6)
    assert batch.next_offsets == {("x", 0): 7, ("x", 1): 10}
    assert batch.rows == {"a": [(1,), (3,)], "b": [(2,)]}
    assert len(batch) == 3


def test_clear_starts_a_new_batch() -> None:
    clock = Clock()
    batch = Batch(max_rows=2, max_seconds=1.0, clock=clock)
    batch.add("a", (1,), ("x", 0), 0)
    batch.add("a", (2,), ("x", 0), 1)
    batch.clear()
    assert len(batch) == 0 and batch.room() == 2 and batch.next_offsets == {} and not batch.due()
    clock.now += 5
    batch.add("a", (3,), ("x", 0), 2)
    assert batch.seconds_left() == 1.0


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_s(n, cap_s=3.0) for n in range(6)] == [0.25, 0.5, 1.0, 2.0, 3.0, 3.0]
    assert backoff_s(10_000, cap_s=30.0) == 30.0
