from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from schemas.records import AlertKind, AlertStatus, Channel, Feedback, Survey
from streams.alerts import detractor_alert, sla_breach_alert, sla_breach_undone_alert
from streams.metrics import CaseState, enrich

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def waiting_case(channel: Channel, standard: timedelta) -> CaseState:
    return CaseState(
        "case-1",
        customer_id="cust-1",
        first_channel=channel,
        opened_at=T0,
        sla_deadline=T0 + standard,
        sla_breached=True,
    )


def test_breach_alert_is_raised_at_the_deadline_and_says_how_late_it_was_found() -> None:
    state = waiting_case(Channel.CHAT, timedelta(minutes=5))
    alert = sla_breach_alert(state, now=T0 + timedelta(minutes=5, seconds=3))
    assert (alert.kind, alert.raised_at, alert.severity) == (
        AlertKind.SLA_BREACH, T0 + timedelta(minutes=5), "high"
    )
    assert alert.figures == {"standard_s": 300.0, "detected_after_s": 3.0}
    assert (alert.subject_kind, alert.subject_id, alert.customer_id) == ("case", "case-1", "cust-1")
    assert alert.summary == (
        "Case case-1 on chat has had no agent response by its deadline 2026-11-24 09:05:00 UTC "
        "(5 min after opening)"
    )
    # The same breach found again (a replay) has the same id.
    assert sla_breach_alert(state, now=T0 + timedelta(hours=1)).alert_id == alert.alert_id


def test_an_undone_breach_resolves_its_alert_when_the_answer_became_known() -> None:
    state = waiting_case(Channel.CHAT, timedelta(minutes=5))
    raised = sla_breach_alert(state, now=T0 + timedelta(minutes=5, seconds=3))
    answered = replace(state, first_response_at=T0 + timedelta(minutes=4), sla_breached=False)
    known = T0 + timedelta(minutes=12)
    cleared = sla_breach_undone_alert(answered, known)
    assert (cleared.status, cleared.resolves, cleared.raised_at) == (
        AlertStatus.RESOLVED,
        raised.alert_id,
        known,
    )
    assert (cleared.kind, cleared.severity, cleared.subject_id) == (
        AlertKind.SLA_BREACH,
        "high",
        "case-1",
    )
    assert cleared.figures == {"answered_before_s": 60.0}
    assert cleared.summary == (
        "Case case-1 on chat was answered at 2026-11-24 09:04:00 UTC, within its deadline "
        "09:05:00 UTC; the answer's record came after the breach was raised"
    )
    assert cleared.alert_id != raised.alert_id
    assert sla_breach_undone_alert(answered, known + timedelta(hours=1)).alert_id == (
        cleared.alert_id
    )


def test_breach_on_an_asynchronous_channel_is_medium() -> None:
    state = waiting_case(Channel.EMAIL, timedelta(hours=24))
    alert = sla_breach_alert(state, T0 + timedelta(days=1))
    assert alert.severity == "medium"
    assert "(24.0 h after opening)" in alert.summary


@pytest.mark.parametrize(
    ("survey", "score", "severity"),
    [
        (Survey.NPS, 0, "high"),
        (Survey.NPS, 3, "high"),
        (Survey.NPS, 4, "medium"),
        (Survey.NPS, 6, "medium"),
        (Survey.CSAT, 1, "high"),
        (Survey.CSAT, 2, "medium"),
    ],
)
def test_detractor_severity(survey: Survey, score: int, severity: str) -> None:
    fb = Feedback("fb-1", T0, "cust-1", Channel.SMS, survey, score, "case-9", "late <phone>")
    enriched, _, _ = enrich(fb)
    alert = detractor_alert(enriched)
    assert (alert.severity, alert.channel, alert.case_id, alert.comment) == (
        severity, Channel.SMS, "case-9", "late <phone>"
    )
    expected = f"{survey.value.upper()} {score} from customer cust-1 on sms, case case-9"
    assert alert.summary == expected
