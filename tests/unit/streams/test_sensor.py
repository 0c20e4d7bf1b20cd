"""The scraped sensor exports exactly what Faust's Prometheus sensor does for the same calls, once
published, and publishing again adds nothing."""

from __future__ import annotations

from typing import Any

from faust.sensors.prometheus import FaustMetrics, PrometheusMonitor
from faust.types import TP
from prometheus_client import CollectorRegistry

from streams.sensor import ScrapedPrometheusMonitor


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


def _samples(
    monitor_type: type[PrometheusMonitor], publishes: int = 1
) -> dict[tuple[str, Any], float]:
    registry = CollectorRegistry()
    monitor = monitor_type(metrics=FaustMetrics.create(registry, "t"))
    streams = [_Stream("agents.touchpoints"), _Stream("agents.windows")]
    tables = [_Table("cases"), _Table("seen")]
    for n in range(30):
        tp = TP(("cx.touchpoints", "cx.feedback")[n % 2], n % 3)
        message = _Message()
        monitor.on_message_in(tp, n, message)  # type: ignore[arg-type]
        monitor.track_tp_end_offset(tp, n + 10)
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
        if n == 12 and isinstance(monitor, ScrapedPrometheusMonitor):
            monitor.publish()  # a scrape midway
    for _ in range(publishes if isinstance(monitor, ScrapedPrometheusMonitor) else 0):
        monitor.publish()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for metric in registry.collect()
        for sample in metric.samples
        if not sample.name.endswith(("_created", "_bucket", "_sum"))  # times, not counts
    }


def test_same_series_and_values_as_faust_sensor() -> None:
    scraped, faust = _samples(ScrapedPrometheusMonitor), _samples(PrometheusMonitor)
    assert len(faust) > 10
    assert scraped == faust


def test_publishing_again_adds_nothing() -> None:
    assert _samples(ScrapedPrometheusMonitor, publishes=3) == _samples(PrometheusMonitor)


def test_counters_wait_for_a_publish() -> None:
    registry = CollectorRegistry()
    monitor = ScrapedPrometheusMonitor(metrics=FaustMetrics.create(registry, "t"))
    monitor.on_message_in(TP("cx.touchpoints", 0), 7, _Message())  # type: ignore[arg-type]
    assert registry.get_sample_value("t_messages_received_total") == 0
    monitor.publish()
    assert registry.get_sample_value("t_messages_received_total") == 1


def test_series_removed_at_a_rebalance_start_again_from_what_came_after() -> None:
    registry = CollectorRegistry()
    monitor = ScrapedPrometheusMonitor(metrics=FaustMetrics.create(registry, "t"))
    tp = TP("cx.touchpoints", 0)
    monitor.on_message_in(tp, 7, _Message())  # type: ignore[arg-type]
    monitor.on_rebalance_end(None, {"time_start": monitor.time()})  # type: ignore[arg-type]
    monitor.on_message_in(tp, 8, _Message())  # type: ignore[arg-type]
    monitor.publish()
    value = registry.get_sample_value(
        "t_messages_received_per_topic_total", {"topic": "cx.touchpoints"}
    )
    assert value == 1  # a fresh series after Faust removed the old one, and counted in
