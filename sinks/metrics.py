"""What the sink counts, served as Prometheus metrics on ``sink_metrics_port``."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ROWS = Counter("touchstream_sink_rows_total", "Rows written to ClickHouse", ["table"])
BATCH_ROWS = Histogram(
    "touchstream_sink_batch_rows",
    "Rows per batch inserted",
    buckets=(1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000),
)
INSERT_SECONDS = Histogram(
    "touchstream_sink_insert_seconds",
    "Time to insert one batch (every table of it) into ClickHouse",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
INSERT_ERRORS = Counter(
    "touchstream_sink_insert_errors_total",
    "Failed batch inserts (each is retried with backoff)",
    ["error"],
)
DEAD_ROWS = Counter(
    "touchstream_sink_dead_rows_total",
    "Records the sink could not map to a table, stored as dead letters",
    ["reason"],
)
