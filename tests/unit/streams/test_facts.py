"""The published records are built field for field from the state they report on."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

from schemas.records import Channel
from streams.facts import CaseFact
from streams.metrics import CaseSummary

T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)


def test_a_case_fact_copies_every_field_of_its_summary() -> None:
    """Every field but the flags a distinct value, and each flag set alone in turn, so a field
    copied into another's place shows."""
    base = CaseSummary(
        case_id="case-1",
        customer_id="cust-1",
        first_channel=Channel.CHAT,
        opened_at=T0,
        first_response_at=T0 + timedelta(minutes=1),
        frt_s=60.0,
        resolved_at=T0 + timedelta(minutes=2),
        ttr_s=120.0,
        customer_contacts=3,
        channels=(Channel.CHAT, Channel.EMAIL),
        multi_channel=False,
        fcr=False,
        reopened=False,
        sla_deadline=T0 + timedelta(minutes=3),
        sla_breached=False,
        abandoned=False,
        ivr_entered=False,
        ivr_escaped=False,
        version=7,
    )
    flags = [f.name for f in fields(CaseSummary) if getattr(base, f.name) is False]
    for summary in [base, *(replace(base, **{flag: True}) for flag in flags)]:
        fact = CaseFact.of(summary)
        for f in fields(CaseFact):
            expected = getattr(summary, f.name)
            if f.name == "channels":
                expected = ["chat", "email"]
            assert getattr(fact, f.name) == expected, f.name
