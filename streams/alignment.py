"""Watermark alignment: which input partitions a worker should stop reading for a while.

A worker catching up a backlog reads its input partitions at different speeds: the feedback
topic's records cost a fraction of a touchpoint's, so its partitions ran 14 hours of event time
ahead of the touchpoints' in a 1M-event backlog (measured). A channel's watermark is the
earliest of its sources' event times (``streams.metrics.windows.WindowClock``), so every window
between the slowest and the fastest partition stays open, in one table value per channel; and
feedback read hours before its case's touchpoints finds no case to join. Alignment keeps them
close, as Flink's watermark alignment does: while a partition is behind (more records waiting
than ``backlog``, one batch of an input agent), every partition more than ``max_drift`` of event
time ahead of the slowest one behind is paused, and resumed once that one has caught up to
within ``max_drift``, or nothing is behind any more.

Only partitions with a backlog hold others back: a live partition whose events come with old
timestamps has none, so it does not stall the rest. A live partition ahead of one that is behind
is paused too (its alerts wait for the catch-up, which has every core the worker has): the
measured alternative, letting it run, made the feedback race ahead whenever the touchpoints'
backlog grew. Pure: the worker's alignment timer feeds it event times and records waiting, and
pauses and resumes what it says.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from touchstream.settings import get_settings

# A partition: a (topic, partition) tuple, or Faust's TP (one of those) in the worker.
P = TypeVar("P", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Plan(Generic[P]):
    pause: frozenset[P]
    resume: frozenset[P]


@dataclass(slots=True)
class Alignment(Generic[P]):
    max_drift: timedelta
    backlog: int  # records waiting above which a partition is behind, not keeping up
    latest: dict[P, datetime] = field(default_factory=dict)  # latest event time read
    paused: set[P] = field(default_factory=set)

    def observe(self, tp: P, at: datetime) -> None:
        if tp not in self.latest or at > self.latest[tp]:
            self.latest[tp] = at

    def plan(self, waiting: Mapping[P, int | None]) -> Plan[P]:
        """What to pause and resume among the partitions of ``waiting``, each assigned input
        partition with its records waiting (None: unknown); ``paused`` becomes what is paused
        after it. A partition no longer assigned leaves ``paused`` and its time is forgotten
        (the consumer forgets its pause on revoking it; its time is read again if it comes
        back)."""
        for tp in [tp for tp in self.latest if tp not in waiting]:
            del self.latest[tp]
        self.paused &= waiting.keys()
        behind = {
            tp: self.latest[tp]
            for tp, count in waiting.items()
            if (count or 0) > self.backlog and tp in self.latest
        }
        reading = [at for tp, at in behind.items() if tp not in self.paused]
        if not reading:
            plan = Plan(frozenset(), frozenset(self.paused))
        else:
            limit = min(reading) + self.max_drift
            ahead = (tp for tp in waiting if tp not in self.paused and tp in self.latest)
            plan = Plan(
                frozenset(tp for tp in ahead if self.latest[tp] > limit),
                frozenset(tp for tp in self.paused if self.latest.get(tp, limit) <= limit),
            )
        self.paused = (self.paused | plan.pause) - plan.resume
        return plan


def _alignment() -> Alignment[Any]:
    settings = get_settings()
    return Alignment(timedelta(seconds=settings.watermark_max_drift_s), settings.input_batch_max)


ALIGNMENT = _alignment()
