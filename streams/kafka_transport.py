"""Faust's aiokafka transport with the consumer's fetch wait taken from the settings, and a
pause that loses nothing.

Faust builds its worker consumer with ``fetch_max_wait_ms=1500`` written into the code. Kafka
answers a fetch as soon as data arrives, so there the wait only bounds an idle poll; Tansu holds
every fetch for the whole wait (measured: 355 ms median from produce to consume at 1500, 8 ms at
50), which adds that much to each hop of the pipeline.

Faust's ``Consumer.pause_partitions`` only takes a partition out of the set its fetch loop
yields records for: records of it already fetched are then skipped while aiokafka's position has
moved past them, so they are never processed (until a restart re-reads from the committed
offset, which stops there). ``pause_fetching`` pauses the partition in aiokafka instead, which
stops fetching it and drops what it had buffered without moving its position, so fetching
resumes where processing stopped; records Faust already took are processed as usual.

The transport is registered under the broker URL scheme ``touchstream`` (entry point
``faust.transports`` in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import aiokafka
from aiokafka.structs import TopicPartition
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP

from touchstream.settings import get_settings


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read by AIOKafkaConsumer.start() when it builds its fetcher, which has not happened yet.
        consumer._fetch_max_wait_ms = get_settings().fetch_max_wait_ms
        return consumer

    async def pause_fetching(self, tps: Iterable[TP], paused: bool) -> None:
        """Runs on the consumer's thread, which owns aiokafka's state. A partition no longer
        assigned (a rebalance under way) is left out: aiokafka refuses it."""
        consumer = self._ensure_consumer()
        assigned = consumer.assignment()
        wanted = [TopicPartition(tp.topic, tp.partition) for tp in tps]
        chosen = [tp for tp in wanted if tp in assigned]
        if paused:
            consumer.pause(*chosen)
        else:
            consumer.resume(*chosen)


class Consumer(faust_aiokafka.Consumer):
    _thread: ConsumerThread

    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def pause_fetching(self, tps: Iterable[TP], paused: bool = True) -> None:
        """Stops (or with ``paused=False`` resumes) fetching ``tps``; see the module docstring."""
        await self._thread.call_thread(self._thread.pause_fetching, list(tps), paused)


class Transport(faust_aiokafka.Transport):
    Consumer = Consumer
