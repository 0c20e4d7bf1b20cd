from __future__ import annotations

from streams.liveness import Progress

TP = ("cx.touchpoints", 0)
OTHER = ("cx.feedback", 1)


def test_a_partition_with_records_waiting_and_no_progress_is_stalled() -> None:
    progress = Progress()
    progress.advance(TP, offset=9, wall=100.0)
    assert progress.lag(TP, highwater=15) == 5
    assert progress.stalled({TP: 15}, wall=109.0, stall_s=10.0, started=0.0) == []
    assert progress.stalled({TP: 15}, wall=110.0, stall_s=10.0, started=0.0) == [TP]
    progress.advance(TP, offset=10, wall=111.0)
    assert progress.stalled({TP: 15}, wall=112.0, stall_s=10.0, started=0.0) == []


def test_caught_up_or_unknown_partitions_are_not_stalled() -> None:
    progress = Progress()
    progress.advance(TP, offset=14, wall=0.0)
    assert progress.lag(TP, highwater=15) == 0
    # Nothing waiting, or no high-water known yet (Tansu may not have answered): healthy.
    assert progress.stalled({TP: 15, OTHER: None}, wall=1000.0, stall_s=10.0, started=0.0) == []
    assert progress.lag(OTHER, highwater=None) is None


def test_a_partition_never_read_counts_from_the_worker_start() -> None:
    progress = Progress()
    assert progress.stalled({OTHER: 3}, wall=105.0, stall_s=10.0, started=100.0) == []
    assert progress.stalled({OTHER: 3}, wall=110.0, stall_s=10.0, started=100.0) == [OTHER]


def test_a_partition_never_read_waits_from_where_reading_starts() -> None:
    progress = Progress()
    assert progress.lag(OTHER, highwater=40) is None
    assert progress.lag(OTHER, highwater=40, start=25) == 15
    progress.advance(OTHER, offset=29, wall=0.0)  # once read, its own position counts
    assert progress.lag(OTHER, highwater=40, start=25) == 10
