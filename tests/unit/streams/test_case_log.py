"""When a case's table entry may go: resolved and quiet for the reopen window, or idle long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streams.case_log import CaseEntry, is_over
from streams.metrics.jsonable import JsonDict

LAST = datetime(2026, 11, 1, 12, tzinfo=UTC)
WEEK, MONTH = timedelta(days=7), timedelta(days=30)


def _stored(resolved: bool, last: datetime | None = LAST) -> JsonDict:
    data = CaseEntry.new("case-1").to_dict()
    data["state"] |= {"resolved": resolved, "last_event_at": last and last.isoformat()}
    return data


def test_a_resolved_case_goes_only_after_the_reopen_window() -> None:
    assert not is_over(_stored(True), LAST + WEEK, WEEK, MONTH)
    assert is_over(_stored(True), LAST + WEEK + timedelta(seconds=1), WEEK, MONTH)


def test_an_open_case_stays_until_idle_for_its_longer_keep() -> None:
    assert not is_over(_stored(False), LAST + WEEK + timedelta(days=1), WEEK, MONTH)
    assert is_over(_stored(False), LAST + MONTH + timedelta(seconds=1), WEEK, MONTH)


def test_a_case_without_events_yet_stays() -> None:
    assert not is_over(_stored(False, None), LAST + 10 * MONTH, WEEK, MONTH)
