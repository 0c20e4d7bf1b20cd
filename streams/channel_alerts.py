"""Channel-level alert rules, fed with a channel's closed windows (pure; no Faust).

- ``satisfaction_drop``: the channel's CSAT % over the last hour (each closed hopping hour
  window) is at least 15 points below its trailing 24-hour figure (the 24 closed tumbling hours
  before that window's end), with at least 20 CSAT answers in the hour.
- ``response_time_degraded``: the channel's FRT p90 over the last hour exceeds its first-response
  standard.

One condition raises one alert until it clears: a rule that holds again while already active
stays silent; when a window shows it no longer holds, a ``resolved`` record follows and the rule
is re-armed. A window that cannot tell (under 20 CSAT answers, no first response in the hour)
changes nothing: too little data is not a recovery.

Severity (the spec is silent; usual triage): ``high`` for a drop of 25 points or more, or a p90
at twice the standard or more; ``medium`` otherwise. A resolved record keeps the severity of the
alert it resolves, so a filter on severity shows both ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas.records import Alert, AlertKind, AlertStatus, Channel
from streams.metrics import HOPPING_1H_5M, TUMBLING_1H, WindowSnapshot
from streams.metrics.jsonable import JsonDict

DROP_POINTS = 15.0
HIGH_DROP_POINTS = 25.0
HIGH_P90_FACTOR = 2.0
MIN_HOUR_RESPONSES = 20
TRAILING = timedelta(hours=24)
_NAMESPACE = uuid.UUID("3f0e9f5c-51a7-4c0e-9d0b-5b8a6f2d7c41")

# A rule's verdict on one window: the figures that make it hold, CLEAR, or None (cannot tell).
Verdict = dict[str, float] | None
CLEAR: dict[str, float] = {}


@dataclass(slots=True)
class ChannelAlertState:
    """What the rules remember per channel: CSAT counts of closed tumbling hours (start ->
    [satisfied, responses]), pruned to the trailing day, and the active alerts (kind ->
    [alert_id, severity])."""

    hours: dict[str, list[int]] = field(default_factory=dict)
    active: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> JsonDict:
        return {"hours": self.hours, "active": self.active}

    @classmethod
    def from_dict(cls, data: JsonDict) -> ChannelAlertState:
        return cls(dict(data["hours"]), dict(data["active"]))


def observe(
    state: ChannelAlertState, closed: WindowSnapshot, standards: Mapping[Channel, timedelta]
) -> list[Alert]:
    """Feeds one closed window to the rules; returns the alerts it raises or resolves."""
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
    standard = standards[closed.channel].total_seconds()
    slow: Verdict = None
    if p90 is not None:
        slow = {"frt_p90_s": p90, "standard_s": standard} if p90 > standard else CLEAR
    alerts += _edge(state, AlertKind.RESPONSE_TIME_DEGRADED, closed, slow)
    return alerts


def _satisfaction_drop(
    state: ChannelAlertState, closed: WindowSnapshot, figures: dict[str, float | None]
) -> Verdict:
    hour_pct, responses = figures["csat_pct"], closed.accumulator.csat_responses
    # The 24 whole hours before the hour the window ends in: a window ending at 10:05 compares
    # with 10:00 yesterday to 10:00 today, not with the 23 hours that start after 10:05.
    end = closed.end.replace(minute=0, second=0, microsecond=0)
    start = end - TRAILING
    trailing = [v for k, v in state.hours.items() if start <= datetime.fromisoformat(k) < end]
    satisfied, answered = sum(v[0] for v in trailing), sum(v[1] for v in trailing)
    if hour_pct is None or responses < MIN_HOUR_RESPONSES or answered == 0:
        return None
    day_pct = satisfied * 100 / answered
    if day_pct - hour_pct < DROP_POINTS:
        return CLEAR
    return {"csat_pct_hour": hour_pct, "csat_pct_24h": day_pct, "responses_hour": responses}


def _edge(
    state: ChannelAlertState, kind: AlertKind, closed: WindowSnapshot, verdict: Verdict
) -> list[Alert]:
    active = state.active.get(kind.value)
    if verdict is None or bool(verdict) == (active is not None):
        return []
    if active is None:
        raised = _raised(kind, closed.channel, closed.end, verdict)
        state.active[kind.value] = [raised.alert_id, raised.severity]
        return [raised]
    del state.active[kind.value]
    return [_resolved(kind, closed, active[0], active[1])]


def _raised(kind: AlertKind, channel: Channel, at: datetime, figures: dict[str, float]) -> Alert:
    if kind is AlertKind.SATISFACTION_DROP:
        drop = figures["csat_pct_24h"] - figures["csat_pct_hour"]
        high = drop >= HIGH_DROP_POINTS
        summary = (
            f"CSAT on {channel.value} fell to {figures['csat_pct_hour']:.1f}% in the hour "
            f"to {at:%H:%M} UTC, against {figures['csat_pct_24h']:.1f}% over 24 h"
        )
    else:
        high = figures["frt_p90_s"] >= HIGH_P90_FACTOR * figures["standard_s"]
        summary = (
            f"First-response p90 on {channel.value} was {figures['frt_p90_s'] / 60:.1f} "
            f"min in the hour to {at:%H:%M} UTC; the standard is "
            f"{figures['standard_s'] / 60:.0f} min"
        )
    return Alert(
        alert_id=str(uuid.uuid5(_NAMESPACE, f"{kind.value}:{channel.value}:{at.isoformat()}")),
        kind=kind,
        severity="high" if high else "medium",
        channel=channel,
        raised_at=at,
        subject_kind="channel",
        subject_id=channel.value,
        summary=summary,
        figures=figures,
    )


def _resolved(kind: AlertKind, closed: WindowSnapshot, raised_id: str, severity: str) -> Alert:
    figures = closed.accumulator.result()
    now = {k: v for k, v in figures.items() if k in ("csat_pct", "frt_p90_s") and v is not None}
    what = "CSAT" if kind is AlertKind.SATISFACTION_DROP else "First-response p90"
    return Alert(
        alert_id=str(uuid.uuid5(_NAMESPACE, f"resolved:{raised_id}")),
        kind=kind,
        severity=severity,
        channel=closed.channel,
        raised_at=closed.end,
        subject_kind="channel",
        subject_id=closed.channel.value,
        summary=f"{what} on {closed.channel.value} is back within bounds in the hour to "
        f"{closed.end:%H:%M} UTC",
        figures=now,
        status=AlertStatus.RESOLVED,
        resolves=raised_id,
    )
