"""Input records off the wire: decoded with the codec and validated, or the reason they are not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from schemas import codec
from schemas.records import Feedback, Touchpoint
from schemas.validation import Rejection, validate_feedback, validate_touchpoint

R = TypeVar("R", Touchpoint, Feedback)


def _read(
    value: bytes | None, record_type: type[R], validate: Callable[[R, datetime], Rejection | None]
) -> R | Rejection:
    try:
        record = codec.decode_as(value or b"", record_type)
    except codec.DecodeError as exc:
        return Rejection(exc.reason, exc.detail)
    return validate(record, datetime.now(UTC)) or record


def read_touchpoint(value: bytes | None) -> Touchpoint | Rejection:
    return _read(value, Touchpoint, validate_touchpoint)


def read_feedback(value: bytes | None) -> Feedback | Rejection:
    return _read(value, Feedback, validate_feedback)
