"""Points in time as people type them on the command line."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import typer

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_since(text: str, now: datetime) -> datetime:
    """``30m``, ``2h``, ``1d`` ago, or an ISO 8601 time (UTC when it names no zone)."""
    match = _DURATION.match(text.strip())
    if match:
        return now - timedelta(seconds=int(match[1]) * _UNIT_S[match[2]])
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is neither like 30m/2h/1d nor an ISO time") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
