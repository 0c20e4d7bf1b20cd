"""The collector's way to Kafka: aiokafka, so producing never blocks the event loop that serves
requests. ``send_all`` returns only when the broker acknowledged every message (acks=all), so a
202 is never answered for a record that could still be lost."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from streams.faust_config import LOCAL_MAX_BATCH_BYTES
from touchstream.security import kafka_client_security
from touchstream.settings import Settings

READY_TIMEOUT_S = 2.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


class SendFailed(Exception):
    """The broker did not acknowledge every message; some may have landed."""


class Sender(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send_all(self, messages: Sequence[Outgoing]) -> None: ...

    async def ready(self) -> bool: ...


def aiokafka_producer_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap.split(","),
        "acks": "all",
        # Concurrent requests share batches; a few ms of waiting buys far fewer round trips.
        "linger_ms": 5,
        **kafka_client_security(settings),
    }
    if settings.kafka_profile == "production":
        # Retries after a lost acknowledgement then cannot write a record twice. Tansu does not
        # support aiokafka's idempotent producer, so the local profile goes without.
        options["enable_idempotence"] = True
    else:
        # One record per batch keeps Tansu's end offsets exact (see streams/faust_config.py).
        options.update(max_batch_size=LOCAL_MAX_BATCH_BYTES, linger_ms=0)
    return options


class KafkaSender:
    def __init__(self, settings: Settings) -> None:
        self._options = aiokafka_producer_options(settings)
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        # aiokafka binds to the running loop, so the producer is made here and not in __init__.
        self._producer = AIOKafkaProducer(**self._options)
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def send_all(self, messages: Sequence[Outgoing]) -> None:
        producer = self._started()
        try:
            acks = [
                await producer.send(m.topic, m.value, key=m.key, headers=list(m.headers))
                for m in messages
            ]
            await asyncio.gather(*acks)
        except KafkaError as exc:
            raise SendFailed(repr(exc)) from exc

    async def ready(self) -> bool:
        """The broker answers a metadata request now, not just once at start."""
        try:
            return bool(
                await asyncio.wait_for(
                    self._started().client.force_metadata_update(), READY_TIMEOUT_S
                )
            )
        except (TimeoutError, KafkaError):
            return False

    def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise SendFailed("the producer is not started")
        return self._producer
