"""Refilling the deadline queues from the awaiting-response table: one pass fills every
partition asked for with exactly its waiting cases, and leaves the others alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from streams.app import awaiting_response
from streams.breaches import refill_deadlines
from streams.deadlines import DEADLINES
from streams.partitions import PARTITIONS, partition_of

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    yield
    awaiting_response.data.clear()
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
