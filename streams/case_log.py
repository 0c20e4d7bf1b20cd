"""One case's entry in the worker's ``cases`` table: its state and the ids of the events applied.

Keeping the ids inside the same table value as the state makes "applied?" and "what it did"
one changelog record, so a replay after a crash can never apply an event twice, whichever of
the worker's writes reached Kafka before it died. A case holds tens of events, so the ids stay
small; events that arrive for a case are never expired from it. The whole entry goes once the
case is over (``is_over``): an event for it after that starts a new entry, which adds to the
windows but not to the case's facts in ClickHouse (their version is lower than the last one).

The table holds ``CaseEntry`` objects, so an event does not rebuild its case from JSON. Its
changelog holds Faust's JSON of them: orjson writes the dataclasses, in C, as the objects
``from_dict`` reads. Entries recovered from the changelog are those dicts until an event of the
case replaces them (``entry_of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeAlias

from schemas.records import Touchpoint
from streams.metrics import CaseRules, CaseState, Contribution, apply
from streams.metrics.jsonable import JsonDict, time_from_json


@dataclass(frozen=True, slots=True)
class CaseEntry:
    state: CaseState
    event_ids: frozenset[str]

    @classmethod
    def new(cls, case_id: str) -> CaseEntry:
        return cls(CaseState(case_id), frozenset())

    @classmethod
    def from_dict(cls, data: JsonDict) -> CaseEntry:
        return cls(CaseState.from_dict(data["state"]), frozenset(data["event_ids"]))


# A value of the cases table: an entry, or its JSON as recovered from the changelog.
Stored: TypeAlias = CaseEntry | JsonDict


def entry_of(stored: Stored) -> CaseEntry:
    return stored if isinstance(stored, CaseEntry) else CaseEntry.from_dict(stored)


def apply_event(
    entry: CaseEntry, tp: Touchpoint, rules: CaseRules
) -> tuple[CaseEntry, list[Contribution]] | None:
    """The entry after ``tp`` and what ``tp`` contributes; None when ``tp`` was applied before."""
    if tp.event_id in entry.event_ids:
        return None
    state, contributions = apply(entry.state, tp, rules)
    return CaseEntry(state, entry.event_ids | {tp.event_id}), contributions


def is_over(stored: Stored, now: datetime, resolved_keep: timedelta, idle_keep: timedelta) -> bool:
    """Whether a stored entry's case can be forgotten at event time ``now``: resolved and quiet
    for ``resolved_keep`` (a reopen inside it still corrects FCR), or quiet for ``idle_keep``.
    Reads only two fields of a recovered entry, as a sweep over every case calls it."""
    if isinstance(stored, CaseEntry):
        last, resolved = stored.state.last_event_at, stored.state.resolved
    else:
        last_text, resolved = stored["state"]["last_event_at"], stored["state"]["resolved"]
        last = None if last_text is None else time_from_json(last_text)
    if last is None:
        return False
    return last + (resolved_keep if resolved else idle_keep) < now
