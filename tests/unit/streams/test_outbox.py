"""A batch's outbox: reads see its staged writes; at the end it hands over what the batch sent
with one case fact per case and one contributions record per channel, waits for delivery, and
only then writes the tables,
each write's changelog record (in Faust's own serialisation) to the partition of the event it
belongs to, and waits for their delivery too. A failed delivery raises before any write."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from kafka.errors import KafkaTimeoutError

from schemas import codec
from schemas.records import Channel
from streams import outbox as outbox_module
from streams.app import awaiting_response, cases, channel_windows, seen
from streams.case_log import CaseEntry
from streams.facts import CaseFact
from streams.metrics import CaseState, Contribution, Kind
from streams.outbox import Outbox
from streams.sends import Sends

AT = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
CASES = cases.changelog_topic.get_topic_name()
SEEN = seen.changelog_topic.get_topic_name()
CONTRIBUTIONS = f"{outbox_module.app.conf.id}-contributions"


class _Event:
    """Stands in for a Faust event: the outbox reads its message's partition."""

    def __init__(self, partition: int) -> None:
        self.message = SimpleNamespace(partition=partition)


def _event(partition: int) -> Any:
    return _Event(partition)


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """What the outbox hands to the producer and when it waits for delivery: ("submit", records)
    with each record as (topic, partition, key, value), contributions' values as their offsets,
    and ("delivered", n) for the n deliveries it waited for."""
    calls: list[tuple[Any, ...]] = []

    async def submit(sends: Sends) -> list[asyncio.Future[Any]]:
        staged, sends._records = sends._records, {}
        records = []
        for (topic, partition), items in staged.items():
            for key, value in items:
                if topic == CONTRIBUTIONS and value is not None:
                    value = ",".join(str(e[1]) for e in orjson.loads(value)["events"])
                records.append((topic, partition, key, value))
        if not records:
            return []
        calls.append(("submit", records))
        delivery: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        delivery.set_result(None)
        return [delivery]

    async def delivered(deliveries: list[asyncio.Future[Any]]) -> None:
        if deliveries:
            calls.append(("delivered", len(deliveries)))
        await asyncio.gather(*deliveries)

    monkeypatch.setattr(Sends, "submit", submit)
    monkeypatch.setattr(outbox_module, "delivered", delivered)
    yield calls
    cases.data.clear()
    seen.data.clear()
    awaiting_response.data.clear()


def test_reads_see_staged_writes_and_the_tables_only_change_at_the_end(
    log: list[tuple[Any, ...]],
) -> None:
    cases.data.update(old="stored", gone="stored")
    outbox, first, second = Outbox(), _event(3), _event(1)
    with outbox.acting_for(first):
        outbox.put(cases, "new", {"version": 1})
        outbox.delete(cases, "gone")
    with outbox.acting_for(second):
        assert outbox.get(cases, "new") == {"version": 1}
        outbox.put(cases, "new", {"version": 2})
        assert outbox.get(cases, "gone") is None
        assert outbox.get(cases, "old") == "stored"
        outbox.delete(cases, "never-stored")
    assert dict(cases.data) == {"old": "stored", "gone": "stored"} and log == []

    asyncio.run(outbox.finish())

    assert dict(cases.data) == {"old": "stored", "new": {"version": 2}}
    # One write per key, the last staged, on the partition of the event that staged it last;
    # a delete is a tombstone, and deleting a key never stored sends nothing.
    assert log == [
        ("submit", [(CASES, 1, b'"new"', b'{"version":2}'), (CASES, 3, b'"gone"', None)]),
        ("delivered", 1),
    ]


def test_contributions_go_out_per_channel_and_are_delivered_before_the_writes(
    log: list[tuple[Any, ...]],
) -> None:
    outbox = Outbox()
    chat = Contribution(Kind.TOUCHPOINT, Channel.CHAT, AT)
    email = Contribution(Kind.TOUCHPOINT, Channel.EMAIL, AT)
    for offset, contributions in [(7, [chat]), (8, [email, chat]), (9, [chat])]:
        with outbox.acting_for(_event(0)):
            outbox.sends.add("cx.facts.touchpoints", str(offset).encode(), b"fact")
            outbox.contribute(contributions, "cx.touchpoints:0", offset)
            outbox.put(seen, str(offset), [0.0, 0])

    asyncio.run(outbox.finish())

    facts = [("cx.facts.touchpoints", None, str(offset).encode(), b"fact") for offset in (7, 8, 9)]
    assert log == [
        (
            "submit",
            [
                *facts,
                (CONTRIBUTIONS, None, b"chat", "7,8,9"),
                (CONTRIBUTIONS, None, b"email", "8"),
            ],
        ),
        ("delivered", 1),
        ("submit", [(SEEN, 0, f'"{offset}"'.encode(), b"[0.0,0]") for offset in (7, 8, 9)]),
        ("delivered", 1),
    ]
    assert dict(seen.data) == {"7": [0.0, 0], "8": [0.0, 0], "9": [0.0, 0]}
    log.clear()
    asyncio.run(outbox.finish())  # a finished outbox is empty
    assert log == []


def test_a_batch_that_wrote_nothing_waits_for_its_records_only(
    log: list[tuple[Any, ...]],
) -> None:
    outbox = Outbox()
    with outbox.acting_for(_event(0)):
        outbox.contribute([Contribution(Kind.TOUCHPOINT, Channel.SMS, AT)], "sla:0", 5)
    asyncio.run(outbox.finish())
    assert log == [("submit", [(CONTRIBUTIONS, None, b"sms", "5")]), ("delivered", 1)]


def test_a_batch_publishes_each_case_once_in_its_last_state(log: list[tuple[Any, ...]]) -> None:
    outbox = Outbox()
    states = [CaseState("a", version=1), CaseState("b", version=1), CaseState("a", version=2)]
    for state in states:
        with outbox.acting_for(_event(0)):
            outbox.publish_case(state)
    asyncio.run(outbox.finish())

    assert [call[0] for call in log] == ["submit", "delivered"]
    facts = [(topic, key, codec.decode_as(value, CaseFact)) for topic, _, key, value in log[0][1]]
    assert [(topic, key, fact.case_id, fact.version) for topic, key, fact in facts] == [
        ("cx.facts.cases", b"a", "a", 2),
        ("cx.facts.cases", b"b", "b", 1),
    ]


async def _undelivered(sends: Sends) -> list[asyncio.Future[Any]]:
    """A submit whose record batches are not delivered."""
    sends._records = {}
    failed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    failed.set_exception(KafkaTimeoutError("no leader"))
    return [failed]


def test_a_failed_delivery_raises_before_any_table_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """The producer's flush returned whether or not the records got through, and the writes
    went on: the state said applied while the contributions were lost."""
    monkeypatch.setattr(Sends, "submit", _undelivered)
    outbox = Outbox()
    with outbox.acting_for(_event(0)):
        outbox.contribute([Contribution(Kind.TOUCHPOINT, Channel.SMS, AT)], "cx.touchpoints:0", 5)
        outbox.put(seen, "e5", [0.0, 0])
    with pytest.raises(KafkaTimeoutError):
        asyncio.run(outbox.finish())
    assert "e5" not in seen.data


def _deadlines_case_and_markers(outbox: Outbox) -> None:
    """One batch that adds a deadline, changes a case, marks an event applied and removes the
    deadline of a case answered meanwhile."""
    awaiting_response.data["answered"] = "2026-11-24T10:00:00+00:00"
    with outbox.acting_for(_event(2)):
        outbox.put(seen, "e1", [0.0, 2])
        outbox.delete(awaiting_response, "answered")
        outbox.put(cases, "opened", {"version": 1})
        outbox.put(awaiting_response, "opened", "2026-11-24T09:20:00+00:00")


def test_table_writes_go_in_three_rounds_each_delivered_before_the_next(
    log: list[tuple[Any, ...]],
) -> None:
    """A crash can let some changelog records of one hand-over through and not others. Added
    deadlines land first, cases next, then what says an event was applied and the deadlines
    removed: whatever landed, the replay of the batch puts the state right."""
    outbox = Outbox()
    _deadlines_case_and_markers(outbox)
    asyncio.run(outbox.finish())
    awaiting = awaiting_response.changelog_topic.get_topic_name()
    assert log == [
        ("submit", [(awaiting, 2, b'"opened"', b'"2026-11-24T09:20:00+00:00"')]),
        ("delivered", 1),
        ("submit", [(CASES, 2, b'"opened"', b'{"version":1}')]),
        ("delivered", 1),
        ("submit", [(SEEN, 2, b'"e1"', b"[0.0,2]"), (awaiting, 2, b'"answered"', None)]),
        ("delivered", 1),
    ]
    assert dict(awaiting_response.data) == {"opened": "2026-11-24T09:20:00+00:00"}


def test_a_round_not_delivered_leaves_the_later_rounds_unwritten(
    log: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_submit = Sends.submit

    async def submit(sends: Sends) -> list[asyncio.Future[Any]]:
        if any(topic == CASES for topic, _ in sends._records):
            return await _undelivered(sends)
        return await logged_submit(sends)

    monkeypatch.setattr(Sends, "submit", submit)
    outbox = Outbox()
    _deadlines_case_and_markers(outbox)
    with pytest.raises(KafkaTimeoutError):
        asyncio.run(outbox.finish())
    assert "e1" not in seen.data
    assert set(awaiting_response.data) == {"answered", "opened"}


def test_a_read_of_the_tables_is_told_to_the_sensors_and_a_missing_key_is_none(
    log: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[tuple[object, str]] = []
    monkeypatch.setattr(
        outbox_module.app.sensors, "on_table_get", lambda table, key: told.append((table, key))
    )
    cases.data["stored"] = "entry"
    outbox = Outbox()
    assert outbox.get(cases, "stored") == "entry"
    assert outbox.get(awaiting_response, "never-stored") is None
    assert told == [(cases, "stored"), (awaiting_response, "never-stored")]


def test_a_write_outside_an_event_is_refused(log: list[tuple[Any, ...]]) -> None:
    with pytest.raises(RuntimeError):
        Outbox().put(seen, "key", 1)


def test_an_event_that_raised_is_no_longer_the_one_written_for(
    log: list[tuple[Any, ...]],
) -> None:
    outbox = Outbox()
    with pytest.raises(KeyError), outbox.acting_for(_event(2)):
        outbox.put(seen, "before", 1)
        raise KeyError("processing failed")
    with pytest.raises(RuntimeError):
        outbox.put(seen, "after", 1)


def test_a_large_batch_is_sent_in_messages_of_bounded_size(
    log: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox_module, "RECORDS_PER_MESSAGE", 2)
    outbox, web = Outbox(), Contribution(Kind.TOUCHPOINT, Channel.WEB, AT)
    for offset in range(5):
        outbox.contribute([web], "cx.touchpoints:1", offset)
    asyncio.run(outbox.finish())
    assert log == [
        ("submit", [(CONTRIBUTIONS, None, b"web", offsets) for offsets in ("0,1", "2,3", "4")]),
        ("delivered", 1),
    ]


@pytest.mark.parametrize("table", [cases, seen, awaiting_response, channel_windows])
def test_changelog_records_are_faust_own_serialisation(table: Any) -> None:
    entry = CaseEntry.new("case-1")
    values = [entry, [1764900000.5, 3], "2026-11-24T09:15:00+00:00", {"store": {"a": [1, 2.5]}}]
    dump_key, dump_value = outbox_module._dumpers(table)
    topic = table.changelog_topic
    key_serializer, value_serializer = table.key_serializer, table.value_serializer
    assert dump_key("case-ü 1") == topic.prepare_key("case-ü 1", key_serializer)[0]
    for value in values:
        assert dump_value(value) == topic.prepare_value(value, value_serializer)[0]
