"""Case and customer alert records, built by pure functions the agents call. One condition raises
one alert: a case breaches once (its state records it) and a feedback id is processed once. A
breach undone by an answer that met the deadline but whose record came after it (see
``streams.metrics.case_state``) is resolved by a record of its own, as channel conditions are.

Severity follows common contact-centre triage (the spec is silent): a breach on a channel where
the customer is waiting live (chat, phone, IVR, in person) is ``high``, on an asynchronous one
``medium``; a detractor is ``high`` at the bottom of the scale (NPS 0-3, CSAT 1), else ``medium``.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from enum import Enum
from typing import Any

from schemas.records import Alert, AlertKind, AlertStatus, Channel, Survey
from streams.metrics import CaseState, EnrichedFeedback

_NAMESPACE = uuid.UUID("6f1c1d2e-8f0b-4d6a-9a51-2b1f0c7e9d10")
LIVE_CHANNELS = frozenset({Channel.CHAT, Channel.PHONE, Channel.IVR, Channel.IN_PERSON})


def _alert_id(kind: AlertKind, subject: str) -> str:
    """Deterministic, so a replayed alert carries the same id and consumers can drop it."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind.value}:{subject}"))


def sla_breach_alert(state: CaseState, now: datetime) -> Alert:
    """``now`` is the event time at which the breach was found; ``detected_after_s`` says how
    long after the deadline that was."""
    assert state.first_channel is not None and state.sla_deadline is not None
    assert state.opened_at is not None
    channel, deadline = state.first_channel, state.sla_deadline
    return Alert(
        alert_id=_alert_id(AlertKind.SLA_BREACH, state.case_id),
        kind=AlertKind.SLA_BREACH,
        severity="high" if channel in LIVE_CHANNELS else "medium",
        channel=channel,
        raised_at=deadline,
        subject_kind="case",
        subject_id=state.case_id,
        summary=(
            f"Case {state.case_id} on {channel.value} has had no agent response by its "
            f"deadline {deadline:%Y-%m-%d %H:%M:%S} UTC "
            f"({_duration((deadline - state.opened_at).total_seconds())} after opening)"
        ),
        figures={
            "standard_s": (deadline - state.opened_at).total_seconds(),
            "detected_after_s": (now - deadline).total_seconds(),
        },
        case_id=state.case_id,
        customer_id=state.customer_id,
    )


def sla_breach_undone_alert(state: CaseState, now: datetime) -> Alert:
    """Resolves the case's breach alert: its first response, known only at ``now`` (event time),
    met the deadline."""
    raised = sla_breach_alert(state, now)
    answered, deadline = state.first_response_at, raised.raised_at
    assert answered is not None
    return dataclasses.replace(
        raised,
        alert_id=str(uuid.uuid5(_NAMESPACE, f"resolved:{raised.alert_id}")),
        raised_at=now,
        summary=(
            f"Case {state.case_id} on {raised.channel} was answered at "
            f"{answered:%Y-%m-%d %H:%M:%S} UTC, within its deadline {deadline:%H:%M:%S} UTC; "
            "the answer's record came after the breach was raised"
        ),
        figures={"answered_before_s": (deadline - answered).total_seconds()},
        status=AlertStatus.RESOLVED,
        resolves=raised.alert_id,
    )


def detractor_alert(fb: EnrichedFeedback) -> Alert:
    """Service recovery: names case, customer and channel, with the (already redacted) comment."""
    worst = fb.score <= 3 if fb.survey is Survey.NPS else fb.score == 1
    return Alert(
        alert_id=_alert_id(AlertKind.DETRACTOR, fb.feedback_id),
        kind=AlertKind.DETRACTOR,
        severity="high" if worst else "medium",
        channel=fb.channel,
        raised_at=fb.submitted_at,
        subject_kind="customer",
        subject_id=fb.customer_id,
        summary=(
            f"{fb.survey.value.upper()} {fb.score} from customer {fb.customer_id} on "
            f"{fb.channel.value}" + (f", case {fb.case_id}" if fb.case_id else "")
        ),
        figures={"score": float(fb.score)},
        case_id=fb.case_id,
        customer_id=fb.customer_id,
        comment=fb.comment,
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def alert_json(alert: Alert) -> dict[str, Any]:
    """The alert as plain JSON types, as the webhook and ``touchstream alerts tail --json`` send
    it: enums by value, times in ISO 8601."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(alert):
        value = getattr(alert, f.name)
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, datetime):
            value = value.isoformat()
        out[f.name] = value
    return out
