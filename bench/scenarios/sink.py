"""Scenario "sink": rows/s into the local ClickHouse against the sink's batch size.

The rows are what the sink writes for realistic traffic: generated journeys run through the
worker's per-event work (``bench.scenarios.core.Pipeline``: touchpoint, case and feedback facts,
window results, as Avro), each record turned into its table and row by the sink's own
``sinks.sink.to_row``, gathered in the sink's ``sinks.batch.Batch`` of the size under test and
written by the sink's ``sinks.sink.insert`` (one INSERT per table in the batch) as the writer
user, exactly as ``touchstream sink`` does minus Kafka.

Each batch size gets a freshly migrated database (materialized views included, so their work
counts), one untimed warm-up batch, then batches until BUDGET_S of insert time and at least
MIN_BATCHES batches; rows/s = rows / seconds spent in ``insert``. The knee is the smallest size
reaching KNEE_SHARE of the best rows/s. The local ClickHouse is chdb behind a Python HTTP
server (deploy/local/clickhouse_http.py), so the figures are for that, not a ClickHouse server.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bench.pipeline import local_stack
from bench.report import Result
from bench.scenarios.core import Pipeline, encoded_traffic
from sinks.batch import Batch, Row
from sinks.clickhouse import connect
from sinks.migrate import migrate
from sinks.sink import insert, to_row
from touchstream.settings import Settings

SIZES = (100, 1_000, 5_000, 10_000, 20_000, 50_000, 100_000)
QUICK_SIZES = (100, 1_000, 5_000)
MIN_BATCHES = 3
KNEE_SHARE = 0.9
NOW = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)  # just after encoded_traffic's end


class _Facts(Pipeline):
    """The core scenario's per-event work, keeping what it sends to the sink's topics (Avro)
    instead of counting bytes; table writes (JSON changelog values) are not the sink's."""

    def __init__(self) -> None:
        super().__init__(lambda stage: None)
        self.sent: list[bytes] = []

    def _write(self, table: dict[str, object], key: str, value: object) -> None:
        table[key] = value

    def _out(self, data: bytes) -> None:
        self.sent.append(data)


def fact_rows(cases: int) -> list[tuple[str, Row]]:
    """(table, row) of every record the worker would publish for ``cases`` journeys."""
    facts = _Facts()
    for encoded in encoded_traffic(cases):
        facts.process(encoded, NOW)
    facts.flush(NOW)
    return [to_row("bench", 0, offset, value) for offset, value in enumerate(facts.sent)]


def rows_per_second(
    settings: Settings, size: int, rows: list[tuple[str, Row]], budget_s: float
) -> tuple[float, int, int]:
    """Rows/s of inserting batches of ``size`` into a fresh database; also rows and batches."""
    own = settings.model_copy(update={"clickhouse_database": f"bench_sink_{size}"})
    migrate(own)
    client = connect(own, "writer")
    batch = Batch(size, 3600.0)
    position = 0

    def fill() -> None:
        nonlocal position
        while batch.room():
            table, row = rows[position % len(rows)]
            batch.add(table, row, ("bench", 0), position)
            position += 1

    try:
        fill()
        insert(client, batch.rows)  # warm-up: connection, first parts, views
        batch.clear()
        spent, inserted, batches = 0.0, 0, 0
        while spent < budget_s or batches < MIN_BATCHES:
            fill()
            started = time.perf_counter()
            insert(client, batch.rows)
            spent += time.perf_counter() - started
            inserted += len(batch)
            batches += 1
            batch.clear()
    finally:
        client.close()
        admin = connect(own, "admin", database="default")
        admin.command(f"DROP DATABASE IF EXISTS {own.clickhouse_database}")
        admin.close()
    return inserted / spent, inserted, batches


def run(quick: bool) -> Result:
    sizes = QUICK_SIZES if quick else SIZES
    cases = 1_000 if quick else 10_000
    budget_s = 2.0 if quick else 10.0
    result = Result("sink", "rows/s into the local ClickHouse vs the sink's batch size")
    rows = fact_rows(cases)
    mix: dict[str, int] = {}
    for table, _ in rows:
        mix[table] = mix.get(table, 0) + 1
    with local_stack(broker=False) as stack:
        default = stack.settings.sink_batch_rows
        if default not in sizes:
            sizes = tuple(sorted({*sizes, default}))
        measured = {size: rows_per_second(stack.settings, size, rows, budget_s) for size in sizes}
    best_size = max(measured, key=lambda size: measured[size][0])
    best = measured[best_size][0]
    knee = min(size for size in sizes if measured[size][0] >= KNEE_SHARE * best)
    for size in sizes:
        result.add(f"rows/s at batch {size:,}", measured[size][0], "rows/s")
    result.add("knee: smallest batch within 90% of best", knee, "rows")
    result.add(f"default batch ({default:,}) / best ({best_size:,})",
               measured[default][0] / best, "ratio", ">= 0.8")
    result.params = {"cases": cases, "rows": len(rows), "sizes": "/".join(map(str, sizes)),
                     "budget_s": budget_s, "default_batch_rows": default}
    result.notes.append(
        f"{len(rows):,} distinct rows from {cases:,} generated journeys, reused in a cycle: "
        + ", ".join(f"{table} {n:,}" for table, n in sorted(mix.items()))
        + ". Per size: " + "; ".join(
            f"{size:,}: {n:,} rows in {b} batches" for size, (_, n, b) in measured.items()
        ) + "."
    )
    result.add(f"ms per batch at the default {default:,}", 1000 * default / measured[default][0],
               "ms")
    still_rising = knee == max(sizes)
    result.notes.append(
        f"Best {best:,.0f} rows/s at {best_size:,} rows; the default "
        f"TOUCHSTREAM_SINK_BATCH_ROWS={default:,} reaches {measured[default][0] / best:.0%} of "
        "it. "
        + (
            "No knee within the sizes measured: rows/s still rose at the largest batch. "
            if still_rising
            else f"Rows/s stops rising at about {knee:,} rows. "
        )
        + "Milliseconds per batch (one INSERT per table in it): "
        + ", ".join(f"{size:,}: {1000 * size / rate:.0f}" for size, (rate, _, _) in
                    measured.items())
        + "; small batches pay mostly the fixed cost of an INSERT, not their rows. The row "
        "limit costs no freshness: a row waits in the sink at most "
        "TOUCHSTREAM_SINK_BATCH_SECONDS whatever the limit, and below limit / seconds rows per "
        "second the time limit is what flushes."
    )
    return result
