"""The collector's Prometheus metrics, served at its ``/metrics``. Each app has its own registry,
so several apps in one process (the tests) count apart."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class CollectorMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "touchstream_collector_requests",
            "HTTP requests answered, by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        self.accepted = Counter(
            "touchstream_collector_items_accepted",
            "items produced to their topic, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "touchstream_collector_items_rejected",
            "items or bodies sent to the dead-letter topic, by kind and reason",
            ["kind", "reason"],
            registry=self.registry,
        )
        self.produce_seconds = Histogram(
            "touchstream_collector_produce_seconds",
            "from handing a request's messages to the producer to the broker's acknowledgement",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
