"""Avro datums of the kinds the sink reads (framed by ``schemas.codec.frame``), built from keyword
overrides of typical values."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests import recent

T0 = recent.at(10)


def touchpoint(**values: Any) -> dict[str, Any]:
    return {
        "event_id": "e1",
        "occurred_at": T0,
        "customer_id": "u1",
        "case_id": "c1",
        "channel": "chat",
        "actor": "customer",
        "event_type": "contact_opened",
        "journey_stage": "support",
        "agent_id": None,
        "source": "chatd",
        "attributes": {"queue": "billing"},
    } | values


def feedback(**values: Any) -> dict[str, Any]:
    return {
        "feedback_id": "f1",
        "submitted_at": T0,
        "customer_id": "u1",
        "case_id": "c1",
        "channel": "chat",
        "survey": "csat",
        "score": 5,
        "comment": "fast, thanks",
        "language": "en",
        "themes": ["waiting_time"],
        "csat_satisfied": True,
        "nps_category": None,
        "ces_easy": None,
        "detractor_alert": False,
        "channels": ["chat"],
        "multi_channel": False,
        "journey_stage": "support",
    } | values


def case(**values: Any) -> dict[str, Any]:
    return {
        "case_id": "c1",
        "customer_id": "u1",
        "first_channel": "chat",
        "opened_at": T0,
        "first_response_at": T0 + timedelta(seconds=60),
        "frt_s": 60.0,
        "resolved_at": None,
        "ttr_s": None,
        "customer_contacts": 1,
        "channels": ["chat"],
        "multi_channel": False,
        "fcr": None,
        "reopened": False,
        "sla_deadline": T0 + timedelta(minutes=5),
        "sla_breached": False,
        "abandoned": False,
        "ivr_entered": False,
        "ivr_escaped": False,
        "version": 1,
    } | values


def alert(**values: Any) -> dict[str, Any]:
    return {
        "alert_id": "a1",
        "kind": "detractor",
        "severity": "high",
        "channel": "chat",
        "raised_at": T0,
        "subject_kind": "case",
        "subject_id": "c1",
        "summary": "CSAT 1 on c1",
        "figures": {"score": 1.0},
        "case_id": "c1",
        "customer_id": "u1",
        "comment": "slow",
        "status": "raised",
        "resolves": None,
    } | values


def window(**values: Any) -> dict[str, Any]:
    return {
        "window_kind": "tumbling_1h",
        "channel": "chat",
        "window_start": T0,
        "window_end": T0 + timedelta(hours=1),
        "final": True,
        "revision": 1,
        "csat_responses": 2,
        "csat_satisfied": 1,
        "csat_pct": 50.0,
    } | values


def dead_letter(**values: Any) -> dict[str, Any]:
    return {
        "original": b"\xff\x00bad",
        "source_topic": "cx.touchpoints",
        "source_partition": 2,
        "source_offset": 41,
        "reason": "undecodable",
        "detail": "not Avro",
        "dead_at": T0,
    } | values
