"""Times on a recent day for traffic that runs through real parts. A fixed date would start
failing a year after it: the worker rejects events more than ``schemas.validation.MAX_AGE``
before its clock, and the fact tables drop rows past their TTL (``facts_ttl_days``). Figures do
not depend on the date, only on the times of day and the gaps between events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# Yesterday, so that every generated event (they end at the given hour) is in the past.
DAY = datetime.now(UTC).date() - timedelta(days=1)


def at(hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` UTC on ``DAY``."""
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC)
