"""A record the producer could not deliver stops the worker; a delivered one does nothing."""

from __future__ import annotations

import asyncio

import pytest
from kafka.errors import KafkaTimeoutError

from streams import sends as publish


def test_a_failed_delivery_crashes_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    reasons: list[BaseException] = []

    async def crash(reason: BaseException) -> None:
        reasons.append(reason)

    monkeypatch.setattr(publish.app, "crash", crash)

    async def deliver() -> None:
        failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        failed.set_exception(KafkaTimeoutError("no broker"))
        delivered.set_result(None)
        publish._check_delivery(delivered)
        publish._check_delivery(failed)
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    asyncio.run(deliver())
    assert [type(reason) for reason in reasons] == [KafkaTimeoutError]
    assert not publish._CRASHING
