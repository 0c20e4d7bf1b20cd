"""Records handed to the producer a whole batch at a time.

aiokafka's ``send`` costs a future, a metadata lookup, a partitioner call and an accumulator
append per record, about 40 µs (measured on the local broker), and each event sends two to four.
An agent's batch instead stages its records here and hands them over per topic partition as
aiokafka record batches (``create_batch`` / ``send_batch``): 0.3 µs a record to append, one
future per batch. The batches go into the same producer as everything else, so Faust's flush
before each offset commit waits for them too.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cache, lru_cache
from typing import Any, cast

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner, murmur2
from prometheus_client import Counter

from streams import counters
from streams.app import app

log = logging.getLogger(__name__)

Key = bytes | None


class Sends:
    """Records staged in order; ``submit`` hands them to the producer, keeping each partition's
    order. A record with no partition goes where the producer's partitioner puts its key."""

    __slots__ = ("_records",)

    def __init__(self) -> None:
        self._records: dict[tuple[str, int | None], list[tuple[Key, bytes | None]]] = {}

    def add(self, topic: str, key: Key, value: bytes | None, partition: int | None = None) -> None:
        self._records.setdefault((topic, partition), []).append((key, value))

    async def submit(self) -> list[asyncio.Future[Any]]:
        """Hands every staged record to the producer and returns the deliveries of its record
        batches (``delivered`` awaits them). A batch that cannot be delivered also stops the
        worker, so that it restarts from the last commit instead of going on without it."""
        staged, self._records = self._records, {}
        if not staged:
            return []
        # Faust's producer has no batch interface; its aiokafka producer does.
        producer = cast(AIOKafkaProducer, app.producer._ensure_producer())  # type: ignore[attr-defined]
        hand_overs = []
        for (topic, partition), records in staged.items():
            if partition is None:
                partitions = sorted(await producer.partitions_for(topic))
                for part, items in _by_partition(producer, topic, partitions, records).items():
                    hand_overs.append(_hand_over(producer, topic, part, items))
            else:
                hand_overs.append(_hand_over(producer, topic, partition, records))
            _records_out(topic).inc(len(records))
        # Side by side: aiokafka takes a partition's next batch only once the one before it is
        # on its way, so the partitions that need several batches (all of them under the local
        # profile's one-record batches) wait for the same produce requests, not one another's.
        handed = await asyncio.gather(*hand_overs)
        return [delivery for deliveries in handed for delivery in deliveries]


async def delivered(deliveries: list[asyncio.Future[Any]]) -> None:
    """Waits until the broker has every record of ``deliveries``; raises the first failure.
    Unlike the producer's flush, which returns once nothing is in flight, delivered or not."""
    if deliveries:
        await asyncio.gather(*deliveries)


def _by_partition(
    producer: AIOKafkaProducer,
    topic: str,
    partitions: list[int],
    records: list[tuple[Key, bytes | None]],
) -> dict[int, list[tuple[Key, bytes | None]]]:
    """Where the producer's partitioner puts each record. For the default partitioner (Kafka's
    murmur2 of the key) the hash is computed here, once per key while it is in the cache: its
    pure-Python murmur2 cost 3 µs a key, and each event sends two or three records keyed by
    its case id."""
    default = isinstance(producer._partitioner, DefaultPartitioner)
    parts: dict[int, list[tuple[Key, bytes | None]]] = {}
    for key, value in records:
        if default and key is not None:
            part = partitions[_key_hash(key) % len(partitions)]
        else:
            part = app.producer.key_partition(topic, key).partition  # type: ignore[arg-type]
        parts.setdefault(part, []).append((key, value))
    return parts


@lru_cache(maxsize=1 << 14)
def _key_hash(key: bytes) -> int:
    """DefaultPartitioner's hash of a key, before the modulo by the partition count."""
    return int(murmur2(key)) & 0x7FFFFFFF


async def _hand_over(
    producer: AIOKafkaProducer, topic: str, partition: int, records: list[tuple[Key, bytes | None]]
) -> list[asyncio.Future[Any]]:
    deliveries = []
    batch = producer.create_batch()
    for key, value in records:
        if batch.append(key=key, value=value, timestamp=None) is None:
            deliveries.append(await _send_batch(producer, batch, topic, partition))
            batch = producer.create_batch()
            # An empty batch takes any one record, however large (aiokafka).
            batch.append(key=key, value=value, timestamp=None)
    deliveries.append(await _send_batch(producer, batch, topic, partition))
    return deliveries


async def _send_batch(
    producer: AIOKafkaProducer, batch: Any, topic: str, partition: int
) -> asyncio.Future[Any]:
    delivery = cast(
        asyncio.Future[Any], await producer.send_batch(batch, topic, partition=partition)
    )
    delivery.add_done_callback(_check_delivery)
    return delivery


@cache
def _records_out(topic: str) -> Counter:
    """The topic's counter: ``labels`` costs more than a record's own work here."""
    return counters.RECORDS_OUT.labels(topic)


def _check_delivery(delivery: asyncio.Future[Any]) -> None:
    crash_if_failed("a record could not be delivered", delivery)


def crash_if_failed(what: str, future: asyncio.Future[Any]) -> None:
    """A done callback for work nobody awaits: if it failed, the worker stops (and restarts
    from its last commit) rather than going on without it."""
    if future.cancelled() or future.exception() is None:
        return
    stop_worker(what, cast(BaseException, future.exception()))


def stop_worker(what: str, error: BaseException) -> None:
    """Stops the worker for ``error``, logging its type only (its message may quote a record)."""
    log.error("%s (%s); stopping the worker", what, type(error).__name__)
    crash = asyncio.ensure_future(app.crash(error))
    _CRASHING.add(crash)  # asyncio keeps only weak references to tasks
    crash.add_done_callback(_CRASHING.discard)


_CRASHING: set[asyncio.Future[None]] = set()
