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
backlog grew.

Pausing acts on fetching, and what was fetched before the pause still comes: a fetch takes up to
1 MB of a partition and a stream buffers thousands of records, which on a sparse partition (a
few hundred feedback records an hour) is many hours of event time. Measured in scenario worker,
the feedback topic's 26,000 records came in whole while the touchpoints were hours behind, and
the channels' skew bound (``streams.metrics.windows.WindowClock``) then counted 6,000-25,000 of
131,000 records late. So alignment also holds back at delivery, as Flink's watermark alignment
does between splits of one source: an event read from a partition more than ``max_drift`` ahead
of the earliest frontier among the other partitions behind is held, unprocessed and unacked,
with every later event of its partition, and released once that frontier is within the drift. A
partition's frontier is the time of its first held event, or else the latest time read from it.
The partition with the earliest frontier never waits, so a catch-up always moves on.

A partition behind that has not been read from yet has no frontier: its records may be the
earliest of all. A cold worker's first batches come from a few partitions only: the feedback
agent's first batch, read before any touchpoint, could be hours ahead of them and make
touchpoints late (a test's cold worker counted 1-20 late in 3 of 10 runs before this). So such a
partition holds every other partition's events until its first one is read, for at most
``hold_s`` after it was assigned (a partition whose records are gone, a committed offset behind
the log's start, holds nothing for long). The windows hold their watermarks for as long, for the
same reason (``WindowClock``). Pure: the
worker's alignment timer feeds it event times and records waiting, and pauses and resumes what it
says; the input agents admit each event through it (``streams.batches``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from touchstream.settings import get_settings

# A partition: a (topic, partition) tuple, or Faust's TP (one of those) in the worker.
P = TypeVar("P", bound=Hashable)
T = TypeVar("T")  # what is held: in the worker, an event and the record read from it


@dataclass(frozen=True, slots=True)
class Plan(Generic[P]):
    pause: frozenset[P]
    resume: frozenset[P]


# A limit no event time is within: the event waits.
_HOLD = datetime.min.replace(tzinfo=UTC)


@dataclass(slots=True)
class Alignment(Generic[P, T]):
    max_drift: timedelta
    backlog: int  # records waiting above which a partition is behind, not keeping up
    hold_s: float = 0.0  # how long a partition behind and not read yet holds the others
    latest: dict[P, datetime] = field(default_factory=dict)  # latest event time read
    paused: set[P] = field(default_factory=set)
    behind: frozenset[P] = frozenset()  # as of the last ``track``
    unread: frozenset[P] = frozenset()  # behind, not read yet, within hold_s: as of ``track``
    assigned_at: dict[P, float] = field(default_factory=dict)  # wall time first tracked
    # per partition, the events held back in the order read, each with its event time
    held: dict[P, deque[tuple[datetime, T]]] = field(default_factory=dict)

    def observe(self, tp: P, at: datetime) -> None:
        if tp not in self.latest or at > self.latest[tp]:
            self.latest[tp] = at

    def track(self, waiting: Mapping[P, int | None], wall: float) -> None:
        """Takes in the records waiting on each assigned input partition (None: unknown) at
        ``wall`` (monotonic seconds). A partition no longer assigned is forgotten: its time, its
        pause (the consumer forgets it on revoking it) and what it held (its new reader reads it
        again from the last commit)."""
        for forgotten in (self.latest, self.held, self.assigned_at):
            for tp in [tp for tp in forgotten if tp not in waiting]:
                del forgotten[tp]
        self.paused &= waiting.keys()
        for tp in waiting:
            self.assigned_at.setdefault(tp, wall)
        self.behind = frozenset(tp for tp, count in waiting.items() if (count or 0) > self.backlog)
        self.unread = frozenset(
            tp
            for tp in self.behind
            if self._frontier(tp) is None and wall - self.assigned_at[tp] < self.hold_s
        )

    def admit(self, tp: P, at: datetime, item: T) -> bool:
        """Reads an event of ``tp`` at event time ``at``: True to process it now, False if it is
        held (``release`` gives it back)."""
        self.observe(tp, at)
        queue = self.held.get(tp)
        if queue is None:
            if not self.behind:  # the usual case once caught up
                return True
            limit = self._limit(tp)
            if limit is None or at <= limit:
                return True
            queue = self.held[tp] = deque()
        queue.append((at, item))
        return False

    def release(self, accept: Callable[[P], bool]) -> list[T]:
        """The held events of the partitions ``accept`` takes that may now be processed, each
        partition's in the order read. Releasing some moves their partition's frontier, which
        may release others'."""
        out: list[T] = []
        moved = True
        while moved:
            moved = False
            for tp in [tp for tp in self.held if accept(tp)]:
                queue = self.held[tp]
                limit = self._limit(tp)
                while queue and (limit is None or queue[0][0] <= limit):
                    out.append(queue.popleft()[1])
                    moved = True
                if not queue:
                    del self.held[tp]
        return out

    def release_all(self, accept: Callable[[P], bool]) -> list[T]:
        """Every held event of the partitions ``accept`` takes, ready or not (a rebalance: see
        ``streams.batches``)."""
        taken = [tp for tp in self.held if accept(tp)]
        return [item for tp in taken for _, item in self.held.pop(tp)]

    def _limit(self, tp: P) -> datetime | None:
        """The latest event time ``tp`` may process: ``max_drift`` past the earliest frontier of
        the other partitions behind; None when none of them has one, and none while another is
        still to be read (see the module docstring)."""
        if any(other != tp and self._frontier(other) is None for other in self.unread):
            return _HOLD
        frontiers = [f for other in self.behind if other != tp and (f := self._frontier(other))]
        return min(frontiers) + self.max_drift if frontiers else None

    def _frontier(self, tp: P) -> datetime | None:
        queue = self.held.get(tp)
        return queue[0][0] if queue else self.latest.get(tp)

    def plan(self, waiting: Mapping[P, int | None], wall: float) -> Plan[P]:
        """What to pause and resume among the partitions of ``waiting``, each assigned input
        partition with its records waiting (None: unknown); ``paused`` becomes what is paused
        after it (see ``track``)."""
        self.track(waiting, wall)
        behind = {tp: self.latest[tp] for tp in self.behind if tp in self.latest}
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


def _alignment() -> Alignment[Any, Any]:
    settings = get_settings()
    return Alignment(
        timedelta(seconds=settings.watermark_max_drift_s),
        settings.input_batch_max,
        settings.window_start_hold_s,
    )


ALIGNMENT = _alignment()
