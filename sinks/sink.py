"""``touchstream sink``: the worker's output topics -> ClickHouse, in batches, at least once.

Offsets are committed only after ClickHouse acknowledged every insert of a batch, so a crash
loses nothing: the uncommitted records are read again. A batch may therefore be written twice
(crash between insert and commit), and with other boundaries the second time, because the
restarted consumer polls anew. That is why replays are made harmless by the tables, not by
``insert_deduplication_token``: a token only matches a block with the same boundaries, and on the
local chdb server a repeated token still reaches the materialized views. Every table is a
ReplacingMergeTree whose sorting key identifies the fact (sinks/migrations/0001_facts.sql), the
BI views read it with FINAL, and the one materialized view keeps only uniqExact states, which a
duplicate cannot change.

While ClickHouse is down the sink retries the batch with capped exponential backoff and pauses
its partitions, so it holds one batch at most instead of reading on. It keeps calling ``poll``
while paused, so the group does not consider it dead.

Test hook: with ``TOUCHSTREAM_SINK_CRASH_AFTER_INSERT=1`` the process SIGKILLs itself after its
first acknowledged insert and before the commit (tests/integration/sinks). Never set it otherwise.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from types import FrameType
from weakref import WeakKeyDictionary

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.insert import InsertContext
from kafka import ConsumerRebalanceListener, KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata, TopicPartition
from prometheus_client import start_http_server

from schemas import codec
from sinks import metrics
from sinks.batch import Batch, Row, backoff_s
from sinks.clickhouse import connect
from sinks.rows import TABLES, dead_letter_row
from touchstream.gc_thresholds import set_thresholds
from touchstream.kafka_options import consumer_group_options, consumer_options
from touchstream.settings import Settings, load_settings

log = logging.getLogger(__name__)

CRASH_AFTER_INSERT = "TOUCHSTREAM_SINK_CRASH_AFTER_INSERT"
LAG_EVERY_S = 5.0
_COLUMNS = {table.name: table.columns for table in TABLES.values()}


def topics(settings: Settings) -> list[str]:
    return [
        settings.topic_fact_touchpoints,
        settings.topic_fact_feedback,
        settings.topic_fact_cases,
        settings.topic_windows,
        settings.topic_alerts,
        settings.topic_deadletter,
    ]


def group_id(settings: Settings) -> str:
    return f"{settings.app_id}-sink"


def to_row(topic: str, partition: int, offset: int, value: bytes | None) -> tuple[str, Row]:
    """The table and row of one record. A record the codec cannot read, or of a kind no table
    holds, becomes a dead-letter row, so one bad record cannot stop its partition."""
    try:
        subject, datum = codec.decode(value or b"")
    except codec.DecodeError as exc:
        reason, detail = exc.reason, exc.detail
    else:
        table = TABLES.get(subject)
        if table is not None:
            return table.name, table.row(datum)
        reason, detail = "schema_mismatch", f"the sink stores no {subject} records"
    metrics.DEAD_ROWS.labels(reason).inc()
    now = datetime.now(UTC)
    return "dead_letters", dead_letter_row(topic, partition, offset, reason, detail,
                                           value or b"", now)


# Per client, each table's insert context: its column types, which clickhouse-connect would
# otherwise ask the server for (a DESCRIBE, one more round trip) before every insert.
_CONTEXTS: WeakKeyDictionary[Client, dict[str, InsertContext]] = WeakKeyDictionary()


def insert(client: Client, rows: dict[str, list[Row]]) -> None:
    """Tables are written one after another; a failure halfway retries them all, and the tables
    written already collapse the second copy."""
    contexts = _CONTEXTS.setdefault(client, {})
    try:
        for table, table_rows in rows.items():
            context = contexts.get(table)
            if context is None:
                context = client.create_insert_context(table, list(_COLUMNS[table]))
                contexts[table] = context
            client.insert(data=table_rows, context=context)
    except Exception:
        # The retry asks for the types again: a migration may have changed them meanwhile.
        contexts.clear()
        raise


class _DropOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Rows not yet committed belong to whoever gets their partitions next, who reads them again
    from the committed offsets; keeping them here would only write them twice. So every
    partition assigned is to be read from its committed offset (``rewind``), also one this sink
    had before: the client keeps such a partition's position, past the rows just dropped, which
    no commit would then cover. The listener runs on the client's IO thread, which may not ask
    the broker for the offsets: the sink seeks after the poll (``Sink._rewound``)."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.rewind: set[TopicPartition] = set()

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        if len(self.batch):
            log.info("partitions revoked: dropping %d uncommitted rows", len(self.batch))
        self.batch.clear()

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        log.info("assigned %s", sorted(f"{tp.topic}[{tp.partition}]" for tp in assigned))
        self.rewind |= set(assigned)


class Sink:
    def __init__(self, settings: Settings, stop: threading.Event) -> None:
        self.settings = settings
        self.stop = stop
        self.batch = Batch(settings.sink_batch_rows, settings.sink_batch_seconds)
        self.consumer = KafkaConsumer(
            **consumer_options(settings),
            group_id=group_id(settings),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **consumer_group_options(settings),
        )
        self.rebalance = _DropOnRevoke(self.batch)
        self.consumer.subscribe(topics(settings), listener=self.rebalance)
        self._client: Client | None = None
        self._lag_due = 0.0

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._measure_lag()
                self._fill()
                if self.batch.due():
                    self._flush()
            if len(self.batch):
                self._flush(attempts=1)
        finally:
            self.consumer.close(autocommit=False)
            if self._client is not None:
                self._client.close()

    def _fill(self) -> None:
        # Wake up when the oldest row is due, and at least once a second to notice a stop.
        timeout_s = min(self.batch.seconds_left(), 1.0)
        records: dict[TopicPartition, list[ConsumerRecord]] = self.consumer.poll(
            timeout_ms=int(timeout_s * 1000), max_records=self.batch.room()
        )
        for tp, messages in self._rewound(records).items():
            for message in messages:
                table, row = to_row(tp.topic, tp.partition, message.offset, message.value)
                self.batch.add(table, row, (tp.topic, tp.partition), message.offset)

    def _flush(self, attempts: int | None = None) -> None:
        """Insert the batch, retrying until ClickHouse takes it (or ``attempts`` ran out, or the
        sink is stopping: the rows stay uncommitted and are read again), then commit."""
        paused: set[TopicPartition] = set()
        attempt = 0
        while True:
            try:
                self._insert()
                break
            except Exception as exc:  # clickhouse-connect raises several types when down
                metrics.INSERT_ERRORS.labels(type(exc).__name__).inc()
                attempt += 1
                if (attempts is not None and attempt >= attempts) or self.stop.is_set():
                    log.warning(
                        "giving up on %d uncommitted rows: %s", len(self.batch), _brief(exc)
                    )
                    return
                if not paused:
                    paused = set(self.consumer.assignment())
                    self.consumer.pause(*paused)
                delay = backoff_s(attempt - 1, self.settings.sink_retry_max_s)
                log.warning("insert of %d rows failed (%s); retry %d in %.2f s, partitions paused",
                            len(self.batch), _brief(exc), attempt, delay)
                self._wait_paused(delay, paused)
                if not len(self.batch):  # revoked while waiting: nothing of ours to write
                    break
        if os.environ.get(CRASH_AFTER_INSERT) == "1":
            os.kill(os.getpid(), signal.SIGKILL)
        self._commit()
        if paused:
            self.consumer.resume(*(paused & self.consumer.assignment()))

    def _insert(self) -> None:
        if self._client is None:
            self._client = connect(self.settings, "writer")
        started = time.monotonic()
        insert(self._client, self.batch.rows)
        metrics.INSERT_SECONDS.observe(time.monotonic() - started)
        metrics.BATCH_ROWS.observe(len(self.batch))
        for table, rows in self.batch.rows.items():
            metrics.ROWS.labels(table).inc(len(rows))
        log.info("inserted %d rows into %s in %.0f ms", len(self.batch),
                 ", ".join(sorted(self.batch.rows)), (time.monotonic() - started) * 1000)

    def _commit(self) -> None:
        offsets = {
            TopicPartition(topic, partition): OffsetAndMetadata(offset, "", -1)
            for (topic, partition), offset in self.batch.next_offsets.items()
        }
        self.batch.clear()
        if not offsets:
            return
        try:
            self.consumer.commit(offsets=offsets)
        except Exception as exc:
            # A rebalance took the partitions: their new owner writes the rows again, harmlessly.
            log.warning("commit failed (%s); the rows will be written again", _brief(exc))

    def _wait_paused(self, seconds: float, paused: set[TopicPartition]) -> None:
        """Polls (the group needs it) without taking rows. A partition assigned meanwhile is not
        paused, so a poll may return its records: it goes back to the first of them and is paused
        too (``paused``), to be read once the insert is through."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set() and (left := deadline - time.monotonic()) > 0:
            self._measure_lag()
            records = self.consumer.poll(timeout_ms=int(min(left, 1.0) * 1000))
            for tp, messages in self._rewound(records).items():
                self.consumer.seek(tp, messages[0].offset)
                self.consumer.pause(tp)
                paused.add(tp)

    def _rewound(
        self, records: dict[TopicPartition, list[ConsumerRecord]]
    ) -> dict[TopicPartition, list[ConsumerRecord]]:
        """Seeks the partitions assigned since the last poll to their committed offsets, and
        leaves out what the poll read of them: it is read again from there."""
        rewind, self.rebalance.rewind = self.rebalance.rewind, set()
        for tp in rewind & self.consumer.assignment():
            committed = self.consumer.committed(tp)
            if committed is None:
                self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, committed)
        return {tp: messages for tp, messages in records.items() if tp not in rewind}

    def _measure_lag(self) -> None:
        """At most every LAG_EVERY_S: end offsets are a request to the broker."""
        if time.monotonic() < self._lag_due:
            return
        self._lag_due = time.monotonic() + LAG_EVERY_S
        assigned = self.consumer.assignment()
        try:
            ends = self.consumer.end_offsets(list(assigned))
            lags = {tp: max(0, ends[tp] - self.consumer.position(tp)) for tp in assigned}
        except Exception as exc:  # the broker may not answer now; the figure waits, not the sink
            log.warning("could not measure the lag (%s)", _brief(exc))
            return
        metrics.LAG.clear()  # partitions moved to another sink are that sink's to report
        for tp, lag in lags.items():
            metrics.LAG.labels(tp.topic, str(tp.partition)).set(lag)


def _brief(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"


def sink_command() -> None:
    """Write the worker's facts, windows, alerts and dead letters to ClickHouse."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    settings = load_settings()
    set_thresholds()
    if settings.sink_metrics_port:
        start_http_server(settings.sink_metrics_port, registry=metrics.REGISTRY)
    Sink(settings, stop).run()


if __name__ == "__main__":
    sink_command()
