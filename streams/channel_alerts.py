"""Channel-level alert rules, fed with a channel's closed windows (pure; no Faust).

- ``satisfaction_drop``: the channel's CSAT % over the last hour (each closed hopping hour
  window) is at least 15 points below its trailing 24-hour figure (the 24 closed tumbling hours
  before that window's end), with at least 20 CSAT answers in the hour.
- ``response_time_degraded``: the channel's FRT p90 over the last hour exceeds its first-response
  standard.

One condition raises one alert until it clears: a rule that holds again while already active
stays silent; when a window shows it no longer holds, it is re-armed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas.records import Alert, AlertKind, Channel
from streams.metrics import HOPPING_1H_5M, TUMBLING_1H, WindowSnapshot
from streams.metrics.jsonable import JsonDict
from streams.metrics.sla import FIRST_RESPONSE_STANDARDS

DROP_POINTS = 15.0
MIN_HOUR_RESPONSES = 20
TRAILING = timedelta(hours=24)
_NAMESPACE = uuid.UUID("3f0e9f5c-51a7-4c0e-9d0b-5b8a6f2d7c41")


@dataclass(slots=True)
class ChannelAlertState:
    """What the rules remember per channel: CSAT counts of closed tumbling hours (start ->
    [satisfied, responses]), pruned to the trailing day, and which alerts are active."""

    hours: dict[str, list[int]] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)

    def to_dict(self) -> JsonDict:
        return {"hours": self.hours, "active": sorted(self.active)}

    @classmethod
    def from_dict(cls, data: JsonDict) -> ChannelAlertState:
        return cls(dict(data["hours"]), set(data["active"]))


def observe(state: ChannelAlertState, closed: WindowSnapshot) -> list[Alert]:
    """Feeds one closed window to the rules; returns the alerts it raises."""
    figures = closed.accumulator.result()
    if closed.spec == TUMBLING_1H:
        state.hours[closed.start.isoformat()] = [
            closed.accumulator.csat_satisfied,
            closed.accumulator.csat_responses,
        ]
        horizon = closed.end - TRAILING - timedelta(hours=1)
        state.hours = {k: v for k, v in state.hours.items() if datetime.fromisoformat(k) >= horizon}
        return []
    if closed.spec != HOPPING_1H_5M:
        return []
    alerts = []
    drop = _satisfaction_drop(state, closed, figures)
    alerts += _edge(state, AlertKind.SATISFACTION_DROP, closed, drop)
    p90 = figures["frt_p90_s"]
    standard = FIRST_RESPONSE_STANDARDS[closed.channel].total_seconds()
    degraded = (
        None if p90 is None or p90 <= standard else {"frt_p90_s": p90, "standard_s": standard}
    )
    alerts += _edge(state, AlertKind.RESPONSE_TIME_DEGRADED, closed, degraded)
    return alerts


def _satisfaction_drop(
    state: ChannelAlertState, closed: WindowSnapshot, figures: dict[str, float | None]
) -> dict[str, float] | None:
    hour_pct, responses = figures["csat_pct"], closed.accumulator.csat_responses
    start = closed.end - TRAILING
    trailing = [
        v for k, v in state.hours.items() if start <= datetime.fromisoformat(k) < closed.end
    ]
    satisfied, answered = sum(v[0] for v in trailing), sum(v[1] for v in trailing)
    if hour_pct is None or responses < MIN_HOUR_RESPONSES or answered == 0:
        return None
    day_pct = satisfied * 100 / answered
    if day_pct - hour_pct < DROP_POINTS:
        return None
    return {"csat_pct_hour": hour_pct, "csat_pct_24h": day_pct, "responses_hour": responses}


def _edge(
    state: ChannelAlertState,
    kind: AlertKind,
    closed: WindowSnapshot,
    figures: dict[str, float] | None,
) -> list[Alert]:
    if figures is None:
        state.active.discard(kind.value)
        return []
    if kind.value in state.active:
        return []
    state.active.add(kind.value)
    return [_alert(kind, closed.channel, closed.end, figures)]


def _alert(kind: AlertKind, channel: Channel, at: datetime, figures: dict[str, float]) -> Alert:
    if kind is AlertKind.SATISFACTION_DROP:
        summary = (
            f"CSAT on {channel.value} fell to {figures['csat_pct_hour']:.1f}% in the hour "
            f"to {at:%H:%M} UTC, against {figures['csat_pct_24h']:.1f}% over 24 h"
        )
    else:
        summary = (
            f"First-response p90 on {channel.value} was {figures['frt_p90_s'] / 60:.1f} "
            f"min in the hour to {at:%H:%M} UTC; the standard is "
            f"{figures['standard_s'] / 60:.0f} min"
        )
    return Alert(
        alert_id=str(uuid.uuid5(_NAMESPACE, f"{kind.value}:{channel.value}:{at.isoformat()}")),
        kind=kind,
        severity="high",
        channel=channel,
        raised_at=at,
        subject_kind="channel",
        subject_id=channel.value,
        summary=summary,
        figures=figures,
    )
