"""The records every part of Touchstream passes around, one class per Avro schema.

Field names are exactly those of ``../shared/domain.md``. Times are timezone-aware UTC datetimes
(Avro ``timestamp-millis``); enums are ``StrEnum`` so a record's JSON form is plain strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    IVR = "ivr"
    CHAT = "chat"
    SMS = "sms"
    SOCIAL = "social"
    IN_PERSON = "in_person"
    APP = "app"


class Actor(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class EventType(StrEnum):
    CONTACT_OPENED = "contact_opened"
    CUSTOMER_MESSAGE = "customer_message"
    AGENT_RESPONSE = "agent_response"
    BOT_RESPONSE = "bot_response"
    QUEUE_ENTERED = "queue_entered"
    CALL_ABANDONED = "call_abandoned"
    IVR_ESCAPE = "ivr_escape"
    TRANSFER = "transfer"
    CASE_RESOLVED = "case_resolved"
    CASE_REOPENED = "case_reopened"
    PAGE_VIEW = "page_view"
    PURCHASE = "purchase"


class JourneyStage(StrEnum):
    AWARENESS = "awareness"
    CONSIDERATION = "consideration"
    PURCHASE = "purchase"
    ONBOARDING = "onboarding"
    USAGE = "usage"
    SUPPORT = "support"
    RETENTION = "retention"
    ADVOCACY = "advocacy"


class Survey(StrEnum):
    CSAT = "csat"
    NPS = "nps"
    CES = "ces"


@dataclass(frozen=True, slots=True)
class Touchpoint:
    """Topic ``cx.touchpoints``: one thing that happened on a channel."""

    event_id: str
    occurred_at: datetime
    customer_id: str
    case_id: str  # empty for pure browsing
    channel: Channel
    actor: Actor
    event_type: EventType
    journey_stage: JourneyStage
    source: str
    agent_id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Feedback:
    """Topic ``cx.feedback``: one survey answer."""

    feedback_id: str
    submitted_at: datetime
    customer_id: str
    channel: Channel
    survey: Survey
    score: int
    case_id: str | None = None
    comment: str | None = None
    language: str | None = None


class AlertKind(StrEnum):
    SLA_BREACH = "sla_breach"
    SATISFACTION_DROP = "satisfaction_drop"
    DETRACTOR = "detractor"
    RESPONSE_TIME_DEGRADED = "response_time_degraded"


class AlertStatus(StrEnum):
    RAISED = "raised"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Alert:
    """Topic ``cx.alerts``."""

    alert_id: str
    kind: AlertKind
    severity: str
    channel: Channel | None
    raised_at: datetime
    subject_kind: str
    subject_id: str
    summary: str
    figures: dict[str, float] = field(default_factory=dict)
    case_id: str | None = None
    customer_id: str | None = None
    comment: str | None = None
    status: AlertStatus = AlertStatus.RAISED
    resolves: str | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """Topic ``cx.deadletter``: a record that could not be processed, and why."""

    original: bytes
    source_topic: str
    source_partition: int
    source_offset: int
    reason: str
    detail: str
    dead_at: datetime
