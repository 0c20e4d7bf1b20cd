"""Input records off the wire: decoded with the codec and validated, or the reason they are not."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas import codec
from schemas.records import Feedback, Touchpoint
from schemas.validation import Rejection, validate_feedback, validate_touchpoint


def read_touchpoint(value: bytes | None) -> Touchpoint | Rejection:
    try:
        record = codec.decode_as(value or b"", Touchpoint)
    except codec.DecodeError as exc:
        return Rejection(exc.reason, exc.detail)
    return validate_touchpoint(record, datetime.now(UTC)) or record


def read_feedback(value: bytes | None) -> Feedback | Rejection:
    try:
        record = codec.decode_as(value or b"", Feedback)
    except codec.DecodeError as exc:
        return Rejection(exc.reason, exc.detail)
    return validate_feedback(record, datetime.now(UTC)) or record
