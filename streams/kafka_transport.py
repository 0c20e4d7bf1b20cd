"""Faust's aiokafka transport with the consumer's fetch wait taken from the settings, its
messages handed to the streams without four tasks each, and a pause that loses nothing.

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

Faust's consumer hands each message to its streams with ``wait_first(deliver(message),
suspend_flow.wait())``, so that a rebalance can abandon a delivery stuck on a full stream
buffer. mode's ``wait_first`` makes a task of each of the two and of the service's stopped and
crashed events, then cancels the three that lose: about 45 µs a message here, a third of what
Faust's consuming costs (scenario worker's read-only agent). A delivery almost always finishes
without waiting, so ``Consumer.wait_first`` runs it inline first, and races it against the
rest, as mode does, only when it has to wait.

The transport is registered under the broker URL scheme ``touchstream`` (entry point
``faust.transports`` in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator, Iterable
from typing import Any

import aiokafka
from aiokafka.structs import TopicPartition
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from mode import Service
from mode.services import WaitArgT, WaitResults
from mode.utils.times import Seconds

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


class InlineDelivery(Service):
    """A service whose ``wait_first`` runs a delivery's first step inline (see the module)."""

    async def wait_first(self, *coros: WaitArgT, timeout: Seconds | None = None) -> WaitResults:
        """mode's ``wait_first``, but that the drainer's delivery (its call with two coroutines)
        first runs inline: finished there, the other coroutine is dropped unawaited, as mode's
        cancels it; waiting, it goes on in mode's race."""
        if timeout is not None:
            return await super().wait_first(*coros, timeout=timeout)
        if len(coros) != 2 or not all(map(_is_coroutine, coros)):
            return await super().wait_first(*coros)
        delivery, other = coros
        assert isinstance(delivery, Coroutine) and isinstance(other, Coroutine)
        try:
            waiting_on = delivery.send(None)
        except StopIteration as done:
            other.close()
            return WaitResults([delivery], [done.value], False)
        except BaseException:
            other.close()
            raise
        return await super().wait_first(_Resumed(delivery, waiting_on).run(), other)


class Consumer(InlineDelivery, faust_aiokafka.Consumer):
    _thread: ConsumerThread

    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def pause_fetching(self, tps: Iterable[TP], paused: bool = True) -> None:
        """Stops (or with ``paused=False`` resumes) fetching ``tps``; see the module docstring."""
        await self._thread.call_thread(self._thread.pause_fetching, list(tps), paused)

    def committed(self, tp: TP) -> int:
        """The group's committed offset of ``tp``, as Faust read it when the partition was
        assigned or committed it since: where reading it starts. 0 when the group has none (a new
        group reads from the start, ``consumer_auto_offset_reset``)."""
        return self._committed_offset.get(tp) or 0


class Transport(faust_aiokafka.Transport):
    Consumer = Consumer


def _is_coroutine(value: object) -> bool:
    return isinstance(value, Coroutine)


class _Resumed:
    """A coroutine that has taken its first step (and yielded ``waiting_on``), continued the way
    ``await`` continues one: what the event loop sends or throws in goes on to it."""

    def __init__(self, coro: Coroutine[Any, Any, Any], waiting_on: Any) -> None:
        self.coro = coro
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, Any]:
        waiting_on = self.waiting_on
        while True:
            try:
                sent = yield waiting_on
            except BaseException as exc:  # cancellation included: it is the coroutine's to handle
                try:
                    waiting_on = self.coro.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    waiting_on = self.coro.send(sent)
                except StopIteration as done:
                    return done.value

    async def run(self) -> Any:
        return await self
