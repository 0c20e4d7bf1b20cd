"""The cached sensor exports exactly what Faust's Prometheus sensor does for the same calls."""

from __future__ import annotations

from typing import Any

from faust.sensors.prometheus import FaustMetrics, PrometheusMonitor
from faust.types import TP
from prometheus_client import CollectorRegistry

from streams.sensor import CachedPrometheusMonitor


class _Message:
    time_in = time_out = time_total = None


class _Owner:
    pass


class _Stream:
    def __init__(self, label: str) -> None:
        self.shortlabel = f"Stream: {label}"
        self.task_owner = _Owner()


class _Table:
    def __init__(self, name: str) -> None:
        self.name = name


def _samples(monitor_type: type[PrometheusMonitor]) -> dict[tuple[str, Any], float]:
    registry = CollectorRegistry()
    monitor = monitor_type(metrics=FaustMetrics.create(registry, "t"))
    streams = [_Stream("agents.touchpoints"), _Stream("agents.windows")]
    tables = [_Table("cases"), _Table("seen")]
    for n in range(30):
        tp = TP(("cx.touchpoints", "cx.feedback")[n % 2], n % 3)
        message = _Message()
        monitor.on_message_in(tp, n, message)  # type: ignore[arg-type]
        stream = streams[n % 2]
        state = monitor.on_stream_event_in(tp, n, stream, None)  # type: ignore[arg-type]
        table = tables[n % 2]
        monitor.on_table_get(table, "k")  # type: ignore[arg-type]
        monitor.on_table_set(table, "k", n)  # type: ignore[arg-type]
        if n % 5 == 0:
            monitor.on_table_del(table, "k")  # type: ignore[arg-type]
        monitor.on_send_initiated(None, f"out.{n % 4}", None, 1, 2)  # type: ignore[arg-type]
        monitor.on_stream_event_out(tp, n, stream, None, state)  # type: ignore[arg-type]
        monitor.on_message_out(tp, n, message)  # type: ignore[arg-type]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for metric in registry.collect()
        for sample in metric.samples
        if not sample.name.endswith(("_created", "_bucket", "_sum"))  # times, not counts
    }


def test_same_series_and_values_as_faust_sensor() -> None:
    cached, faust = _samples(CachedPrometheusMonitor), _samples(PrometheusMonitor)
    assert len(faust) > 10
    assert cached == faust


def test_series_removed_at_a_rebalance_are_looked_up_again() -> None:
    registry = CollectorRegistry()
    monitor = CachedPrometheusMonitor(metrics=FaustMetrics.create(registry, "t"))
    tp = TP("cx.touchpoints", 0)
    monitor.on_message_in(tp, 7, _Message())  # type: ignore[arg-type]
    monitor.on_rebalance_end(None, {"time_start": monitor.time()})  # type: ignore[arg-type]
    monitor.on_message_in(tp, 8, _Message())  # type: ignore[arg-type]
    value = registry.get_sample_value(
        "t_messages_received_per_topic_total", {"topic": "cx.touchpoints"}
    )
    assert value == 1  # a fresh series after Faust removed the old one, and counted in
