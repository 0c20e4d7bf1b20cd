"""What the worker counts, as Prometheus metrics served on the worker's web port at /metrics."""

from __future__ import annotations

from faust.sensors.prometheus import FaustMetrics
from prometheus_client import REGISTRY, Counter, Gauge, Histogram

EVENTS = Counter("touchstream_events_total", "Input records processed", ["topic", "outcome"])
RECORDS_OUT = Counter("touchstream_records_out_total", "Records the worker produced", ["topic"])
DEAD_LETTERS = Counter(
    "touchstream_dead_letters_total", "Records sent to the dead-letter topic", ["topic", "reason"]
)
DUPLICATES = Counter("touchstream_duplicates_total", "Records dropped as already seen", ["topic"])
LATE = Counter(
    "touchstream_late_events_total",
    "Touchpoints and survey answers that came after their window closed, counted when the hour "
    "they arrived in is final",
    ["channel"],
)
# Apart from late events: an FCR correction comes with a reopen up to 7 days after the
# resolution whose closed window it belongs to, so these are expected where events are not.
LATE_UPDATES = Counter(
    "touchstream_late_updates_total",
    "Figures derived from events (an FCR correction, a response time, ...) that came after the "
    "window they belong to closed, counted when the hour they arrived in is final",
    ["channel"],
)
WINDOW_RESULTS = Counter(
    "touchstream_window_results_total", "Window results emitted", ["window", "final"]
)
EMIT_DELAY = Histogram(
    "touchstream_window_emit_delay_seconds",
    "Wall-clock seconds from a window's end to its final result (lateness + processing; large "
    "when replaying old traffic)",
    buckets=(1, 5, 15, 60, 300, 600, 900, 1800, 3600, 86400),
)
ALERTS = Counter("touchstream_alerts_total", "Alerts raised", ["kind"])
LAG = Gauge(
    "touchstream_consumer_lag",
    "Records waiting per input partition (high-water - next offset; approximate on the Tansu "
    "local broker, whose high-water can lag behind)",
    ["topic", "partition"],
)
STALLED = Gauge(
    "touchstream_agent_stalled",
    "1 while an input partition has records waiting and has not moved for liveness_stall_s",
    ["topic", "partition"],
)
PAUSED = Gauge(
    "touchstream_paused_partitions",
    "Input partitions paused for running too far ahead in event time of the slowest one "
    "(watermark alignment, streams.alignment)",
)
HELD = Gauge(
    "touchstream_held_events",
    "Input events read but held back for being too far ahead in event time of the slowest "
    "partition behind (watermark alignment at delivery, streams.alignment)",
)
ALIGNMENT_PAUSES = Counter(
    "touchstream_alignment_pauses_total", "Input partitions paused by watermark alignment"
)
# Faust's own sensor: messages in per topic and partition, event runtime, sends and their
# latency, commit latency, rebalances, table operations. streams.agents.web installs it as the
# app's monitor.
FAUST = FaustMetrics.create(REGISTRY, "touchstream_faust")
