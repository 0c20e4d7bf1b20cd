"""Per-channel event-time windows: their specs, what one window adds up, and when it closes.

Windows are aligned on the Unix epoch (so hourly windows start on the hour, UTC) and hold
``[start, start + size)``. A tumbling window has ``step == size``; a hopping one starts every
``step``, so each instant belongs to ``size / step`` windows.

Watermark and lateness. Each channel's watermark is the earliest, over the sources feeding the
channel, of the latest event time (``Contribution.at``) seen from each (see ``WindowClock``), or a
later time given to ``WindowStore.closed`` so that an idle channel's windows still close. A window
is closed once its channel's watermark reaches ``end + allowed_lateness``; its final result is
emitted then and it is dropped. A contribution whose window is already closed is not added to it
(the closed figure was final; the raw facts in ClickHouse keep the event, so queries over facts
stay exact). Instead it is counted, once per spec, in the window(s) of that spec holding the
channel's current watermark, i.e. the window current when it arrived: in ``late_events`` for an
arriving touchpoint or survey answer, and in ``late_updates`` for a figure derived from one (an
FRT, a resolution, an FCR correction of an already closed resolution window, ...), which says
how many changes closed windows missed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from schemas.records import Channel
from streams.metrics.contribution import EVENT_KINDS, Contribution, Kind
from streams.metrics.feedback import NpsCategory, ces_easy, csat_satisfied, nps_category
from streams.metrics.jsonable import (
    JsonDict,
    opt_time_from_json,
    opt_time_to_json,
    time_from_json,
    time_to_json,
)
from streams.metrics.sketch import QuantileSketch

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ALLOWED_LATENESS = timedelta(minutes=10)
MAX_SKEW = timedelta(hours=6)
EMIT_EVERY = timedelta(seconds=10)
SOURCE_IDLE_S = 60.0


@dataclass(frozen=True, slots=True)
class WindowSpec:
    name: str
    size: timedelta
    step: timedelta

    def __post_init__(self) -> None:
        if self.step <= timedelta(0) or self.size % self.step:
            raise ValueError(f"window {self.name}: size must be a positive multiple of step")


TUMBLING_1M = WindowSpec("tumbling_1m", timedelta(minutes=1), timedelta(minutes=1))
TUMBLING_1H = WindowSpec("tumbling_1h", timedelta(hours=1), timedelta(hours=1))
HOPPING_1H_5M = WindowSpec("hopping_1h_5m", timedelta(hours=1), timedelta(minutes=5))
DEFAULT_SPECS = (TUMBLING_1M, TUMBLING_1H, HOPPING_1H_5M)


def windows_for(spec: WindowSpec, at: datetime) -> list[datetime]:
    """The starts of the windows of ``spec`` that hold ``at``, oldest first."""
    latest = EPOCH + (at - EPOCH) // spec.step * spec.step
    return [latest - k * spec.step for k in range(spec.size // spec.step - 1, -1, -1)]


_SKETCHES = frozenset({"frt_sketch", "ttr_sketch"})


class Changes(NamedTuple):
    counts: list[tuple[str, float]]
    sketches: list[tuple[str, QuantileSketch]]


@dataclass(slots=True)
class WindowAccumulator:
    """What one window of one channel adds up. Mergeable: ``merge`` adds another's counts.

    IVR entries and escapes are one contribution per case, so ``ivr_escape_pct`` counts cases,
    and an escape is filed under the window of the case's IVR entry (see ``Contribution``).
    The multi/single splits hold only contributions whose case is known.
    """

    touchpoints: int = 0
    contacts_opened: int = 0
    csat_responses: int = 0
    csat_satisfied: int = 0
    csat_sum: float = 0.0
    csat_multi_responses: int = 0
    csat_multi_satisfied: int = 0
    csat_multi_sum: float = 0.0
    csat_single_responses: int = 0
    csat_single_satisfied: int = 0
    csat_single_sum: float = 0.0
    nps_responses: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    ces_responses: int = 0
    ces_easy: int = 0
    ces_sum: float = 0.0
    frt_sum: float = 0.0
    frt_multi_count: int = 0
    frt_multi_sum: float = 0.0
    frt_single_count: int = 0
    frt_single_sum: float = 0.0
    resolved: int = 0
    fcr_cases: int = 0
    sla_breaches: int = 0
    abandoned: int = 0
    answered_calls: int = 0
    ivr_entered: int = 0
    ivr_escapes: int = 0
    channel_switches: int = 0
    late_events: int = 0
    late_updates: int = 0
    frt_sketch: QuantileSketch = field(default_factory=QuantileSketch)
    ttr_sketch: QuantileSketch = field(default_factory=QuantileSketch)

    def add(self, c: Contribution) -> None:
        match c.kind:
            case Kind.TOUCHPOINT:
                self.touchpoints += 1
            case Kind.CONTACT_OPENED:
                self.contacts_opened += 1
            case Kind.CSAT:
                self._add_csat(int(c.value), c.multi_channel)
            case Kind.CSAT_BECAME_MULTI:
                self._add_csat(int(c.value), False, sign=-1)
                self._add_csat(int(c.value), True)
            case Kind.NPS:
                category = nps_category(int(c.value))
                self.nps_responses += 1
                self.nps_promoters += int(category is NpsCategory.PROMOTER)
                self.nps_detractors += int(category is NpsCategory.DETRACTOR)
            case Kind.CES:
                self.ces_responses += 1
                self.ces_easy += int(ces_easy(int(c.value)))
                self.ces_sum += c.value
            case Kind.FRT:
                self._add_frt(c.value, c.multi_channel)
            case Kind.FRT_RETRACTION:
                self._add_frt(c.value, c.multi_channel, sign=-1)
            case Kind.FRT_BECAME_MULTI:
                self.frt_single_count -= 1
                self.frt_single_sum -= c.value
                self.frt_multi_count += 1
                self.frt_multi_sum += c.value
            case Kind.TTR:
                self.ttr_sketch.add(c.value)
            case Kind.TTR_RETRACTION:
                self.ttr_sketch.remove(c.value)
            case Kind.RESOLVED:
                self.resolved += 1
                self.fcr_cases += int(c.value)
            case Kind.RESOLVED_RETRACTION:
                self.resolved -= 1
                self.fcr_cases -= int(c.value)
            case Kind.FCR_CORRECTION:
                self.fcr_cases += int(c.value)
            case Kind.SLA_BREACH:
                self.sla_breaches += 1
            case Kind.SLA_BREACH_CORRECTION:
                self.sla_breaches -= 1
            case Kind.CALL_ABANDONED:
                self.abandoned += 1
            case Kind.CALL_ANSWERED:
                self.answered_calls += 1
            case Kind.CALL_ANSWERED_RETRACTION:
                self.answered_calls -= 1
            case Kind.IVR_ENTERED:
                self.ivr_entered += 1
            case Kind.IVR_ENTERED_RETRACTION:
                self.ivr_entered -= 1
            case Kind.IVR_ESCAPE:
                self.ivr_escapes += 1
            case Kind.IVR_ESCAPE_RETRACTION:
                self.ivr_escapes -= 1
            case Kind.CHANNEL_SWITCH:
                self.channel_switches += 1
            case Kind.CHANNEL_SWITCH_RETRACTION:
                self.channel_switches -= 1

    def _add_csat(self, score: int, multi_channel: bool | None, sign: int = 1) -> None:
        """Counts an answer in, or with ``sign`` -1 takes it back out."""
        satisfied = sign * int(csat_satisfied(score))
        self.csat_responses += sign
        self.csat_satisfied += satisfied
        self.csat_sum += sign * score
        if multi_channel is True:
            self.csat_multi_responses += sign
            self.csat_multi_satisfied += satisfied
            self.csat_multi_sum += sign * score
        elif multi_channel is False:
            self.csat_single_responses += sign
            self.csat_single_satisfied += satisfied
            self.csat_single_sum += sign * score

    def _add_frt(self, seconds: float, multi_channel: bool | None, sign: int = 1) -> None:
        """Counts an FRT in, or with ``sign`` -1 takes it back out."""
        if sign > 0:
            self.frt_sketch.add(seconds)
        else:
            self.frt_sketch.remove(seconds)
        self.frt_sum += sign * seconds
        if multi_channel is True:
            self.frt_multi_count += sign
            self.frt_multi_sum += sign * seconds
        elif multi_channel is False:
            self.frt_single_count += sign
            self.frt_single_sum += sign * seconds

    def merge(self, other: WindowAccumulator) -> None:
        self.apply(other.changes())

    def changes(self) -> Changes:
        """What merging this accumulator adds: its non-zero counts and non-empty sketches,
        worked out once for a pane merged into many windows."""
        counts = [(name, value) for name in _COUNTS if (value := getattr(self, name))]
        sketches = [
            (name, sketch) for name in _SKETCHES if not (sketch := getattr(self, name)).empty
        ]
        return Changes(counts, sketches)

    def apply(self, changes: Changes) -> None:
        for name, value in changes.counts:
            setattr(self, name, getattr(self, name) + value)
        for name, sketch in changes.sketches:
            getattr(self, name).merge(sketch)

    def result(self) -> dict[str, float | None]:
        """The counts and figures of the window; a figure is None when its denominator is 0.
        Percentiles are ``QuantileSketch`` estimates of the nearest-rank quantile."""
        frt, ttr = self.frt_sketch, self.ttr_sketch
        counts: dict[str, float | None] = {name: getattr(self, name) for name in _COUNTS}
        return counts | {
            "frt_count": frt.count,
            "ttr_count": ttr.count,
            "csat_pct": _pct(self.csat_satisfied, self.csat_responses),
            "csat_avg": _avg(self.csat_sum, self.csat_responses),
            "csat_multi_pct": _pct(self.csat_multi_satisfied, self.csat_multi_responses),
            "csat_multi_avg": _avg(self.csat_multi_sum, self.csat_multi_responses),
            "csat_single_pct": _pct(self.csat_single_satisfied, self.csat_single_responses),
            "csat_single_avg": _avg(self.csat_single_sum, self.csat_single_responses),
            "nps": _pct(self.nps_promoters - self.nps_detractors, self.nps_responses),
            "ces_avg": _avg(self.ces_sum, self.ces_responses),
            "ces_easy_pct": _pct(self.ces_easy, self.ces_responses),
            "frt_avg_s": _avg(self.frt_sum, frt.count),
            "frt_multi_avg_s": _avg(self.frt_multi_sum, self.frt_multi_count),
            "frt_single_avg_s": _avg(self.frt_single_sum, self.frt_single_count),
            "frt_p50_s": frt.quantile(0.5),
            "frt_p90_s": frt.quantile(0.9),
            "frt_p99_s": frt.quantile(0.99),
            "ttr_p50_s": ttr.quantile(0.5),
            "ttr_p90_s": ttr.quantile(0.9),
            "ttr_p99_s": ttr.quantile(0.99),
            "fcr_pct": _pct(self.fcr_cases, self.resolved),
            "abandon_pct": _pct(self.abandoned, self.abandoned + self.answered_calls),
            "ivr_escape_pct": _pct(self.ivr_escapes, self.ivr_entered),
        }

    def to_dict(self) -> JsonDict:
        """The non-zero counts and non-empty sketches only: most of a window's counts are 0 (a
        minute's window of one channel has a handful of kinds), and a channel's windows are
        saved whole after every batch, so the zeros made two thirds of every changelog value."""
        data: JsonDict = {name: value for name in _COUNTS if (value := getattr(self, name))}
        for name in _SKETCHES:
            if (sketch := getattr(self, name)).count:
                data[name] = sketch.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: JsonDict) -> WindowAccumulator:
        """Reads ``to_dict``'s form, and the earlier one that held every field."""
        values: JsonDict = {
            name: QuantileSketch.from_dict(value) if name in _SKETCHES else value
            for name, value in data.items()
        }
        return cls(**values)

    def copy(self) -> WindowAccumulator:
        # Counts are immutable numbers, so only the sketches need copies. Going through
        # to_dict/from_dict instead was 2.5% of a worker's time (running results copy).
        counts = dict(zip(_COUNTS, _counts_of(self), strict=True))
        return WindowAccumulator(
            **counts, frt_sketch=self.frt_sketch.copy(), ttr_sketch=self.ttr_sketch.copy()
        )


# Every field but the sketches, in declaration order; worked out once, not per call, since
# to_dict and result run for every window the worker saves or emits.
_COUNTS = tuple(f.name for f in fields(WindowAccumulator) if f.name not in _SKETCHES)
_counts_of = attrgetter(*_COUNTS)


def _pct(part: float, whole: float) -> float | None:
    return None if whole == 0 else part * 100 / whole


def _avg(total: float, n: int) -> float | None:
    return None if n == 0 else total / n


@dataclass(frozen=True, slots=True)
class Watermarking:
    """How channels' watermarks are made and how late a contribution may be (see
    ``WindowClock``)."""

    allowed_lateness: timedelta = ALLOWED_LATENESS
    idle_s: float = SOURCE_IDLE_S
    inputs: frozenset[str] = frozenset()  # the sources that make watermarks; none: every source
    hold_s: float = 0.0  # how long unheard inputs hold a watermark after a channel's first record
    max_skew: timedelta = MAX_SKEW  # how far behind its furthest source a watermark may stay


class WindowClock:
    """Per-channel watermarks, and whether a window is closed under them.

    A channel's contributions come from several sources (input partitions) that are read at
    different speeds: a worker catching up a backlog can be hours ahead on one partition and
    behind on another. So a channel's watermark is the earliest of its sources' latest event
    times, as in Kafka Streams and Flink, and a slow source's events are not late merely
    because another source ran ahead. A source that has sent the channel nothing for
    ``idle_s`` of wall time is left out, or one quiet partition would hold the channel's windows
    open for good; its later events may then be late. When every source is quiet, the watermark
    is the latest time read from any. A watermark never goes back, so a window once closed stays
    closed.

    A watermark is never more than ``max_skew`` behind the latest time read from any of the
    channel's sources. Every window between the two stays open, and a channel's open windows
    are one table value, so without a bound a source hours behind the others (one input topic
    read faster than the other while a backlog is caught up) grows that value past what Kafka
    takes in one record (1 MB), and the worker stops. A source further behind than that has its
    contributions counted as late (the raw facts keep them), as with Flink's bounded
    out-of-orderness; within one worker, ``streams.alignment`` keeps its inputs far closer.

    ``inputs`` names the sources that make watermarks (the input partitions); records from other
    sources (SLA breaches, whose times follow their partition's clock) move none. An input not
    heard from yet holds a channel's watermark for ``hold_s`` after the channel's first record
    in this process: a cold worker's first batches may come from a few partitions only, whose
    latest times would otherwise make every other partition's backlog late. With no ``inputs``,
    every source makes watermarks. Wall times are the caller's (monotonic seconds) and are not
    saved: after a restore, sources count once heard from again.
    """

    __slots__ = ("_floor", "_heard", "_marks", "_sources", "_unheard", "policy")

    def __init__(self, policy: Watermarking = Watermarking()) -> None:
        self.policy = policy
        self._sources: dict[Channel, dict[str, datetime]] = {}  # latest event time per source
        self._marks: dict[Channel, datetime] = {}
        self._heard: dict[Channel, dict[str, float]] = {}  # wall time of a source's last record
        # wall time of the channel's first record here, and the inputs not heard from since
        self._unheard: dict[Channel, tuple[float, set[str]]] = {}
        self._floor: datetime | None = None  # the latest watermark imposed on every channel

    @property
    def allowed_lateness(self) -> timedelta:
        return self.policy.allowed_lateness

    def observe(self, channel: Channel, at: datetime, source: str = "", wall: float = 0.0) -> None:
        self.record(channel, at, source, wall)
        self._settle(channel, wall)

    def record(self, channel: Channel, at: datetime, source: str = "", wall: float = 0.0) -> None:
        """As ``observe``, but the watermark moves only at the next ``settle``."""
        inputs = self.policy.inputs
        if inputs and source not in inputs:
            return
        latest = self._sources.setdefault(channel, {})
        if source not in latest or at > latest[source]:
            latest[source] = at
        self._heard.setdefault(channel, {})[source] = wall
        unheard = self._unheard.get(channel)
        if unheard is None:
            self._unheard[channel] = (wall, set(inputs) - {source})
        else:
            unheard[1].discard(source)

    def settle(self, wall: float, channels: Iterable[Channel] | None = None) -> None:
        """Moves the watermarks of ``channels`` (default: every channel) on, leaving out sources
        idle at ``wall``."""
        for channel in self._sources if channels is None else channels:
            if channel in self._sources:
                self._settle(channel, wall)

    def _settle(self, channel: Channel, wall: float) -> None:
        pending = self._unheard.get(channel)
        if pending is None:
            pending = self._unheard[channel] = (wall, set())
        first, unheard = pending
        if unheard:
            if wall - first < self.policy.hold_s:
                return
            unheard.clear()
        latest = self._sources[channel]
        heard = self._heard.get(channel, {})
        idle = wall - self.policy.idle_s
        active = [at for source, at in latest.items() if heard.get(source, idle) > idle]
        if not latest:
            return
        furthest = max(latest.values())
        # Every source quiet: nothing more is on its way, so all that was read counts.
        mark = max(min(active), furthest - self.policy.max_skew) if active else furthest
        if channel not in self._marks or mark > self._marks[channel]:
            self._marks[channel] = mark

    def advance(self, watermark: datetime) -> None:
        """Moves every channel's watermark to at least ``watermark`` (for idle channels)."""
        if self._floor is None or watermark > self._floor:
            self._floor = watermark

    def watermark(self, channel: Channel) -> datetime | None:
        marks = [m for m in (self._marks.get(channel), self._floor) if m is not None]
        return max(marks, default=None)

    def is_closed(self, spec: WindowSpec, channel: Channel, start: datetime) -> bool:
        mark = self.watermark(channel)
        return mark is not None and mark >= start + spec.size + self.allowed_lateness

    def to_dict(self) -> JsonDict:
        return {
            "sources": {
                channel.value: {source: time_to_json(at) for source, at in latest.items()}
                for channel, latest in self._sources.items()
            },
            "marks": {channel.value: time_to_json(at) for channel, at in self._marks.items()},
            "floor": opt_time_to_json(self._floor),
        }

    @classmethod
    def from_dict(cls, data: JsonDict, policy: Watermarking = Watermarking()) -> WindowClock:
        """Also reads the form saved before watermarks were kept per source, whose ``latest``
        per channel becomes that channel's watermark."""
        clock = cls(policy)
        marks = data["marks"] if "marks" in data else data["latest"]
        clock._marks = {Channel(c): time_from_json(at) for c, at in marks.items()}
        clock._sources = {
            Channel(c): {source: time_from_json(at) for source, at in latest.items()}
            for c, latest in data.get("sources", {}).items()
        }
        clock._floor = opt_time_from_json(data["floor"])
        return clock


class WindowSnapshot(NamedTuple):
    spec: WindowSpec
    channel: Channel
    start: datetime
    accumulator: WindowAccumulator

    @property
    def end(self) -> datetime:
        return self.start + self.spec.size


@dataclass(slots=True)
class _Pane:
    """A batch's contributions to one pane of one channel, summed."""

    accumulator: WindowAccumulator = field(default_factory=WindowAccumulator)
    events: int = 0  # arriving touchpoints and survey answers, counted as late_events if late
    updates: int = 0  # derived figures, counted as late_updates if late

    def add(self, c: Contribution) -> None:
        self.accumulator.add(c)
        if c.kind in EVENT_KINDS:
            self.events += 1
        else:
            self.updates += 1


@dataclass(slots=True)
class _OpenWindow:
    accumulator: WindowAccumulator = field(default_factory=WindowAccumulator)
    changed: bool = False  # since its running result was last emitted
    emitted_at: datetime | None = None  # processing time of that emission
    # Its form in the last ``WindowStore.to_dict``, None once anything above changed: a
    # channel's windows are saved whole after every batch, and most of them did not change.
    saved: JsonDict | None = None


_Key = tuple[str, Channel, datetime]  # spec name, channel, start


class WindowStore:
    """The open windows of every spec and channel, fed with contributions.

    ``add`` files a contribution; ``closed`` hands over (and forgets) the windows the watermark
    has closed, for their final result; ``due_updates`` hands over copies of open windows that
    changed, at most once per ``emit_every`` of processing time each, for interim results.
    """

    __slots__ = ("_longest", "_open", "_pane", "clock", "emit_every", "specs")

    def __init__(
        self,
        specs: tuple[WindowSpec, ...] = DEFAULT_SPECS,
        emit_every: timedelta = EMIT_EVERY,
        watermarking: Watermarking = Watermarking(),
    ) -> None:
        self.specs = {spec.name: spec for spec in specs}
        # Every window starts and ends on a multiple of every spec's step from the epoch.
        steps = (spec.step // timedelta(microseconds=1) for spec in specs)
        self._pane = timedelta(microseconds=math.gcd(*steps))
        self._longest = max(spec.size for spec in specs)
        self.clock = WindowClock(watermarking)
        self.emit_every = emit_every
        self._open: dict[_Key, _OpenWindow] = {}

    def add(self, c: Contribution, source: str = "", wall: float = 0.0) -> None:
        """Files ``c``, which ``source`` sent at wall time ``wall`` (see ``WindowClock``)."""
        self.add_batch([(c, source)], wall)

    def add_batch(self, batch: Iterable[tuple[Contribution, str]], wall: float = 0.0) -> None:
        """Files contributions, each with its source, that arrived at wall time ``wall``.

        Whether a contribution is late is judged against its channel's watermark before the
        batch. Windows are emitted only after a batch (``closed``), so a window that the batch's
        own later records close still gets the batch's contributions into its final result.
        (A contribution cannot close its own window: it holds its watermark back to at most its
        own time, before its windows end.) Contributions are first summed per channel and
        pane, the longest span that every window boundary falls on (a minute for the default
        specs), so each window is updated once per pane rather than once per contribution: a
        pane lies wholly inside or outside any window.
        """
        marks: dict[Channel, datetime | None] = {}
        panes: dict[tuple[Channel, datetime], _Pane] = {}
        for c, source in batch:
            channel = c.channel
            if channel not in marks:
                marks[channel] = self.clock.watermark(channel)
            self.clock.record(channel, c.at, source, wall)
            key = (channel, EPOCH + (c.window_at - EPOCH) // self._pane * self._pane)
            pane = panes.get(key)
            if pane is None:
                pane = panes[key] = _Pane()
            pane.add(c)
        self.clock.settle(wall, marks)
        for (channel, start), pane in panes.items():
            self._file(channel, start, pane, marks[channel])

    def _file(self, channel: Channel, at: datetime, pane: _Pane, mark: datetime | None) -> None:
        changes = pane.accumulator.changes()
        for spec in self.specs.values():
            starts = windows_for(spec, at)
            if mark is None:  # no watermark yet: every window is open
                live = starts
            else:
                # is_closed's test, solved for the start once per spec rather than per window
                last_closed = mark - spec.size - self.clock.allowed_lateness
                live = [s for s in starts if s > last_closed]
            for start in live:
                self._touch(spec, channel, start).accumulator.apply(changes)
            if mark is not None and len(live) < len(starts):
                for start in windows_for(spec, mark):
                    acc = self._touch(spec, channel, start).accumulator
                    acc.late_events += pane.events
                    acc.late_updates += pane.updates

    def _touch(self, spec: WindowSpec, channel: Channel, start: datetime) -> _OpenWindow:
        key = (spec.name, channel, start)
        window = self._open.get(key)
        if window is None:
            window = self._open[key] = _OpenWindow()
        window.changed, window.saved = True, None
        return window

    def closed_before(self, channel: Channel) -> datetime | None:
        """A time such that every window of ``channel`` holding an earlier time is closed (or
        will be at the next ``closed``), None before the channel has a watermark."""
        mark = self.clock.watermark(channel)
        if mark is None:
            return None
        return mark - self._longest - self.clock.allowed_lateness

    def closed(
        self, watermark: datetime | None = None, wall: float | None = None
    ) -> list[WindowSnapshot]:
        """Removes and returns the windows now closed, by end, spec and channel. ``watermark``,
        when given, first advances every channel's watermark to it; ``wall`` first leaves out
        the sources idle at that wall time."""
        if wall is not None:
            self.clock.settle(wall)
        if watermark is not None:
            self.clock.advance(watermark)
        done = [
            key for key in self._open if self.clock.is_closed(self.specs[key[0]], key[1], key[2])
        ]
        shots = [self._snapshot(key, self._open.pop(key).accumulator) for key in done]
        return sorted(shots, key=lambda s: (s.end, s.spec.name, s.channel.value))

    def due_updates(self, now: datetime) -> list[WindowSnapshot]:
        """Copies of the open windows whose running result should be emitted at processing time
        ``now``: changed since their last emission, which is at least ``emit_every`` ago."""
        due: list[WindowSnapshot] = []
        for key, window in self._open.items():
            last = window.emitted_at
            if window.changed and (last is None or now - last >= self.emit_every):
                window.changed, window.emitted_at, window.saved = False, now, None
                due.append(self._snapshot(key, window.accumulator.copy()))
        return sorted(due, key=lambda s: (s.start, s.spec.name, s.channel.value))

    def _snapshot(self, key: _Key, accumulator: WindowAccumulator) -> WindowSnapshot:
        name, channel, start = key
        return WindowSnapshot(self.specs[name], channel, start, accumulator)

    def to_dict(self) -> JsonDict:
        """Shares each unchanged window's form with the previous result: neither is mutated."""
        return {
            "clock": self.clock.to_dict(),
            "windows": [self._saved(key, window) for key, window in self._open.items()],
        }

    @staticmethod
    def _saved(key: _Key, window: _OpenWindow) -> JsonDict:
        if window.saved is None:
            name, channel, start = key
            window.saved = {
                "spec": name,
                "channel": channel.value,
                "start": time_to_json(start),
                "changed": window.changed,
                "emitted_at": opt_time_to_json(window.emitted_at),
                "accumulator": window.accumulator.to_dict(),
            }
        return window.saved

    @classmethod
    def from_dict(
        cls,
        data: JsonDict,
        specs: tuple[WindowSpec, ...] = DEFAULT_SPECS,
        emit_every: timedelta = EMIT_EVERY,
        watermarking: Watermarking = Watermarking(),
    ) -> WindowStore:
        """The store ``to_dict`` saved, under the given (current) configuration."""
        store = cls(specs, emit_every, watermarking)
        store.clock = WindowClock.from_dict(data["clock"], watermarking)
        for row in data["windows"]:
            if row["spec"] not in store.specs:
                continue  # a spec the configuration no longer has: nobody wants its result
            key = (row["spec"], Channel(row["channel"]), time_from_json(row["start"]))
            store._open[key] = _OpenWindow(
                WindowAccumulator.from_dict(row["accumulator"]),
                row["changed"],
                opt_time_from_json(row["emitted_at"]),
                row,
            )
        return store
