"""The published records are built field for field from the state they report on; a touchpoint
fact is its input record, without the email addresses its attributes held."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

from schemas import codec
from schemas.records import Actor, Channel, EventType, JourneyStage, Touchpoint
from streams.facts import CaseFact, touchpoint_fact
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


def _page_view(**attributes: str) -> Touchpoint:
    return Touchpoint(
        event_id="e1",
        occurred_at=T0,
        customer_id="ana@example.com",  # an id, not free text: kept
        case_id="",
        channel=Channel.WEB,
        actor=Actor.CUSTOMER,
        event_type=EventType.PAGE_VIEW,
        journey_stage=JourneyStage.SUPPORT,
        source="web",
        attributes=attributes,
    )


def test_a_touchpoint_fact_is_its_input_bytes_when_no_attribute_holds_an_email() -> None:
    tp = _page_view(page="/orders/100234567", note="call 0712 345 678")
    encoded = codec.encode(tp)
    assert touchpoint_fact(tp, encoded) is encoded  # though the customer id has an "@"


def test_a_touchpoint_fact_loses_the_email_addresses_of_its_attributes() -> None:
    tp = _page_view(
        page="/reset?email=ana.lopez%2Bx@example.com&step=2",
        referrer="https://mail.example.com/?to=ana%40example.com&ref=news",
        wide="mail ana\uff20example.com",
        queue="billing",
    )
    fact = codec.decode_as(touchpoint_fact(tp, codec.encode(tp)), Touchpoint)
    assert fact == replace(
        tp,
        attributes={
            "page": "/reset?email=<email>&step=2",
            "referrer": "https://mail.example.com/?to=<email>&ref=news",
            "wide": "mail <email>",
            "queue": "billing",
        },
    )
