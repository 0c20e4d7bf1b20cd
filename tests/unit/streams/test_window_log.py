"""The windows agent's batch step: each channel loaded once, copies dropped by position."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from schemas.records import Channel
from streams.metrics import TUMBLING_1H, Contribution, Kind, Watermarking
from streams.window_log import (
    ChannelWindows,
    Sourced,
    add_batch,
    read_wire,
    wire_message,
    wire_records,
)

AT = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)


def _new() -> ChannelWindows:
    return ChannelWindows.new(timedelta(seconds=10), Watermarking(timedelta(minutes=10)))


def _csat(channel: Channel, score: int) -> Contribution:
    return Contribution(Kind.CSAT, channel, AT, value=float(score))


def _hour(windows: ChannelWindows) -> dict[str, float | None]:
    (hour,) = [s for s in windows.store.due_updates(AT) if s.spec == TUMBLING_1H]
    return hour.accumulator.result()


def test_each_channel_is_loaded_once_and_only_changed_channels_come_back() -> None:
    stored = {Channel.CHAT: _new(), Channel.EMAIL: _new()}
    stored[Channel.EMAIL].add(_csat(Channel.EMAIL, 5), "cx.feedback:0", (7, 0), 0.0)
    loads: list[Channel] = []

    def load(channel: Channel) -> ChannelWindows:
        loads.append(channel)
        return stored[channel]

    batch: list[Sourced] = [
        (_csat(Channel.CHAT, 5), "cx.feedback:0", (8, 0)),
        (_csat(Channel.EMAIL, 1), "cx.feedback:0", (7, 0)),  # a copy of what EMAIL holds
        (_csat(Channel.CHAT, 1), "cx.feedback:1", (3, 0)),
        (_csat(Channel.CHAT, 1), "cx.feedback:1", (3, 0)),  # a copy within the batch
    ]
    changed = add_batch(batch, load, 0.0)

    assert loads == [Channel.CHAT, Channel.EMAIL]
    assert list(changed) == [Channel.CHAT]
    assert changed[Channel.CHAT] is stored[Channel.CHAT]
    chat = _hour(stored[Channel.CHAT])
    assert (chat["csat_responses"], chat["csat_avg"]) == (2, 3.0)
    assert _hour(stored[Channel.EMAIL])["csat_responses"] == 1
    assert stored[Channel.CHAT].applied == {"cx.feedback:0": (8, 0), "cx.feedback:1": (3, 0)}


def test_one_record_per_channel_and_every_position_kept_through_json() -> None:
    contributions = [
        _csat(Channel.CHAT, 5),
        Contribution(Kind.TOUCHPOINT, Channel.EMAIL, AT),
        _csat(Channel.CHAT, 2),
    ]
    records = wire_records(contributions, "cx.touchpoints:2", 41, first_index=1)

    assert [channel for channel, _ in records] == [Channel.CHAT, Channel.EMAIL]
    read = [
        item
        for channel, value in records
        for item in read_wire(orjson.loads(orjson.dumps(wire_message(channel, [value]))))
    ]
    assert read == [
        (contributions[0], "cx.touchpoints:2", (41, 1)),
        (contributions[2], "cx.touchpoints:2", (41, 3)),
        (contributions[1], "cx.touchpoints:2", (41, 2)),
    ]


def test_a_contribution_travels_as_this_row() -> None:
    """The topic's wire form, which workers of later versions must still read: a change to
    Contribution's fields shows here."""
    contribution = Contribution(Kind.FCR_CORRECTION, Channel.CHAT, AT, -1.0, True, AT)
    [(channel, value)] = wire_records([contribution], "cx.touchpoints:0", 3)
    row = [0, "fcr_correction", AT.isoformat(), -1.0, True, AT.isoformat()]
    assert orjson.loads(orjson.dumps(wire_message(channel, [value]))) == {
        "channel": "chat",
        "events": [["cx.touchpoints:0", 3, [row]]],
    }


def test_a_record_from_before_grouping_still_reads() -> None:
    csat = {"kind": "csat", "channel": "sms", "at": AT.isoformat(), "value": 4.0}
    csat |= {"multi_channel": None, "ref_at": None}
    old = {"contribution": csat, "source": ["sla:0", 9, 2]}
    assert read_wire(old) == [(_csat(Channel.SMS, 4), "sla:0", (9, 2))]


def test_a_batch_record_reads_as_its_events_records_in_order() -> None:
    first = wire_records([_csat(Channel.CHAT, 5)], "cx.feedback:1", 7)
    second = wire_records([_csat(Channel.CHAT, 1), _csat(Channel.CHAT, 2)], "cx.feedback:1", 9)
    message = wire_message(Channel.CHAT, [value for _, value in first + second])
    assert read_wire(orjson.loads(orjson.dumps(message))) == [
        (_csat(Channel.CHAT, 5), "cx.feedback:1", (7, 0)),
        (_csat(Channel.CHAT, 1), "cx.feedback:1", (9, 0)),
        (_csat(Channel.CHAT, 2), "cx.feedback:1", (9, 1)),
    ]


def test_a_batch_record_of_objects_from_before_rows_still_reads() -> None:
    def csat(score: float) -> dict[str, object]:
        return {"kind": "csat", "channel": "chat", "at": AT.isoformat(), "value": score} | {
            "multi_channel": None,
            "ref_at": None,
        }

    old = {
        "records": [
            {"source": ["cx.feedback:1", 7], "contributions": [[0, csat(5.0)]]},
            {"source": ["cx.feedback:1", 9], "contributions": [[0, csat(1.0)], [1, csat(2.0)]]},
        ]
    }
    assert read_wire(old) == [
        (_csat(Channel.CHAT, 5), "cx.feedback:1", (7, 0)),
        (_csat(Channel.CHAT, 1), "cx.feedback:1", (9, 0)),
        (_csat(Channel.CHAT, 2), "cx.feedback:1", (9, 1)),
    ]
