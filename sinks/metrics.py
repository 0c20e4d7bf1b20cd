"""What the sink counts, served as Prometheus metrics on ``sink_metrics_port``.

In a registry of their own: other processes import the sink's module too (the CLI imports every
command), and a worker's /metrics should not show sink counters that never move there."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

ROWS = Counter(
    "touchstream_sink_rows_total", "Rows written to ClickHouse", ["table"], registry=REGISTRY
)
BATCH_ROWS = Histogram(
    "touchstream_sink_batch_rows",
    "Rows per batch inserted",
    buckets=(1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000),
    registry=REGISTRY,
)
INSERT_SECONDS = Histogram(
    "touchstream_sink_insert_seconds",
    "Time to insert one batch (every table of it) into ClickHouse",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
INSERT_ERRORS = Counter(
    "touchstream_sink_insert_errors_total",
    "Failed batch inserts (each is retried with backoff)",
    ["error"],
    registry=REGISTRY,
)
DEAD_ROWS = Counter(
    "touchstream_sink_dead_rows_total",
    "Records the sink could not map to a table, stored as dead letters",
    ["reason"],
    registry=REGISTRY,
)
LAG = Gauge(
    "touchstream_sink_consumer_lag",
    "Records on each assigned partition the sink has not read yet (end offset - position), "
    "measured every few seconds; grows while ClickHouse is down and the partitions are paused "
    "(approximate on the Tansu local broker, whose end offset can lag behind)",
    ["topic", "partition"],
    registry=REGISTRY,
)
