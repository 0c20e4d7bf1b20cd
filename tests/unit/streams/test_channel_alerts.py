from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.records import Alert, AlertKind, AlertStatus, Channel
from streams.channel_alerts import ChannelAlertState
from streams.channel_alerts import observe as observe_with
from streams.metrics import (
    FIRST_RESPONSE_STANDARDS,
    HOPPING_1H_5M,
    TUMBLING_1H,
    WindowAccumulator,
    WindowSnapshot,
    WindowSpec,
)

T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def observe(state: ChannelAlertState, closed: WindowSnapshot) -> list[Alert]:
    return observe_with(state, closed, FIRST_RESPONSE_STANDARDS)


def window(
    spec: WindowSpec, start: datetime, satisfied: int = 0, responses: int = 0, frt: list[float] = ()
) -> WindowSnapshot:  # type: ignore[assignment]
    acc = WindowAccumulator(csat_satisfied=satisfied, csat_responses=responses)
    for seconds in frt:
        acc.frt_sketch.add(seconds)
    return WindowSnapshot(spec, Channel.CHAT, start, acc)


def day_of_good_hours(state: ChannelAlertState) -> None:
    for hour in range(24):  # 90 % satisfied over the trailing day
        observe(state, window(TUMBLING_1H, T0 + timedelta(hours=hour), 90, 100))


def test_satisfaction_drop_needs_15_points_and_20_answers() -> None:
    state = ChannelAlertState()
    day_of_good_hours(state)
    last_hour = T0 + timedelta(hours=23)
    # 75 % is exactly 15 points below 90 %: an alert, once.
    alerts = observe(state, window(HOPPING_1H_5M, last_hour, 15, 20))
    assert [(a.kind, a.figures["csat_pct_hour"], a.figures["csat_pct_24h"]) for a in alerts] == [
        (AlertKind.SATISFACTION_DROP, 75.0, 90.0)
    ]
    assert observe(state, window(HOPPING_1H_5M, last_hour + timedelta(minutes=5), 10, 20)) == []
    # It clears at 80 %: one resolved record pointing at the alert; a new drop raises anew.
    cleared = observe(state, window(HOPPING_1H_5M, last_hour + timedelta(minutes=10), 16, 20))
    assert [(a.status, a.resolves, a.severity) for a in cleared] == [
        (AlertStatus.RESOLVED, alerts[0].alert_id, "medium")
    ]
    assert cleared[0].raised_at == last_hour + timedelta(minutes=70)
    assert cleared[0].figures == {"csat_pct": 80.0}
    again = observe(state, window(HOPPING_1H_5M, last_hour + timedelta(minutes=15), 5, 20))
    assert [(a.kind, a.status, a.severity) for a in again] == [
        (AlertKind.SATISFACTION_DROP, AlertStatus.RAISED, "high")  # 25 %: 65 points down
    ]
    assert again[0].alert_id != alerts[0].alert_id


def test_too_few_answers_neither_raise_nor_resolve() -> None:
    state = ChannelAlertState()
    day_of_good_hours(state)
    last_hour = T0 + timedelta(hours=23)
    [raised] = observe(state, window(HOPPING_1H_5M, last_hour, 10, 20))
    # 19 answers, all satisfied: cannot tell, so the drop stays active and nothing is sent.
    assert observe(state, window(HOPPING_1H_5M, last_hour + timedelta(minutes=5), 19, 19)) == []
    assert state.active == {"satisfaction_drop": [raised.alert_id, "high"]}


def test_no_satisfaction_drop_below_20_answers_or_by_14_points() -> None:
    state = ChannelAlertState()
    day_of_good_hours(state)
    last_hour = T0 + timedelta(hours=23)
    assert observe(state, window(HOPPING_1H_5M, last_hour, 0, 19)) == []
    assert observe(state, window(HOPPING_1H_5M, last_hour, 76, 100)) == []


def test_trailing_day_forgets_older_hours() -> None:
    state = ChannelAlertState()
    observe(state, window(TUMBLING_1H, T0, 100, 100))
    for hour in range(1, 30):
        observe(state, window(TUMBLING_1H, T0 + timedelta(hours=hour), 50, 100))
    assert len(state.hours) == 25
    # The 100 % hour is more than a day old: trailing is 50 %, the hour at 40 % is no drop.
    assert observe(state, window(HOPPING_1H_5M, T0 + timedelta(hours=29), 40, 100)) == []


def test_a_window_ending_past_the_hour_compares_with_the_whole_day_before_the_hour() -> None:
    state = ChannelAlertState()
    observe(state, window(TUMBLING_1H, T0, 0, 100))  # 10:00 yesterday, as it were: all unhappy
    for hour in range(1, 24):
        observe(state, window(TUMBLING_1H, T0 + timedelta(hours=hour), 100, 100))
    # The hour to 00:05 the next day, at 81 %: 14.8 points below the 24 hours' 95.8 %, no drop
    # (against the 23 hours from 01:00 it would be 19 points).
    hop = window(HOPPING_1H_5M, T0 + timedelta(hours=23, minutes=5), 81, 100)
    assert observe(state, hop) == []


def test_response_time_degraded_against_the_chat_standard() -> None:
    state = ChannelAlertState()
    on_time = window(HOPPING_1H_5M, T0, frt=[60.0] * 9 + [900.0])  # p90 = 60 s <= 5 min
    assert observe(state, on_time) == []
    late = window(HOPPING_1H_5M, T0 + timedelta(minutes=5), frt=[400.0] * 10)
    alerts = observe(state, late)
    assert [a.kind for a in alerts] == [AlertKind.RESPONSE_TIME_DEGRADED]
    assert alerts[0].figures["standard_s"] == 300.0
    assert alerts[0].subject_id == "chat" and alerts[0].raised_at == late.end
    assert alerts[0].severity == "medium"  # 400 s is under twice the standard
    # An hour without any first response cannot tell; an hour back under the standard resolves.
    assert observe(state, window(HOPPING_1H_5M, T0 + timedelta(minutes=10))) == []
    back = observe(state, window(HOPPING_1H_5M, T0 + timedelta(minutes=15), frt=[200.0] * 10))
    assert [(a.kind, a.status, a.resolves) for a in back] == [
        (AlertKind.RESPONSE_TIME_DEGRADED, AlertStatus.RESOLVED, alerts[0].alert_id)
    ]


def test_response_time_standard_comes_from_the_given_standards() -> None:
    state = ChannelAlertState()
    standards = {**FIRST_RESPONSE_STANDARDS, Channel.CHAT: timedelta(seconds=30)}
    slow = window(HOPPING_1H_5M, T0, frt=[61.0] * 10)
    [alert] = observe_with(state, slow, standards)
    assert (alert.figures["standard_s"], alert.severity) == (30.0, "high")  # over 2 x 30 s


def test_state_round_trips() -> None:
    state = ChannelAlertState()
    day_of_good_hours(state)
    observe(state, window(HOPPING_1H_5M, T0 + timedelta(hours=23), 0, 30))
    assert ChannelAlertState.from_dict(state.to_dict()) == state
