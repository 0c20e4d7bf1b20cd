"""The JSON form of the values metric state holds: Faust tables store their values as JSON, so every
state class turns into plain dicts, lists, strings and numbers. Times travel as ISO 8601 strings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

JsonDict = dict[str, Any]


def time_to_json(at: datetime) -> str:
    return at.isoformat()


def time_from_json(text: str) -> datetime:
    return datetime.fromisoformat(text)


def opt_time_to_json(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def opt_time_from_json(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
