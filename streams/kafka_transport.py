"""Faust's aiokafka transport with the consumer's fetch wait taken from the settings.

Faust builds its worker consumer with ``fetch_max_wait_ms=1500`` written into the code. Kafka
answers a fetch as soon as data arrives, so there the wait only bounds an idle poll; Tansu holds
every fetch for the whole wait (measured: 355 ms median from produce to consume at 1500, 8 ms at
50), which adds that much to each hop of the pipeline. The transport is registered under the
broker URL scheme ``touchstream`` (entry point ``faust.transports`` in pyproject.toml).
"""

from __future__ import annotations

from typing import Any

import aiokafka
from faust.transport.drivers import aiokafka as faust_aiokafka

from touchstream.settings import get_settings


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read by AIOKafkaConsumer.start() when it builds its fetcher, which has not happened yet.
        consumer._fetch_max_wait_ms = get_settings().fetch_max_wait_ms
        return consumer


class Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_aiokafka.Transport):
    Consumer = Consumer
