"""One case's entry in the worker's ``cases`` table: its state and the ids of the events applied.

Keeping the ids inside the same table value as the state makes "applied?" and "what it did"
one changelog record, so a replay after a crash can never apply an event twice, whichever of
the worker's writes reached Kafka before it died. A case holds tens of events, so the ids stay
small; events that arrive for a case are never expired from it. The whole entry goes once the
case is over (``is_over``): an event for it after that starts a new entry, which adds to the
windows but not to the case's facts in ClickHouse (their version is lower than the last one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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

    def to_dict(self) -> JsonDict:
        return {"state": self.state.to_dict(), "event_ids": sorted(self.event_ids)}

    @classmethod
    def from_dict(cls, data: JsonDict) -> CaseEntry:
        return cls(CaseState.from_dict(data["state"]), frozenset(data["event_ids"]))


def apply_event(
    entry: CaseEntry, tp: Touchpoint, rules: CaseRules
) -> tuple[CaseEntry, list[Contribution]] | None:
    """The entry after ``tp`` and what ``tp`` contributes; None when ``tp`` was applied before."""
    if tp.event_id in entry.event_ids:
        return None
    state, contributions = apply(entry.state, tp, rules)
    return CaseEntry(state, entry.event_ids | {tp.event_id}), contributions


def is_over(
    stored: JsonDict, now: datetime, resolved_keep: timedelta, idle_keep: timedelta
) -> bool:
    """Whether a stored entry's case can be forgotten at event time ``now``: resolved and quiet
    for ``resolved_keep`` (a reopen inside it still corrects FCR), or quiet for ``idle_keep``.
    Reads only two fields of the stored form, as a sweep over every case calls it."""
    state = stored["state"]
    last = state["last_event_at"]
    if last is None:
        return False
    keep = resolved_keep if state["resolved"] else idle_keep
    return time_from_json(last) + keep < now
