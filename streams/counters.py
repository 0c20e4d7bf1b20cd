"""What the worker counts, as Prometheus metrics served on the worker's web port at /metrics."""

from __future__ import annotations

from prometheus_client import Counter

EVENTS = Counter("touchstream_events_total", "Input records processed", ["topic", "outcome"])
DEAD_LETTERS = Counter(
    "touchstream_dead_letters_total", "Records sent to the dead-letter topic", ["topic", "reason"]
)
DUPLICATES = Counter("touchstream_duplicates_total", "Records dropped as already seen", ["topic"])
WINDOW_RESULTS = Counter(
    "touchstream_window_results_total", "Window results emitted", ["window", "final"]
)
ALERTS = Counter("touchstream_alerts_total", "Alerts raised", ["kind"])
