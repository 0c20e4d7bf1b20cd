"""Window results' revisions: the latest result of a window wins in ClickHouse, a final one over
every interim one whatever the emitting workers' clocks."""

from __future__ import annotations

from datetime import UTC, datetime

from streams.publish import revision


def test_a_final_result_outranks_every_interim_one_whatever_the_clocks() -> None:
    early, late = datetime(2026, 11, 24, 10, tzinfo=UTC), datetime(2026, 11, 24, 10, 5, tzinfo=UTC)
    assert revision(early, final=True) > revision(late, final=False)
    assert revision(late, final=True) > revision(early, final=True)  # a recomputed final wins
    assert revision(early, final=False) < revision(late, final=False)
    assert revision(late, final=True) < 2**63  # an Avro long, a UInt64 column
