"""A batch's outbox: reads see its staged writes; at the end it sends one contributions record
per channel, waits for delivery, and only then writes the tables, each write to the changelog of
the event it belongs to."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from faust import streams as faust_streams

from schemas.records import Channel
from streams import outbox as outbox_module
from streams.metrics import Contribution, Kind
from streams.metrics.jsonable import JsonDict
from streams.outbox import Outbox

AT = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)


class _Event:
    """Stands in for a Faust event: only its identity matters here."""


class _Table(dict[str, Any]):
    """A table that logs each write with the event Faust would send its changelog record for."""

    def __init__(self, name: str, log: list[tuple[str, ...]], **values: Any) -> None:
        super().__init__(values)
        self.name = name
        self.log = log

    def __setitem__(self, key: str, value: Any) -> None:
        self.log.append(("write", self.name, key, _event_name()))
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.log.append(("delete", self.name, key, _event_name()))
        super().__delitem__(key)


_NAMES: dict[int, str] = {}


def _event_name() -> str:
    return _NAMES[id(faust_streams.current_event())]


def _event(name: str) -> Any:
    event = _Event()
    _NAMES[id(event)] = name
    return event


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []

    async def publish_contributions(channel: Channel, records: list[JsonDict]) -> None:
        offsets = ",".join(str(record["source"][1]) for record in records)
        calls.append(("send", channel.value, offsets))

    async def flush() -> None:
        calls.append(("flush",))

    monkeypatch.setattr(outbox_module, "publish_contributions", publish_contributions)
    monkeypatch.setattr(outbox_module.app.producer, "flush", flush)
    return calls


def test_reads_see_staged_writes_and_the_tables_only_change_at_the_end(
    log: list[tuple[str, ...]],
) -> None:
    cases = _Table("cases", log, old="stored", gone="stored")
    outbox, first, second = Outbox(), _event("first"), _event("second")
    with outbox.acting_for(first):
        outbox.put(cases, "new", {"version": 1})
        outbox.delete(cases, "gone")
    with outbox.acting_for(second):
        assert outbox.get(cases, "new") == {"version": 1}
        outbox.put(cases, "new", {"version": 2})
        assert outbox.get(cases, "gone") is None
        assert outbox.get(cases, "old") == "stored"
        outbox.delete(cases, "never-stored")
    assert cases == {"old": "stored", "gone": "stored"} and log == []

    asyncio.run(outbox.finish())

    assert cases == {"old": "stored", "new": {"version": 2}}
    # One write per key, the last staged, sent for the event that staged it last.
    assert log == [
        ("flush",),
        ("write", "cases", "new", "second"),
        ("delete", "cases", "gone", "first"),
    ]


def test_contributions_go_out_per_channel_before_the_flush_and_the_writes(
    log: list[tuple[str, ...]],
) -> None:
    seen = _Table("seen", log)
    outbox = Outbox()
    chat = Contribution(Kind.TOUCHPOINT, Channel.CHAT, AT)
    email = Contribution(Kind.TOUCHPOINT, Channel.EMAIL, AT)
    for offset, contributions in [(7, [chat]), (8, [email, chat]), (9, [chat])]:
        with outbox.acting_for(_event(f"event {offset}")):
            outbox.contribute(contributions, "cx.touchpoints:0", offset)
            outbox.put(seen, str(offset), [0.0, 0])

    asyncio.run(outbox.finish())

    assert log == [
        ("send", "chat", "7,8,9"),
        ("send", "email", "8"),
        ("flush",),
        ("write", "seen", "7", "event 7"),
        ("write", "seen", "8", "event 8"),
        ("write", "seen", "9", "event 9"),
    ]
    log.clear()
    asyncio.run(outbox.finish())  # a finished outbox is empty
    assert log == []


def test_a_batch_that_wrote_nothing_does_not_wait_for_delivery(
    log: list[tuple[str, ...]],
) -> None:
    outbox = Outbox()
    with outbox.acting_for(_event("duplicate")):
        outbox.contribute([Contribution(Kind.TOUCHPOINT, Channel.SMS, AT)], "sla:0", 5)
    asyncio.run(outbox.finish())
    assert log == [("send", "sms", "5")]


def test_a_write_outside_an_event_is_refused(log: list[tuple[str, ...]]) -> None:
    with pytest.raises(RuntimeError):
        Outbox().put(_Table("seen", log), "key", 1)


def test_a_large_batch_is_sent_in_messages_of_bounded_size(
    log: list[tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_module, "RECORDS_PER_MESSAGE", 2)
    outbox, web = Outbox(), Contribution(Kind.TOUCHPOINT, Channel.WEB, AT)
    for offset in range(5):
        outbox.contribute([web], "cx.touchpoints:1", offset)
    asyncio.run(outbox.finish())
    assert log == [("send", "web", "0,1"), ("send", "web", "2,3"), ("send", "web", "4")]
