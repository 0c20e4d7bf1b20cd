"""One case's entry in the worker's ``cases`` table: its state and the ids of the events applied.

Keeping the ids inside the same table value as the state makes "applied?" and "what it did"
one changelog record, so a replay after a crash can never apply an event twice, whichever of
the worker's writes reached Kafka before it died. A case holds tens of events, so the ids stay
small; events that arrive for a case are never expired from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.records import Touchpoint
from streams.metrics import CaseRules, CaseState, Contribution, apply
from streams.metrics.jsonable import JsonDict


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
