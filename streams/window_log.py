"""One channel's entry in the worker's ``windows`` table: its open windows and, per upstream
partition, the position of the last contribution they hold.

Contributions travel from the input agents to the windows agent through a topic keyed by
channel, a batch's worth per record. After a crash the input agents replay what they had not
committed and may send some contributions again; each carries its source (e.g.
``cx.touchpoints:3``) and position there (offset, index within the event), which only grows per
source, so a position at or below the one recorded here was already added. Recording it in the
same table value as the windows makes the check and the addition one changelog record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from schemas.records import Channel
from streams.channel_alerts import ChannelAlertState
from streams.metrics import Contribution, Watermarking, WindowStore
from streams.metrics.jsonable import JsonDict

Position = tuple[int, int]  # source offset, index of the contribution within that event


@dataclass(slots=True)
class ChannelWindows:
    store: WindowStore
    applied: dict[str, Position] = field(default_factory=dict)  # source -> position
    alerts: ChannelAlertState = field(default_factory=ChannelAlertState)

    def add(self, contribution: Contribution, source: str, position: Position, wall: float) -> bool:
        """Adds the contribution, read at wall time ``wall``, unless it was added before; says
        whether it was."""
        return self.add_batch([(contribution, source, position)], wall)

    def add_batch(self, batch: Iterable[Sourced], wall: float) -> bool:
        """Adds the contributions (all of this channel) not added before, as one batch of the
        store (see ``WindowStore.add_batch``); says whether any was new."""
        fresh: list[tuple[Contribution, str]] = []
        applied = self.applied
        for contribution, source, position in batch:
            if position > applied.get(source, (-1, -1)):
                fresh.append((contribution, source))
                applied[source] = position
        self.store.add_batch(fresh, wall)
        return bool(fresh)

    def to_dict(self) -> JsonDict:
        return {
            "store": self.store.to_dict(),
            "applied": {source: list(pos) for source, pos in self.applied.items()},
            "alerts": self.alerts.to_dict(),
        }

    @classmethod
    def from_dict(
        cls, data: JsonDict, emit_every: timedelta, watermarking: Watermarking
    ) -> ChannelWindows:
        store = WindowStore.from_dict(
            data["store"], emit_every=emit_every, watermarking=watermarking
        )
        applied = {source: (pos[0], pos[1]) for source, pos in data["applied"].items()}
        return cls(store, applied, ChannelAlertState.from_dict(data["alerts"]))

    @classmethod
    def new(cls, emit_every: timedelta, watermarking: Watermarking) -> ChannelWindows:
        return cls(WindowStore(emit_every=emit_every, watermarking=watermarking))


Sourced = tuple[Contribution, str, Position]  # a contribution, its source and position there


def wire_records(
    contributions: list[Contribution], source: str, offset: int, first_index: int = 0
) -> list[tuple[Channel, JsonDict]]:
    """The contributions topic's records for what one input record contributed: one per channel
    (most records contribute to one channel only), each contribution with its index in the
    record, so that its position stays its own. The contributions stay dataclasses: orjson
    writes each as the object ``Contribution.from_dict`` reads, in C, at a tenth of the cost of
    building that dict in Python."""
    by_channel: dict[Channel, list[list[object]]] = {}
    for index, contribution in enumerate(contributions, start=first_index):
        by_channel.setdefault(contribution.channel, []).append([index, contribution])
    return [
        (channel, {"source": [source, offset], "contributions": indexed})
        for channel, indexed in by_channel.items()
    ]


def read_wire(value: JsonDict) -> list[Sourced]:
    """The contributions in a record of the contributions topic: a batch's ``records`` (each a
    value of ``wire_records``), or one such value, or a single ``contribution``. The last two
    were written by workers of earlier versions and can still be on the topic while workers
    are upgraded."""
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
