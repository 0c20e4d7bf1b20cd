"""Records from their JSON form (one object a line, field names as in the spec, plus ``type``:
``touchpoint`` or ``feedback``), checked as the stream checks them. Never raises."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from schemas.records import Actor, Channel, EventType, Feedback, JourneyStage, Survey, Touchpoint
from schemas.validation import Reason, Rejection, validate_feedback, validate_touchpoint

Record = Touchpoint | Feedback
E = TypeVar("E", bound=StrEnum)


def parse_line(line: str | bytes, now: datetime) -> Record | Rejection:
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        return Rejection(Reason.INVALID_JSON, f"not JSON: {exc}")
    if not isinstance(data, dict):
        return Rejection(Reason.INVALID_JSON, "a line must hold one JSON object")
    return record_from_json(data, now)


def record_from_json(data: dict[str, Any], now: datetime) -> Record | Rejection:
    try:
        kind = data.get("type")
        if kind == "touchpoint":
            tp = _touchpoint(data)
            return validate_touchpoint(tp, now) or tp
        if kind == "feedback":
            fb = _feedback(data)
            return validate_feedback(fb, now) or fb
        return Rejection(
            Reason.SCHEMA_MISMATCH, f"type {kind!r} is neither touchpoint nor feedback"
        )
    except _Bad as bad:
        return bad.rejection


class _Bad(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.rejection = Rejection(reason, detail)


def _field(data: dict[str, Any], name: str, required: bool = True) -> Any:
    value = data.get(name)
    if value is None and required:
        raise _Bad(Reason.MISSING_FIELD, f"{name} is missing")
    return value


def _text(data: dict[str, Any], name: str, required: bool = True) -> Any:
    value = _field(data, name, required)
    if value is not None and not isinstance(value, str):
        raise _Bad(Reason.SCHEMA_MISMATCH, f"{name} must be a string")
    return value


def _enum(data: dict[str, Any], name: str, enum: type[E]) -> E:
    value = _field(data, name)
    try:
        return enum(value)
    except ValueError:
        reason = Reason.UNKNOWN_CHANNEL if enum is Channel else Reason.UNKNOWN_VALUE
        raise _Bad(reason, f"{name} {value!r} is not one of {[e.value for e in enum]}") from None


def _time(data: dict[str, Any], name: str) -> datetime:
    value = _field(data, name)
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, UTC)
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise _Bad(Reason.SCHEMA_MISMATCH, f"{name} {value!r} is not a time") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _touchpoint(data: dict[str, Any]) -> Touchpoint:
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise _Bad(Reason.SCHEMA_MISMATCH, "attributes must be an object of strings")
    return Touchpoint(
        event_id=_text(data, "event_id"),
        occurred_at=_time(data, "occurred_at"),
        customer_id=_text(data, "customer_id"),
        case_id=_text(data, "case_id", required=False) or "",
        channel=_enum(data, "channel", Channel),
        actor=_enum(data, "actor", Actor),
        event_type=_enum(data, "event_type", EventType),
        journey_stage=_enum(data, "journey_stage", JourneyStage),
        source=_text(data, "source"),
        agent_id=_text(data, "agent_id", required=False),
        attributes={str(k): str(v) for k, v in attributes.items()},
    )


def _feedback(data: dict[str, Any]) -> Feedback:
    score = _field(data, "score")
    if not isinstance(score, int) or isinstance(score, bool):
        raise _Bad(Reason.SCHEMA_MISMATCH, f"score {score!r} is not an integer")
    return Feedback(
        feedback_id=_text(data, "feedback_id"),
        submitted_at=_time(data, "submitted_at"),
        customer_id=_text(data, "customer_id"),
        channel=_enum(data, "channel", Channel),
        survey=_enum(data, "survey", Survey),
        score=score,
        case_id=_text(data, "case_id", required=False) or None,
        comment=_text(data, "comment", required=False),
        language=_text(data, "language", required=False),
    )
