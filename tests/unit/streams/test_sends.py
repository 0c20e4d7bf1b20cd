"""Staged records reach the producer as record batches: per topic partition, in the order
staged, keyed records where the partitioner puts their key, a full batch followed by another."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from aiokafka.record.default_records import DefaultRecordBatch

from streams import sends as sends_module
from streams.sends import Sends

PARTITIONS = [0, 1, 2, 3]


class _Producer:
    """The aiokafka producer's batch interface, recording each batch handed over."""

    def __init__(self, batch_bytes: int, partitioner: Any = None) -> None:
        self.batch_bytes = batch_bytes
        self._partitioner = partitioner or DefaultPartitioner()
        self.batches: list[tuple[str, int, list[tuple[bytes | None, bytes | None]]]] = []

    def create_batch(self) -> BatchBuilder:
        return BatchBuilder(self.batch_bytes, 0)

    async def send_batch(self, batch: BatchBuilder, topic: str, *, partition: int) -> Any:
        records = [(r.key, r.value) for r in DefaultRecordBatch(bytearray(batch._build()))]
        self.batches.append((topic, partition, records))
        delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        delivered.set_result(None)
        return delivered

    async def partitions_for(self, topic: str) -> set[int]:
        return set(PARTITIONS)

    def _partition(self, topic: str, partition: Any, key: Any, value: Any, **kw: Any) -> int:
        return int(self._partitioner(kw["serialized_key"], PARTITIONS, PARTITIONS))


def _submit(
    sends: Sends, batch_bytes: int, monkeypatch: pytest.MonkeyPatch, partitioner: Any = None
) -> _Producer:
    producer = _Producer(batch_bytes, partitioner)
    monkeypatch.setattr(sends_module.app.producer, "_ensure_producer", lambda: producer)
    asyncio.run(sends.submit())
    return producer


def test_records_go_per_partition_in_the_order_staged(monkeypatch: pytest.MonkeyPatch) -> None:
    sends = Sends()
    keys = [f"case-{n}".encode() for n in range(12)]
    for n, key in enumerate(keys):
        sends.add("facts", key, str(n).encode())
    sends.add("changelog", b'"a"', b"1", partition=2)
    sends.add("changelog", b'"b"', None, partition=2)  # a tombstone

    producer = _submit(sends, 1_000_000, monkeypatch)

    expected = {
        part: [
            (k, str(n).encode())
            for n, k in enumerate(keys)
            if DefaultPartitioner()(k, PARTITIONS, PARTITIONS) == part
        ]
        for part in PARTITIONS
    }
    by_partition = {p: records for topic, p, records in producer.batches if topic == "facts"}
    assert len(by_partition) > 1  # the keys spread, so grouping is tested
    assert by_partition == {part: records for part, records in expected.items() if records}
    assert ("changelog", 2, [(b'"a"', b"1"), (b'"b"', None)]) in producer.batches
    assert len(producer.batches) == len(by_partition) + 1
    producer = _submit(sends, 1_000_000, monkeypatch)  # submitted records are gone
    assert producer.batches == []


def test_a_full_batch_is_followed_by_another(monkeypatch: pytest.MonkeyPatch) -> None:
    sends = Sends()
    for n in range(5):
        sends.add("changelog", str(n).encode(), b"x" * 100, partition=0)

    producer = _submit(sends, 300, monkeypatch)  # room for two records a batch

    assert [[key for key, _ in records] for _, _, records in producer.batches] == [
        [b"0", b"1"],
        [b"2", b"3"],
        [b"4"],
    ]


def test_keys_land_where_kafkas_default_partitioner_puts_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hash is computed (and cached) here for the default partitioner: it must agree with
    aiokafka's, which agrees with the Java client's, on every key, the repeated ones too."""
    sends = Sends()
    keys = [f"case-{n % 300}".encode() for n in range(1000)]
    for key in keys:
        sends.add("facts", key, b"v")

    producer = _submit(sends, 10_000_000, monkeypatch)

    placed = {key: p for _, p, records in producer.batches for key, _ in records}
    partitioner = DefaultPartitioner()
    assert placed == {key: partitioner(key, PARTITIONS, PARTITIONS) for key in keys}


def test_another_partitioner_and_unkeyed_records_go_through_the_producer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sends = Sends()
    sends.add("facts", b"case-1", b"keyed")
    sends.add("facts", None, b"unkeyed")

    producer = _submit(sends, 1_000_000, monkeypatch, partitioner=lambda key, all, _: all[-1])

    assert producer.batches == [("facts", 3, [(b"case-1", b"keyed"), (None, b"unkeyed")])]
