"""The consumer fetch wait: its profile defaults, and that it reaches every consumer, the Faust
worker's (whose driver hard-codes 1,500 ms) and the kafka-python ones."""

from __future__ import annotations

import asyncio

import faust
import pytest

from streams import kafka_transport
from streams.faust_config import faust_settings
from touchstream.kafka_options import consumer_options
from touchstream.settings import LOCAL_FETCH_MAX_WAIT_MS, Settings, get_settings


def test_the_fetch_wait_defaults_to_its_profiles_and_a_setting_wins_over_both() -> None:
    assert Settings(kafka_profile="local").fetch_max_wait_ms == LOCAL_FETCH_MAX_WAIT_MS
    assert Settings(kafka_profile="production").fetch_max_wait_ms == 500
    for profile in ("local", "production"):
        settings = Settings(kafka_profile=profile, kafka_fetch_max_wait_ms=7)
        assert settings.fetch_max_wait_ms == 7


def test_kafka_python_consumers_get_the_fetch_wait() -> None:
    options = consumer_options(Settings(kafka_profile="production", kafka_fetch_max_wait_ms=9))
    assert options["fetch_max_wait_ms"] == 9


def test_the_faust_worker_consumer_gets_the_fetch_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHSTREAM_KAFKA_FETCH_MAX_WAIT_MS", "123")
    get_settings.cache_clear()

    async def fetch_wait() -> int:
        app = faust.App("fetch-wait-test", **faust_settings(get_settings()))
        assert isinstance(app.transport, kafka_transport.Transport)  # by the broker URL's scheme
        thread = app.consumer._thread  # type: ignore[attr-defined]
        consumer = thread._create_worker_consumer(app.transport)
        await consumer.stop()  # never started: this only closes it
        return int(consumer._fetch_max_wait_ms)

    try:
        assert asyncio.run(fetch_wait()) == 123
    finally:
        get_settings.cache_clear()
