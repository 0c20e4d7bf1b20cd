"""What a batch of input events writes to the worker's tables and contributes to the windows,
held back until everything the batch sent is on the broker.

Per batch: each event's facts, alerts and dead letters are staged in the outbox's sends
(``streams.sends``) as it is processed; its contributions are gathered per channel and its table
writes and case facts staged. At the end of the batch one case fact per case changed, of its
last state, and one contributions record per channel join the sends,
they are handed to the producer and delivered, and only then are the table writes made, their
changelog records delivered in turn before the batch's events may be acked (``streams.acks``).
So a state write never reaches a changelog before the records its change caused: after a
crash, an event is either not applied in the recovered state, and its replay sends again
(the windows agent and the ClickHouse tables drop the copies, see ``streams.window_log``), or
applied with all it sent delivered. Writing per event instead, a changelog record could be
delivered while the event's contribution was still in the producer's buffer, and the replay
would then skip the event as applied: its contribution lost. The table writes themselves go
in three rounds, each delivered before the next (``_round``), since one event's writes to
several tables land on their changelogs independently.

A table write changes the table's store and sends its changelog record itself, in the record
batches of ``streams.sends``, instead of through ``table[key] = value``: Faust's path there
(``Topic.send_soon``, its producer buffer, a future and a callback per record) cost 7% of a
worker's time at 2,000 touchpoints/s, as much as the rest of sending. It does what Faust's
``Table.on_key_set`` does for a non-windowed table on the memory store (``streams.faust_config``;
RocksDB would also need the persisted offsets Faust keeps from each record's delivery): the
record, serialised with the table's own serializers, to the changelog partition of the event
the write belongs to; the table sensors told.

Reads during the batch go through the outbox and see its staged writes, so a case with two
events in one batch sees the first. Whoever else writes the same tables must not interleave
with a batch: the input agents and the ticks agent hold ``CASES_LOCK`` across theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, cast

from faust.tables.base import Collection
from faust.types import EventT
from faust.types.tables import TableT
from faust.utils import json as faust_json
from mode.utils.compat import want_bytes

from schemas.records import Channel
from streams.app import app, awaiting_response, seen
from streams.event_context import ActingFor
from streams.metrics import CaseState, Contribution, summarize
from streams.publish import publish_case, publish_contributions
from streams.sends import Sends, delivered
from streams.window_log import WireEvent, wire_records

_DELETED = object()
_Staged = tuple[TableT[str, Any], str, object, EventT[Any]]  # table, key, value, event
# Events' contribution rows per message, so that a message stays far below Kafka's 1 MB
# default limit however large a batch is: an event's row is about 100 bytes per contribution.
RECORDS_PER_MESSAGE = 250


class Outbox:
    __slots__ = ("_cases", "_contributions", "_event", "_writes", "sends")

    def __init__(self) -> None:
        self.sends = Sends()
        self._event: EventT[Any] | None = None
        # (table name, key) -> table, value or _DELETED, the event the write belongs to
        self._writes: dict[tuple[str, str], tuple[TableT[str, Any], object, EventT[Any]]] = {}
        self._contributions: dict[Channel, list[WireEvent]] = {}
        self._cases: dict[str, CaseState] = {}

    def acting_for(self, event: EventT[Any]) -> _Acting:
        """Processes ``event``: what is staged meanwhile is written as part of it."""
        return _Acting(self, event)

    def get(self, table: TableT[str, Any], key: str) -> Any:
        staged = self._writes.get((table.name, key))
        if staged is None:
            # What ``table.get`` does for these tables (default None), without the KeyError a
            # missing key raises inside it: reads took 4.7% of a worker's samples that way and
            # 1.6% this way (py-spy), the misses nearly all on the awaiting-response table.
            app.sensors.on_table_get(table, key)
            return table.data.get(key)
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

    def publish_case(self, state: CaseState) -> None:
        """Stages the fact of ``state``'s case, replacing one staged before in the batch: a case
        fact is the case as known after its latest event (ClickHouse keeps the highest version),
        so only the last of a batch is worth summarising and encoding. In scenario core's
        traffic 27% of them were superseded in the same batch of 500 touchpoints."""
        self._cases[state.case_id] = state

    async def finish(self) -> None:
        """Sends the contributions with the rest, waits until they are all delivered, then makes
        the table writes round by round, each round's changelog records delivered before the
        next: the batch's events may be acked once this returns. A failed delivery raises,
        before any table write if it was one of the batch's records."""
        cases, self._cases = self._cases, {}
        for state in cases.values():
            publish_case(self.sends, summarize(state))
        contributions, self._contributions = self._contributions, {}
        for channel, records in contributions.items():
            for first in range(0, len(records), RECORDS_PER_MESSAGE):
                publish_contributions(
                    self.sends, channel, records[first : first + RECORDS_PER_MESSAGE]
                )
        await delivered(await self.sends.submit())
        writes, self._writes = self._writes, {}
        rounds: tuple[list[_Staged], ...] = ([], [], [])
        for (_, key), (table, value, event) in writes.items():
            rounds[_round(table, value)].append((table, key, value, event))
        for staged in rounds:
            changelog = Sends()
            for table, key, value, event in staged:
                _write(table, key, value, event.message.partition, changelog)
            # Awaited too: the producer's flush before Faust's commit returns whether or not a
            # record got through, so a changelog record lost after the events were acked lost
            # their state.
            await delivered(await changelog.submit())


class _Acting:
    __slots__ = ("_context", "_event", "_outbox")

    def __init__(self, outbox: Outbox, event: EventT[Any]) -> None:
        self._outbox, self._event, self._context = outbox, event, ActingFor(event)

    def __enter__(self) -> None:
        self._outbox._event = self._event
        self._context.__enter__()

    def __exit__(self, *exc_info: object) -> None:
        self._outbox._event = None
        self._context.__exit__(None, None, None)


def _round(table: TableT[str, Any], value: object) -> int:
    """Which of three rounds a table write goes in; each round's changelog records are delivered
    before the next round's are written. Records of one round go to several partitions, and a
    crash can let some of them through and not others. Ordered so that whatever got through,
    the state recovered is one that the replay of the batch's unacked events puts right:

    0. a deadline added to ``awaiting-response``. Recovered without it, a case waiting for its
       first response would have its breach raised only if a later event of the case came
       (the replay finds the case's event applied and adds no deadline). Recovered without its
       case's write, it is harmless: the replay applies the event again and keeps the deadline.
    1. ``cases``, whose entries say which events each case applied, and the other tables.
    2. ``seen``, which says that an event without a case, or a survey answer, was applied; a
       survey answer's write to its case (kept for the multi-channel split) must land first,
       or the answer would be counted but never moved. And a deadline removed from
       ``awaiting-response``: recovered, one whose case has been answered, breached or
       forgotten is dropped when it comes due (``streams.breaches``), where removed first, a
       breach whose case's write did not land would be lost.
    """
    if table is seen:
        return 2
    if table is awaiting_response:
        return 2 if value is _DELETED else 0
    return 1


def _write(
    table: TableT[str, Any], key: str, value: object, partition: int, changelog: Sends
) -> None:
    topic = table.changelog_topic
    store = table.data
    dump_key, dump_value = _dumpers(table)
    if value is _DELETED:
        if store.get(key) is None:
            return
        del store[key]
        serialized = None
        app.sensors.on_table_del(table, key)
    else:
        store[key] = value
        serialized = dump_value(value)
        app.sensors.on_table_set(table, key, value)
    changelog.add(topic.get_topic_name(), dump_key(key), serialized, partition)


Dump = Callable[[Any], bytes | None]


@cache
def _dumpers(table: TableT[str, Any]) -> tuple[Dump, Dump]:
    """The table's key and value serialisation, as Faust's changelog topic does it. For JSON
    (every table here) that is Faust's JSON, called directly: Faust's way there (topic, schema,
    registry, codec) cost 0.8 µs a key or value, three times the encoding itself."""
    collection = cast(Collection, table)
    topic = table.changelog_topic
    key_serializer, value_serializer = collection.key_serializer, collection.value_serializer

    def dump_key(key: Any) -> bytes | None:
        return cast(bytes | None, topic.prepare_key(key, key_serializer)[0])

    def dump_value(value: Any) -> bytes | None:
        return cast(bytes | None, topic.prepare_value(value, value_serializer)[0])

    return (
        _json_dump if key_serializer == "json" else dump_key,
        _json_dump if value_serializer == "json" else dump_value,
    )


def _json_dump(value: Any) -> bytes:
    return want_bytes(faust_json.dumps(value))
