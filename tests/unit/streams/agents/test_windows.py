"""The windows agent's reading of a contributions record: one it cannot read (a newer worker's,
during an upgrade) becomes a dead letter, not a failed batch that would stop the worker on every
restart."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import orjson

from schemas import codec
from schemas.records import Channel, DeadLetter
from streams.agents.windows import _read
from streams.metrics import Contribution, Kind
from streams.sends import Sends
from streams.window_log import wire_message, wire_records

AT = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)


def _message(value: Any) -> Any:
    raw = orjson.dumps(value)
    return SimpleNamespace(topic="ts-contributions", partition=2, offset=41, key=b"chat", value=raw)


def test_a_record_it_cannot_read_is_a_dead_letter_and_adds_nothing() -> None:
    good = Contribution(Kind.TOUCHPOINT, Channel.CHAT, AT)
    [(channel, event)] = wire_records([good], "cx.touchpoints:0", 7)
    readable = orjson.loads(orjson.dumps(wire_message(channel, [event])))
    unreadable = {"channel": "chat", "events": [["cx.touchpoints:0", 8, [[0, "a_new_kind", "x"]]]]}
    sends = Sends()

    assert _read(readable, _message(readable), sends) == [(good, "cx.touchpoints:0", (7, 0))]
    assert _read(unreadable, _message(unreadable), sends) == []

    [[(_, dead)]] = [items for (topic, _), items in sends._records.items() if "deadletter" in topic]
    letter = codec.decode_as(cast(bytes, dead), DeadLetter)
    assert (letter.reason, letter.source_topic, letter.source_offset) == (
        "schema_mismatch",
        "ts-contributions",
        41,
    )
    assert orjson.loads(letter.original) == unreadable
