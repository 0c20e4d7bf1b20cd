"""Rules a record must meet beyond its Avro schema. Each check returns a ``Rejection`` (the
dead-letter reason and a human detail) or None; none raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from schemas.records import EventType, Feedback, Survey, Touchpoint

MAX_FUTURE = timedelta(minutes=5)
MAX_AGE = timedelta(days=365)
SCORE_RANGES = {Survey.CSAT: (1, 5), Survey.NPS: (0, 10), Survey.CES: (1, 7)}
# Pure browsing may happen outside any case; every other event type belongs to one.
CASELESS_EVENTS = frozenset({EventType.PAGE_VIEW, EventType.PURCHASE})


class Reason(StrEnum):
    UNDECODABLE = "undecodable"
    INVALID_JSON = "invalid_json"
    SCHEMA_MISMATCH = "schema_mismatch"
    MISSING_FIELD = "missing_field"
    UNKNOWN_CHANNEL = "unknown_channel"
    UNKNOWN_VALUE = "unknown_value"
    OUT_OF_RANGE_SCORE = "out_of_range_score"
    FUTURE_TIMESTAMP = "future_timestamp"
    STALE_TIMESTAMP = "stale_timestamp"
    EMPTY_ID = "empty_id"


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str
    detail: str


def check_time(name: str, at: datetime, now: datetime) -> Rejection | None:
    if at > now + MAX_FUTURE:
        return Rejection(
            Reason.FUTURE_TIMESTAMP,
            f"{name} {at.isoformat()} is more than {MAX_FUTURE} after {now.isoformat()}",
        )
    if at < now - MAX_AGE:
        return Rejection(
            Reason.STALE_TIMESTAMP,
            f"{name} {at.isoformat()} is more than {MAX_AGE.days} days before {now.isoformat()}",
        )
    return None


def check_ids(**ids: str | None) -> Rejection | None:
    for name, value in ids.items():
        if not (value or "").strip():
            return Rejection(Reason.EMPTY_ID, f"{name} is empty")
    return None


def validate_touchpoint(tp: Touchpoint, now: datetime) -> Rejection | None:
    ids: dict[str, str | None] = {"event_id": tp.event_id, "customer_id": tp.customer_id}
    if tp.event_type not in CASELESS_EVENTS:
        ids["case_id"] = tp.case_id
    return check_ids(**ids) or check_time("occurred_at", tp.occurred_at, now)


def validate_feedback(fb: Feedback, now: datetime) -> Rejection | None:
    low, high = SCORE_RANGES[fb.survey]
    if not low <= fb.score <= high:
        return Rejection(
            Reason.OUT_OF_RANGE_SCORE, f"{fb.survey.value} score {fb.score} is outside {low}-{high}"
        )
    return check_ids(feedback_id=fb.feedback_id, customer_id=fb.customer_id) or check_time(
        "submitted_at", fb.submitted_at, now
    )
