"""`touchstream produce --file F`: JSON lines -> validated, Avro-encoded records on their topics.

Each record is keyed by its case_id (or customer_id without a case) so that a case stays on one
partition. A bad line is reported with its line number and sent to the dead-letter topic with
the reason; the other lines go on.
"""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import typer
from kafka import KafkaProducer
from rich.console import Console

from schemas import codec
from schemas.deadletter import dead_letter_record
from schemas.jsonl import Record, parse_line
from schemas.records import Touchpoint
from schemas.validation import Rejection
from touchstream.kafka_options import producer_options
from touchstream.settings import Settings, load_settings
from touchstream.topics import ensure_topics

err = Console(stderr=True)


@dataclass
class ProduceSummary:
    produced: Counter[str] = field(default_factory=Counter)
    dead_lettered: Counter[str] = field(default_factory=Counter)


def destination(record: Record, settings: Settings) -> tuple[str, bytes]:
    """The topic and key of a record: keyed by case, or by customer without a case."""
    if isinstance(record, Touchpoint):
        return settings.topic_touchpoints, (record.case_id or record.customer_id).encode()
    return settings.topic_feedback, (record.case_id or record.customer_id).encode()


def produce_lines(
    lines: Iterable[str], settings: Settings, source: str, report: bool = True
) -> ProduceSummary:
    summary = ProduceSummary()
    # A dead letter's position is its line in this run: two runs (or two files of one name) must
    # not share it, or ClickHouse's dead_letters, keyed by position, keeps one letter of the two.
    run = f"file:{source}:{uuid.uuid4().hex[:12]}"
    producer = KafkaProducer(**producer_options(settings))
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            now = datetime.now(UTC)
            record = parse_line(line, now)
            if isinstance(record, Rejection):
                if report:
                    err.print(
                        f"line {number}: {record.reason}: {record.detail}",
                        markup=False,
                        highlight=False,
                    )
                dead = dead_letter_record(
                    line.rstrip("\r\n").encode(),
                    run,
                    -1,
                    number,
                    record.reason,
                    record.detail,
                    now,
                )
                producer.send(
                    settings.topic_deadletter, key=source.encode(), value=codec.encode(dead)
                )
                summary.dead_lettered[str(record.reason)] += 1
                continue
            topic, key = destination(record, settings)
            producer.send(topic, key=key, value=codec.encode(record))
            summary.produced[topic] += 1
        producer.flush()
    finally:
        producer.close()
    return summary


def produce_command(
    file: str = typer.Option(..., "--file", "-f", help="JSON lines file, or - for stdin"),
) -> None:
    """Validate, encode and produce records from a JSON lines file."""
    settings = load_settings()
    ensure_topics(settings)
    if file == "-":
        summary = produce_lines(sys.stdin, settings, "stdin")
    else:
        with Path(file).open(encoding="utf-8", errors="replace") as lines:
            summary = produce_lines(lines, settings, file)
    for topic, n in sorted(summary.produced.items()):
        err.print(f"produced {n} records to {topic}")
    for reason, n in sorted(summary.dead_lettered.items()):
        err.print(f"dead-lettered {n} records to {settings.topic_deadletter}: {reason}")
