"""One channel's entry in the worker's ``windows`` table: its open windows, per upstream
partition the position of the last contribution they hold, and the cases whose SLA breach
they hold.

Contributions travel from the input agents to the windows agent through a topic keyed by
channel, a batch's worth per record. After a crash the input agents replay what they had not
committed and may send some contributions again; each carries its source (e.g.
``cx.touchpoints:3``) and position there (offset, index within the event), which only grows per
source, so a position at or below the one recorded here was already added. Recording it in the
same table value as the windows makes the check and the addition one changelog record.

An SLA breach has no event of its own: the deadline queue raises it once its partition's event
time passes the deadline (``streams.breaches``), and where that happens in a replay is not
where it happened the first time. A replay's clock starts without the events before it, so it
can pass a deadline later; its deadline queue is refilled from a table that may already hold
cases read after the replay's start, so it can raise their breaches sooner. No position orders
breaches across a replay, so each carries its case and counts once per case. A case is kept
until every window holding its deadline has closed; a copy arriving after that is late, and
adds only to ``late_updates`` (again), not to any figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from schemas.records import Channel
from streams.channel_alerts import ChannelAlertState
from streams.metrics import Contribution, Watermarking, WindowStore
from streams.metrics.contribution import CHANNELS
from streams.metrics.jsonable import JsonDict

Position = tuple[int, int]  # source offset, index of the contribution within that event


@dataclass(slots=True)
class ChannelWindows:
    store: WindowStore
    applied: dict[str, Position] = field(default_factory=dict)  # source -> position
    alerts: ChannelAlertState = field(default_factory=ChannelAlertState)
    breached: dict[str, float] = field(default_factory=dict)  # case -> deadline, epoch seconds

    def add(self, contribution: Contribution, source: str, position: Position, wall: float) -> bool:
        """Adds the contribution, read at wall time ``wall``, unless it was added before; says
        whether it was."""
        return self.add_batch([(contribution, source, position)], wall)

    def add_batch(self, batch: Iterable[Sourced], wall: float) -> bool:
        """Adds the contributions (all of this channel) not added before, as one batch of the
        store (see ``WindowStore.add_batch``); says whether any was new."""
        fresh: list[tuple[Contribution, str]] = []
        applied, breached = self.applied, self.breached
        for contribution, source, position in batch:
            case_id = contribution.case_id
            if case_id is not None:
                if case_id in breached:
                    continue
                breached[case_id] = contribution.at.timestamp()
            elif position > applied.get(source, (-1, -1)):
                applied[source] = position
            else:
                continue
            fresh.append((contribution, source))
        self.store.add_batch(fresh, wall)
        if fresh and breached:
            self._forget_breaches(fresh[0][0].channel)
        return bool(fresh)

    def _forget_breaches(self, channel: Channel) -> None:
        """Forgets the cases whose deadline no open window holds any longer."""
        closed_before = self.store.closed_before(channel)
        if closed_before is None:
            return
        horizon = closed_before.timestamp()
        if min(self.breached.values()) < horizon:
            self.breached = {case: at for case, at in self.breached.items() if at >= horizon}

    def to_dict(self) -> JsonDict:
        return {
            "store": self.store.to_dict(),
            "applied": {source: list(pos) for source, pos in self.applied.items()},
            "alerts": self.alerts.to_dict(),
            "breached": dict(self.breached),
        }

    @classmethod
    def from_dict(
        cls, data: JsonDict, emit_every: timedelta, watermarking: Watermarking
    ) -> ChannelWindows:
        store = WindowStore.from_dict(
            data["store"], emit_every=emit_every, watermarking=watermarking
        )
        applied = {source: (pos[0], pos[1]) for source, pos in data["applied"].items()}
        alerts = ChannelAlertState.from_dict(data["alerts"])
        return cls(store, applied, alerts, dict(data.get("breached", {})))

    @classmethod
    def new(cls, emit_every: timedelta, watermarking: Watermarking) -> ChannelWindows:
        return cls(WindowStore(emit_every=emit_every, watermarking=watermarking))


Sourced = tuple[Contribution, str, Position]  # a contribution, its source and position there


# [source, offset, [[index, kind, at, value, multi_channel, ref_at(, case_id)]...]]
WireEvent = list[object]


def wire_records(
    contributions: list[Contribution], source: str, offset: int, first_index: int = 0
) -> list[tuple[Channel, WireEvent]]:
    """What one input record contributes, per channel (most records contribute to one channel
    only), as rows of the contributions topic's record for that channel: its source, offset
    and, for each contribution, its index in the record (so that its position stays its own)
    and its fields but the channel, which the record names once (``wire_message``); the case
    only where there is one (a breach). Rows, not
    objects: a round trip through JSON took 2.8 µs a contribution as objects with their field
    names, 1.3 as rows, and half the bytes."""
    by_channel: dict[Channel, list[list[object]]] = {}
    for index, c in enumerate(contributions, start=first_index):
        row = [index, c.kind, c.at, c.value, c.multi_channel, c.ref_at]
        if c.case_id is not None:
            row.append(c.case_id)
        by_channel.setdefault(c.channel, []).append(row)
    return [(channel, [source, offset, rows]) for channel, rows in by_channel.items()]


def wire_message(channel: Channel, events: list[WireEvent]) -> JsonDict:
    """A record of the contributions topic: the contributions of a batch of events to one
    channel, each event's as ``wire_records`` made them."""
    return {"channel": channel, "events": events}


def read_wire(value: JsonDict) -> list[Sourced]:
    """The contributions in a record of the contributions topic (``wire_message``). Records of
    the forms workers of earlier versions wrote (a batch's ``records`` of objects, one event's
    ``contributions``, a single ``contribution``) still read, as they can be on the topic while
    workers are upgraded."""
    if "events" in value:
        channel = CHANNELS[value["channel"]]
        return [
            (Contribution.from_row(channel, row), source, (offset, row[0]))
            for source, offset, rows in value["events"]
            for row in rows
        ]
    if "records" in value:
        return [sourced for record in value["records"] for sourced in read_wire(record)]
    if "contribution" in value:
        source, offset, index = value["source"]
        return [(Contribution.from_dict(value["contribution"]), source, (offset, index))]
    source, offset = value["source"]
    return [
        (Contribution.from_dict(data), source, (offset, index))
        for index, data in value["contributions"]
    ]


def add_batch(
    batch: Iterable[Sourced], load: Callable[[Channel], ChannelWindows], wall: float
) -> dict[Channel, ChannelWindows]:
    """Adds a batch of contributions, read at wall time ``wall``, to their channels' windows,
    loading each channel once; returns the windows of the channels that took at least one (the
    ones to emit and save)."""
    by_channel: dict[Channel, list[Sourced]] = {}
    for sourced in batch:
        by_channel.setdefault(sourced[0].channel, []).append(sourced)
    changed: dict[Channel, ChannelWindows] = {}
    for channel, contributions in by_channel.items():
        windows = load(channel)
        if windows.add_batch(contributions, wall):
            changed[channel] = windows
    return changed
