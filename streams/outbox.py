"""What a batch of input events writes to the worker's tables and contributes to the windows,
held back until everything the batch sent is on the broker.

Per batch: each event's facts, alerts and dead letters are sent as it is processed; its
contributions are gathered per channel and its table writes staged. At the end of the batch one
contributions record per channel is sent, the producer is flushed, and only then are the table
writes made. So a state write never reaches a changelog before the records its change caused:
after a crash, an event is either not applied in the recovered state, and its replay sends
again (the windows agent and the ClickHouse tables drop the copies, see ``streams.window_log``),
or applied with all it sent delivered. Writing per event instead, a changelog record could be
delivered while the event's contribution was still in the producer's buffer, and the replay
would then skip the event as applied: its contribution lost.

Reads during the batch go through the outbox and see its staged writes, so a case with two
events in one batch sees the first. Whoever else writes the same tables must not interleave
with a batch: the touchpoints and ticks agents hold ``CASES_LOCK`` across theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from faust.types import EventT
from faust.types.tables import TableT

from schemas.records import Channel
from streams.app import app
from streams.event_context import acting_for
from streams.metrics import Contribution
from streams.metrics.jsonable import JsonDict
from streams.publish import publish_contributions
from streams.window_log import wire_records

_DELETED = object()
# Events' contribution records per message, so that a message stays far below Kafka's 1 MB
# default limit however large a batch is: an event's record is about 200 bytes per contribution.
RECORDS_PER_MESSAGE = 250


class Outbox:
    __slots__ = ("_contributions", "_event", "_writes")

    def __init__(self) -> None:
        self._event: EventT[Any] | None = None
        # (table name, key) -> table, value or _DELETED, the event the write belongs to
        self._writes: dict[tuple[str, str], tuple[TableT[str, Any], object, EventT[Any]]] = {}
        self._contributions: dict[Channel, list[JsonDict]] = {}

    @contextmanager
    def acting_for(self, event: EventT[Any]) -> Iterator[None]:
        """Processes ``event``: what is staged meanwhile is written as part of it."""
        self._event = event
        try:
            with acting_for(event):
                yield
        finally:
            self._event = None

    def get(self, table: TableT[str, Any], key: str) -> Any:
        staged = self._writes.get((table.name, key))
        if staged is None:
            return table.get(key)
        return None if staged[1] is _DELETED else staged[1]

    def put(self, table: TableT[str, Any], key: str, value: object) -> None:
        self._writes[(table.name, key)] = (table, value, self._current())

    def delete(self, table: TableT[str, Any], key: str) -> None:
        self._writes[(table.name, key)] = (table, _DELETED, self._current())

    def _current(self) -> EventT[Any]:
        if self._event is None:
            raise RuntimeError("a table write must belong to the event being processed")
        return self._event

    def contribute(
        self, contributions: list[Contribution], source: str, offset: int, first_index: int = 0
    ) -> None:
        """Each contribution keeps its source and position, by which the windows agent drops
        copies (see ``streams.window_log``)."""
        for channel, value in wire_records(contributions, source, offset, first_index):
            self._contributions.setdefault(channel, []).append(value)

    async def finish(self) -> None:
        """Sends the contributions, waits until every record sent so far is delivered, then
        makes the table writes."""
        contributions, self._contributions = self._contributions, {}
        for channel, records in contributions.items():
            for first in range(0, len(records), RECORDS_PER_MESSAGE):
                await publish_contributions(channel, records[first : first + RECORDS_PER_MESSAGE])
        writes, self._writes = self._writes, {}
        if not writes:
            return
        await app.producer.flush()
        for (_, key), (table, value, event) in writes.items():
            with acting_for(event):
                if value is not _DELETED:
                    table[key] = value
                elif table.get(key) is not None:
                    del table[key]
