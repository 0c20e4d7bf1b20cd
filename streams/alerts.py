"""Alert records, built by pure functions the agents call. One condition raises one alert: a
case breaches once (its state records it), a feedback id is processed once, and the channel
alerts keep a cooldown per channel and kind."""

from __future__ import annotations

import uuid
from datetime import datetime

from schemas.records import Alert, AlertKind
from streams.metrics import CaseState, EnrichedFeedback

_NAMESPACE = uuid.UUID("6f1c1d2e-8f0b-4d6a-9a51-2b1f0c7e9d10")


def _alert_id(kind: AlertKind, subject: str) -> str:
    """Deterministic, so a replayed alert carries the same id and consumers can drop it."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind.value}:{subject}"))


def sla_breach_alert(state: CaseState, now: datetime) -> Alert:
    assert state.first_channel is not None and state.sla_deadline is not None
    waited = (now - state.opened_at).total_seconds() if state.opened_at else 0.0
    return Alert(
        alert_id=_alert_id(AlertKind.SLA_BREACH, state.case_id),
        kind=AlertKind.SLA_BREACH,
        severity="high",
        channel=state.first_channel,
        raised_at=state.sla_deadline,
        subject_kind="case",
        subject_id=state.case_id,
        summary=(
            f"Case {state.case_id} on {state.first_channel.value} has had no agent "
            f"response by its deadline {state.sla_deadline.isoformat()}"
        ),
        figures={"waited_s": waited},
        case_id=state.case_id,
        customer_id=state.customer_id,
    )


def detractor_alert(fb: EnrichedFeedback) -> Alert:
    """Service recovery: names case, customer and channel, with the (already redacted) comment."""
    return Alert(
        alert_id=_alert_id(AlertKind.DETRACTOR, fb.feedback_id),
        kind=AlertKind.DETRACTOR,
        severity="medium",
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
