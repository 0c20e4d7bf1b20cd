"""Faust's Prometheus sensor, with the Prometheus series brought up to date when scraped
instead of on every message.

Faust's ``PrometheusMonitor`` updates about ten Prometheus series for each message: counters
and gauges for it coming in, its event, the event's end, its ack, the partition's end offset,
and each table read and write. Every update takes the metric's lock, and the series with labels
are looked up per call: 13.7 µs of hooks for one of a worker's events (its calls made in a loop;
about 10% of a production-profile worker's samples under py-spy). Faust's plain ``Monitor``,
which this sensor still is, keeps the same figures as plain ints and dicts per message (and
Faust reads some of them: ``stream_inbound_time`` for its slow-stream warnings). This sensor
lets it, and ``publish`` sets the Prometheus series from its figures: the worker's /metrics
calls it before each scrape, and so does a rebalance before Faust drops the partitions'
series. Only the event runtime histogram is still observed per event, as its buckets need
every value.
"""

from __future__ import annotations

from typing import Any

from faust.sensors.monitor import Monitor
from faust.sensors.prometheus import PrometheusMonitor
from faust.types import TP, AppT, CollectionT, EventT, Message, StreamT


class ScrapedPrometheusMonitor(PrometheusMonitor):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stream_labels: dict[str, str] = {}  # Monitor's key of a stream -> its label
        # What the counters were brought to, per series, so that each publish adds the rest.
        self._published: dict[tuple[str, object], int] = {}

    def on_message_in(self, tp: TP, offset: int, message: Message) -> None:
        Monitor.on_message_in(self, tp, offset, message)

    def on_stream_event_in(
        self, tp: TP, offset: int, stream: StreamT[Any], event: EventT[Any]
    ) -> dict[str, Any] | None:
        state = Monitor.on_stream_event_in(self, tp, offset, stream, event)
        key = self.stream_lookup[stream]
        if key not in self._stream_labels:
            self._stream_labels[key] = f"stream.{self._stream_label(stream)}.events"
        return state

    def on_stream_event_out(
        self,
        tp: TP,
        offset: int,
        stream: StreamT[Any],
        event: EventT[Any],
        state: dict[str, Any] | None = None,
    ) -> None:
        Monitor.on_stream_event_out(self, tp, offset, stream, event, state)
        if state is not None:
            self._metrics.events_runtime_latency.observe(self.secs_to_ms(state["time_total"]))

    def on_message_out(self, tp: TP, offset: int, message: Message) -> None:
        Monitor.on_message_out(self, tp, offset, message)

    def on_table_get(self, table: CollectionT, key: Any) -> None:
        Monitor.on_table_get(self, table, key)

    def on_table_set(self, table: CollectionT, key: Any, value: Any) -> None:
        Monitor.on_table_set(self, table, key, value)

    def on_table_del(self, table: CollectionT, key: Any) -> None:
        Monitor.on_table_del(self, table, key)

    def track_tp_end_offset(self, tp: TP, offset: int) -> None:
        Monitor.track_tp_end_offset(self, tp, offset)

    def publish(self) -> None:
        """Brings the Prometheus series up to the figures counted since the last publish."""
        metrics = self._metrics
        self._add(metrics.messages_received, "messages", (), self.messages_received_total)
        for topic, count in list(self.messages_received_by_topic.items()):
            self._add(metrics.messages_received_per_topics, "topic", (topic,), count)
        self._add(metrics.total_events, "events", (), self.events_total)
        for key, count in list(self.events_by_stream.items()):
            label = self._stream_labels.get(key)
            if label is not None:
                self._add(metrics.total_events_per_stream, "stream", (label,), count)
        for name, table in list(self.tables.items()):
            for operation, count in (
                (self.KEYS_RETRIEVED, table.keys_retrieved),
                (self.KEYS_UPDATED, table.keys_updated),
                (self.KEYS_DELETED, table.keys_deleted),
            ):
                self._add(metrics.table_operations, "table", (f"table.{name}", operation), count)
        metrics.active_messages.set(self.messages_active)
        metrics.total_active_events.set(self.events_active)
        for tp, offset in list(self.tp_read_offsets.items()):
            metrics.messages_received_per_topics_partition.labels(tp.topic, tp.partition).set(
                offset
            )
        for tp, offset in list(self.tp_end_offsets.items()):
            metrics.topic_partition_end_offset.labels(tp.topic, tp.partition).set(offset)

    def _add(self, metric: Any, kind: str, labels: tuple[object, ...], total: int) -> None:
        """Adds to a counter (of ``labels``, if any) what ``total`` has gained since the last
        publish."""
        key = (kind, labels)
        gained = total - self._published.get(key, 0)
        if gained > 0:
            (metric.labels(*labels) if labels else metric).inc(gained)
            self._published[key] = total

    def on_rebalance_start(self, app: AppT) -> dict[str, Any]:
        self.publish()  # the partitions' series are about to go: their figures first
        return super().on_rebalance_start(app)

    def on_rebalance_end(self, app: AppT, state: dict[str, Any]) -> None:
        self.publish()
        super().on_rebalance_end(app, state)
