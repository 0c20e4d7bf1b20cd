"""The windows agent's batch step: each channel loaded once, copies dropped by position, and
SLA breaches by case."""

from __future__ import annotations

from dataclasses import replace
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


def test_a_breach_travels_with_its_case_and_a_row_without_one_still_reads() -> None:
    breach = Contribution(Kind.SLA_BREACH, Channel.CHAT, AT, case_id="case-7")
    [(channel, value)] = wire_records([breach], "breaches:4", 12, first_index=2)
    wire = orjson.loads(orjson.dumps(wire_message(channel, [value])))
    assert wire["events"] == [
        ["breaches:4", 12, [[2, "sla_breach", AT.isoformat(), 1.0, None, None, "case-7"]]]
    ]
    assert read_wire(wire) == [(breach, "breaches:4", (12, 2))]
    wire["events"][0][2][0].pop()  # as a worker of an earlier version wrote it
    assert read_wire(wire) == [(replace(breach, case_id=None), "breaches:4", (12, 2))]


def _breach(case_id: str, at: datetime = AT) -> Contribution:
    return Contribution(Kind.SLA_BREACH, Channel.CHAT, at, case_id=case_id)


def test_a_breach_counts_once_per_case_from_any_source_at_any_position() -> None:
    windows = _new()
    assert windows.add_batch([(_breach("a"), "breaches:0", (50, 0))], 0.0)
    batch: list[Sourced] = [
        (_breach("a"), "breaches:0", (90, 0)),  # a replay raised it further on
        (_breach("a"), "cx.touchpoints:0", (60, 1)),  # by the case's own late event
        (_breach("b"), "breaches:0", (10, 0)),  # a replay raised it sooner than "a"
    ]
    assert windows.add_batch(batch, 0.0)
    assert not windows.add_batch(batch, 0.0)
    assert _hour(windows)["sla_breaches"] == 2
    assert windows.applied == {}  # a breach's position is no duplicate check
    assert set(windows.breached) == {"a", "b"}


def test_a_breach_undone_by_an_answer_known_late_stays_undone_through_replays() -> None:
    windows = _new()
    windows.add_batch([(_breach("a"), "breaches:0", (50, 0))], 0.0)
    answered = AT - timedelta(minutes=1)
    correction = Contribution(Kind.SLA_BREACH_CORRECTION, Channel.CHAT, answered, -1.0, ref_at=AT)
    [(channel, value)] = wire_records([correction], "cx.touchpoints:0", 70)
    [read] = read_wire(orjson.loads(orjson.dumps(wire_message(channel, [value]))))
    assert read == (correction, "cx.touchpoints:0", (70, 0))
    assert windows.add_batch([read], 0.0)
    assert _hour(windows)["sla_breaches"] == 0
    # After a crash: the touchpoint's copy is dropped by its position, the breach's by its case,
    # so neither changes a window.
    assert not windows.add_batch([read, (_breach("a"), "breaches:0", (51, 0))], 0.0)


def test_a_first_answer_known_late_moves_the_frt_once_through_replays() -> None:
    """The earlier answer's record carries the FRT it takes back and its own, through the
    contributions topic's JSON; replayed after a crash, the copy is dropped by its position."""
    windows = _new()
    later, earlier = AT + timedelta(minutes=4), AT + timedelta(minutes=3)
    frt = Contribution(Kind.FRT, Channel.CHAT, later, 240.0, multi_channel=False)
    windows.add_batch([(frt, "cx.touchpoints:0", (60, 0))], 0.0)
    taken_back = Contribution(Kind.FRT_RETRACTION, Channel.CHAT, earlier, 240.0, False, later)
    counted = Contribution(Kind.FRT, Channel.CHAT, earlier, 180.0, multi_channel=False)
    [(channel, value)] = wire_records([taken_back, counted], "cx.touchpoints:0", 61)
    read = read_wire(orjson.loads(orjson.dumps(wire_message(channel, [value]))))
    assert [c for c, _, _ in read] == [taken_back, counted]
    assert windows.add_batch(read, 0.0)
    hour = _hour(windows)
    assert (hour["frt_count"], hour["frt_avg_s"], hour["frt_p90_s"]) == (1, 180.0, 180.0)
    saved = orjson.dumps(windows.to_dict(), option=orjson.OPT_NON_STR_KEYS)
    assert not windows.add_batch(read, 0.0)
    assert orjson.dumps(windows.to_dict(), option=orjson.OPT_NON_STR_KEYS) == saved


def test_breached_cases_are_kept_until_no_open_window_holds_their_deadline() -> None:
    # 10 minutes of lateness, the longest window an hour; watermarks made by the input, as in
    # the worker (a breach's time is its deadline, behind the partition that raised it).
    policy = Watermarking(timedelta(minutes=10), inputs=frozenset({"cx.touchpoints:0"}))
    windows = ChannelWindows.new(timedelta(seconds=10), policy)
    windows.add_batch([(_breach("a"), "breaches:0", (1, 0))], 0.0)
    saved = ChannelWindows.from_dict(
        orjson.loads(orjson.dumps(windows.to_dict())), timedelta(seconds=10), policy
    )
    assert saved.breached == {"a": AT.timestamp()}

    def touchpoint(at: datetime, offset: int) -> Sourced:
        return (Contribution(Kind.TOUCHPOINT, Channel.CHAT, at), "cx.touchpoints:0", (offset, 0))

    # The channel's watermark at AT + 70 minutes: the hopping hour from 8:20 to 9:20 holding
    # the deadline (9:15) is open until 9:30, the hour from 9:15 to 10:15 until 10:25.
    windows.add_batch([touchpoint(AT + timedelta(minutes=70), 2)], 0.0)
    assert set(windows.breached) == {"a"}
    windows.add_batch([touchpoint(AT + timedelta(minutes=71), 3)], 0.0)
    assert windows.breached == {}
    # A copy now is late for every window that holds its deadline: no figure takes it.
    windows.add_batch([(_breach("a"), "breaches:0", (2, 0))], 0.0)
    hours = [
        s for s in windows.store.closed(watermark=AT + timedelta(days=1)) if s.spec == TUMBLING_1H
    ]
    assert [
        (s.start.hour, s.accumulator.sla_breaches, s.accumulator.late_updates) for s in hours
    ] == [
        (9, 1, 0),
        (10, 0, 1),
    ]


def test_a_saved_form_from_before_breaches_had_cases_still_reads() -> None:
    data = orjson.loads(orjson.dumps(_new().to_dict()))
    del data["breached"]
    windows = ChannelWindows.from_dict(data, timedelta(seconds=10), Watermarking())
    assert windows.breached == {}


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
