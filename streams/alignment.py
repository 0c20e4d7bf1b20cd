"""Watermark alignment: which input partitions a worker should stop reading for a while.

A worker catching up a backlog reads its input partitions at different speeds: the feedback
topic's records cost a fraction of a touchpoint's, so its partitions ran 14 hours of event time
ahead of the touchpoints' in a 1M-event backlog (measured). A channel's watermark is the
earliest of its sources' event times (``streams.metrics.windows.WindowClock``), so every window
between the slowest and the fastest partition stays open, in one table value per channel.
Alignment keeps them close, as Flink's watermark alignment does: a partition that is behind
(more records waiting than ``backlog``, one batch of an input agent) and more than
``max_drift`` of event time ahead of the slowest partition that is behind is paused, and
resumed once that one has caught up to within ``max_drift``, or nothing is behind any more.

Only partitions with a backlog take part. A partition that is keeping up is not slowed by a
behind one (its live alerts would wait for another partition's catch-up), nor does a live
partition whose events come with old timestamps hold the others back: neither has records
waiting. Pure: the worker's alignment timer feeds it event times, records waiting and what is
paused, and pauses and resumes what it says.
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
            plan = Plan(
                frozenset(tp for tp, at in behind.items() if tp not in self.paused and at > limit),
                frozenset(tp for tp in self.paused if self.latest.get(tp, limit) <= limit),
            )
        self.paused = (self.paused | plan.pause) - plan.resume
        return plan


def _alignment() -> Alignment[Any]:
    settings = get_settings()
    return Alignment(timedelta(seconds=settings.watermark_max_drift_s), settings.input_batch_max)


ALIGNMENT = _alignment()
