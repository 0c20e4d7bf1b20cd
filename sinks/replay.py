"""``touchstream replay``: rebuild ClickHouse from the worker's output topics, e.g. after a
migration added a column or a table was lost, without doubling any figure.

It reads every partition of the sink's topics from the start (no consumer group: the running
sink's committed offsets stay as they are) up to the end they had when it began, and writes the
rows exactly as the sink does. Rows already in ClickHouse are written again, which the tables
absorb: each is a ReplacingMergeTree keyed by what identifies its fact, and the BI views read
with FINAL (see sinks/sink.py). ``--since T`` keeps only records produced at or after T (their
Kafka timestamp): the facts that changed since then, the later versions of older cases included.

After a change of the worker's logic the facts themselves must be computed again: run a worker
under a new ``TOUCHSTREAM_APP_ID`` (a new consumer group and empty state, so it reads the input
topics from the start); its facts replace the old ones through the running sink (same keys; window
results by their newer revision). See README "Replay".
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated

import typer
from kafka import KafkaConsumer, TopicPartition
from rich.console import Console

from sinks.batch import Row, backoff_s
from sinks.clickhouse import connect
from sinks.sink import insert, to_row, topics
from touchstream.kafka_options import consumer_options
from touchstream.settings import Settings, load_settings
from touchstream.since import parse_since

log = logging.getLogger(__name__)
INSERT_ATTEMPTS = 8


def replay(settings: Settings, since: datetime | None = None) -> Counter[str]:
    """Rows written per table."""
    consumer = KafkaConsumer(**consumer_options(settings), enable_auto_commit=False)
    client = connect(settings, "writer")
    written: Counter[str] = Counter()
    since_ms = None if since is None else int(since.timestamp() * 1000)
    try:
        assigned = [
            TopicPartition(topic, p)
            for topic in topics(settings)
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = consumer.end_offsets(assigned)
        pending = {tp for tp in assigned if ends[tp] > 0}
        batch: dict[str, list[Row]] = {}
        while pending:
            polled = consumer.poll(timeout_ms=1000, max_records=settings.sink_batch_rows)
            for tp, records in polled.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        break  # written after the replay began: the running sink's
                    if since_ms is None or record.timestamp >= since_ms:
                        table, row = to_row(tp.topic, tp.partition, record.offset, record.value)
                        batch.setdefault(table, []).append(row)
                if consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
            if sum(map(len, batch.values())) >= settings.sink_batch_rows or not pending:
                _insert_until_taken(client, batch, settings.sink_retry_max_s)
                written.update({table: len(rows) for table, rows in batch.items()})
                batch = {}
    finally:
        consumer.close()
        client.close()
    return written


def _insert_until_taken(client: object, batch: dict[str, list[Row]], cap_s: float) -> None:
    attempt = 0
    while True:
        try:
            insert(client, batch)  # type: ignore[arg-type]
            return
        except Exception as exc:  # clickhouse-connect raises several types when down
            delay = backoff_s(attempt, cap_s)
            attempt += 1
            log.warning(
                "insert failed (%s); retry %d in %.2f s", type(exc).__name__, attempt, delay
            )
            time.sleep(delay)


def replay_command(
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="every record the topics hold")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(help="only records produced since 30m, 2h, 1d or an ISO time"),
    ] = None,
) -> None:
    """Rebuild ClickHouse's facts, windows, alerts and dead letters from the topics."""
    if from_beginning == (since is not None):
        raise typer.BadParameter("give exactly one of --from-beginning and --since")
    start = None if since is None else parse_since(since, datetime.now(UTC))
    written = replay(load_settings(), start)
    console = Console()
    for table, count in sorted(written.items()):
        console.print(f"{table:<16} {count:>10,} rows")
    console.print(f"{'total':<16} {sum(written.values()):>10,} rows")
