"""The sink through a rebalance while ClickHouse is down: nothing polled is dropped, nothing
dropped is committed past. The consumer is a stand-in that keeps positions as kafka-python does
(a partition kept through an eager rebalance keeps its position); ClickHouse's insert fails once."""

from __future__ import annotations

import threading
import types
from typing import Any

from kafka.structs import TopicPartition

from sinks import sink as sink_module
from sinks.batch import Batch

TP0, TP1 = TopicPartition("cx.facts.touchpoints", 0), TopicPartition("cx.facts.touchpoints", 1)


class _Record:
    def __init__(self, offset: int) -> None:
        self.offset, self.value = offset, b"\x00not a record"  # a dead-letter row: any row does


class _Consumer:
    """``log``: records per partition. The first poll while anything is paused brings a
    rebalance: everything revoked, then TP0 (kept, its position as it was) and TP1 assigned."""

    def __init__(self, log: dict[TopicPartition, int]) -> None:
        self.log = log
        self.assigned = {TP0}
        self.paused: set[TopicPartition] = set()
        self.position = {TP0: 0}
        self.commits: dict[TopicPartition, int] = {}
        self.listener: Any = None
        self.rebalanced = False

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    def pause(self, *tps: TopicPartition) -> None:
        self.paused |= set(tps)

    def resume(self, *tps: TopicPartition) -> None:
        self.paused -= set(tps)

    def committed(self, tp: TopicPartition) -> int | None:
        return self.commits.get(tp)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.position[tp] = offset

    def seek_to_beginning(self, tp: TopicPartition) -> None:
        self.position[tp] = 0

    def commit(self, offsets: dict[TopicPartition, Any]) -> None:
        self.commits.update({tp: meta.offset for tp, meta in offsets.items()})

    def poll(self, timeout_ms: int = 0, max_records: int | None = None) -> dict[Any, Any]:
        if self.paused and not self.rebalanced:
            self.rebalanced = True
            self.listener.on_partitions_revoked(set(self.assigned))
            self.assigned = {TP0, TP1}
            self.paused = set()  # a new assignment starts unpaused
            self.position.setdefault(TP1, 0)
            self.listener.on_partitions_assigned(set(self.assigned))
        out = {}
        for tp in sorted(self.assigned - self.paused):
            records = [_Record(o) for o in range(self.position[tp], self.log[tp])]
            if records:
                out[tp] = records
                self.position[tp] = self.log[tp]
        return out


def test_rows_polled_while_paused_and_rows_dropped_at_a_rebalance_are_all_written() -> None:
    consumer = _Consumer({TP0: 3, TP1: 5})
    sink: Any = sink_module.Sink.__new__(sink_module.Sink)
    sink.settings = types.SimpleNamespace(sink_retry_max_s=0.01)
    sink.stop, sink.batch, sink._client, sink._lag_due = (
        threading.Event(),
        Batch(100, 0.0),
        None,
        1e18,
    )
    sink.consumer = consumer
    sink.rebalance = consumer.listener = sink_module._DropOnRevoke(sink.batch)
    written: list[tuple[int, int]] = []
    failures = [ConnectionError("ClickHouse is down")]

    def insert() -> None:
        if failures:
            raise failures.pop()
        written.extend(
            (partition, offset)
            for (_, partition), offset in sorted(sink.batch.next_offsets.items())
        )

    sink._insert = insert
    sink._fill()
    # The insert fails and the sink pauses; while it waits, a rebalance drops TP0's rows and a
    # poll returns records of TP1, new and not paused. With its rows gone the flush gives up.
    sink._flush()
    assert consumer.position == {TP0: 0, TP1: 0}  # both to be read again
    sink._fill()
    sink._flush()  # ClickHouse is back
    assert written == [(0, 3), (1, 5)]
    assert consumer.commits == {TP0: 3, TP1: 5} and consumer.paused == set()
