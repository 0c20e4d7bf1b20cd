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


# The drainer's call is wait_first(deliver(message), suspend_flow.wait()): see kafka_transport.


class _Service(kafka_transport.InlineDelivery):
    pass


def test_a_delivery_that_need_not_wait_runs_inline_and_the_other_never_starts() -> None:
    ran: list[str] = []

    async def deliver() -> str:
        ran.append("delivered")
        return "done"

    async def suspended() -> None:
        ran.append("suspend waited")

    async def main() -> None:
        tasks_before = len(asyncio.all_tasks())
        results = await _Service().wait_first(deliver(), suspended())
        assert len(asyncio.all_tasks()) == tasks_before  # none made, none left
        assert (results.results, results.stopped) == (["done"], False)

    asyncio.run(main())
    assert ran == ["delivered"]


def test_a_delivery_that_waits_goes_on_to_its_end() -> None:
    async def main() -> list[str]:
        space, ran = asyncio.Event(), []

        async def deliver() -> str:
            ran.append("first step")
            await space.wait()  # a full stream buffer
            await asyncio.sleep(0)
            ran.append("delivered")
            return "done"

        asyncio.get_running_loop().call_later(0.01, space.set)
        results = await _Service().wait_first(deliver(), asyncio.Event().wait())
        assert results.results == ["done"]
        return ran

    assert asyncio.run(main()) == ["first step", "delivered"]


def test_a_waiting_delivery_is_cancelled_when_the_flow_is_suspended_first() -> None:
    async def main() -> list[str]:
        suspend, ran = asyncio.Event(), []

        async def deliver() -> None:
            try:
                await asyncio.Event().wait()  # never space in the buffer
            except asyncio.CancelledError:
                ran.append("cancelled")
                raise
            ran.append("delivered")

        asyncio.get_running_loop().call_later(0.01, suspend.set)
        await _Service().wait_first(deliver(), suspend.wait())
        await asyncio.sleep(0)  # the cancellation reaches the delivery
        return ran

    assert asyncio.run(main()) == ["cancelled"]


def test_a_delivery_that_fails_at_once_raises_and_closes_the_other() -> None:
    async def deliver() -> None:
        raise ValueError("no stream for the topic")

    other = asyncio.Event().wait()

    async def main() -> None:
        with pytest.raises(ValueError, match="no stream"):
            await _Service().wait_first(deliver(), other)

    asyncio.run(main())
    assert other.cr_frame is None  # closed, so never "never awaited"
