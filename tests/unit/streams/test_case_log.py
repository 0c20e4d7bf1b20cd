"""When a case's table entry may go: resolved and quiet for the reopen window, or idle long;
alike for an entry the worker wrote and for its JSON as recovered from the changelog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from faust.utils import json as faust_json

from streams.case_log import CaseEntry, Stored, entry_of, is_over

LAST = datetime(2026, 11, 1, 12, tzinfo=UTC)
WEEK, MONTH = timedelta(days=7), timedelta(days=30)


def _entry(resolved: bool, last: datetime | None = LAST) -> CaseEntry:
    new = CaseEntry.new("case-1")
    state = replace(new.state, resolved=resolved, last_event_at=last)
    return CaseEntry(state, frozenset({"e-1", "e-2"}))


def _recovered(entry: CaseEntry) -> Stored:
    recovered: Stored = faust_json.loads(faust_json.dumps(entry))
    return recovered


Form = Callable[[CaseEntry], Stored]
FORMS = [pytest.param(lambda e: e, id="written"), pytest.param(_recovered, id="recovered")]


@pytest.mark.parametrize("form", FORMS)
def test_a_resolved_case_goes_only_after_the_reopen_window(form: Form) -> None:
    assert not is_over(form(_entry(True)), LAST + WEEK, WEEK, MONTH)
    assert is_over(form(_entry(True)), LAST + WEEK + timedelta(seconds=1), WEEK, MONTH)


@pytest.mark.parametrize("form", FORMS)
def test_an_open_case_stays_until_idle_for_its_longer_keep(form: Form) -> None:
    assert not is_over(form(_entry(False)), LAST + WEEK + timedelta(days=1), WEEK, MONTH)
    assert is_over(form(_entry(False)), LAST + MONTH + timedelta(seconds=1), WEEK, MONTH)


@pytest.mark.parametrize("form", FORMS)
def test_a_case_without_events_yet_stays(form: Form) -> None:
    assert not is_over(form(_entry(False, None)), LAST + 10 * MONTH, WEEK, MONTH)


def test_a_recovered_entry_reads_as_the_entry_written() -> None:
    entry = _entry(True)
    recovered = _recovered(entry)
    assert isinstance(recovered, dict)
    assert entry_of(recovered) == entry
    assert entry_of(entry) is entry
