"""Raw topics decode a message into the event Faust's own raw decoding makes, and encode as it
does."""

from __future__ import annotations

import asyncio

import pytest
from faust.types import TP, Message

from streams.app import app, feedback_topic, touchpoints_topic

FAUST_RAW = app.topic("faust-raw", key_serializer="raw", value_serializer="raw")


def _message(key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]) -> Message:
    tp = TP("cx.touchpoints", 1)
    return Message(tp.topic, tp.partition, 5, 0.0, 0, headers, key, value, None, tp=tp)


@pytest.mark.parametrize(
    "message",
    [_message(b"case-1", b"\x00\x00\x00\x00\x01body", [("trace", b"x")]), _message(None, None, [])],
)
def test_an_event_is_what_faust_raw_decoding_makes(message: Message) -> None:
    for topic in (touchpoints_topic, feedback_topic):
        ours, faust = (asyncio.run(t.decode(message)) for t in (topic, FAUST_RAW))
        assert (ours.key, ours.value, ours.headers) == (faust.key, faust.value, faust.headers)
        assert ours.message is message


def test_keys_and_values_encode_as_faust_raw_does() -> None:
    for key, value in [("case-1", b"\x00body"), (b"case-2", b"")]:
        assert touchpoints_topic.prepare_key(key, None) == FAUST_RAW.prepare_key(key, None)
        assert touchpoints_topic.prepare_value(value, None) == FAUST_RAW.prepare_value(value, None)
