"""Generated traffic (undecodable bytes, duplicates, late events, alerts) through a real
worker and sink: every counter on their /metrics moves, and the worker's /healthz is healthy."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer

from sinks.migrate import migrate
from tests.conftest import free_port
from tests.integration.sinks.support import drop_database, own_database
from tests.integration.streams.test_worker_windows import (
    isolated,
    latest_hourly,
    lines,
    valid_records,
)
from tests.integration.workers import Worker
from touchstream.producer import produce_lines
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
__all__ = ["isolated"]

WORKER_COUNTERS = (
    "touchstream_events_total",
    "touchstream_records_out_total",
    "touchstream_dead_letters_total",
    "touchstream_duplicates_total",
    "touchstream_late_events_total",
    "touchstream_late_updates_total",
    "touchstream_window_results_total",
    "touchstream_window_emit_delay_seconds_count",
    "touchstream_alerts_total",
    # Faust's own sensor
    "touchstream_faust_messages_received_total",
    "touchstream_faust_events_runtime_ms_count",
    "touchstream_faust_topic_messages_sent_total",
    "touchstream_faust_consumer_commit_latency_count",
)
SINK_COUNTERS = (
    "touchstream_sink_rows_total",
    "touchstream_sink_batch_rows_count",
    "touchstream_sink_insert_seconds_count",
)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def totals(exposition: str) -> dict[str, float]:
    """Sum of every sample of each metric name (over all label values)."""
    out: dict[str, float] = {}
    for line in exposition.splitlines():
        match = re.match(r"^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$", line)
        if match:
            out[match[1]] = out.get(match[1], 0.0) + float(match[2])
    return out


@pytest.fixture()
def running(
    isolated: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Settings, dict[str, int]]]:
    """A ready worker and a sink on their own database, with their /metrics ports."""
    settings = own_database(isolated, "metrics")
    worker_port, sink_port = free_port(), free_port()
    monkeypatch.setenv("TOUCHSTREAM_CLICKHOUSE_DATABASE", settings.clickhouse_database)
    monkeypatch.setenv("TOUCHSTREAM_SINK_METRICS_PORT", str(sink_port))
    monkeypatch.setenv("TOUCHSTREAM_SINK_BATCH_SECONDS", "0.5")
    # No lateness, and no holding windows open at the start (the traffic takes less than the
    # default hold), so that the late case opening is late.
    monkeypatch.setenv("TOUCHSTREAM_ALLOWED_LATENESS_S", "0")
    monkeypatch.setenv("TOUCHSTREAM_WINDOW_START_HOLD_S", "0")
    monkeypatch.setenv("TOUCHSTREAM_WORKER_WEB_PORT", str(worker_port))
    migrate(settings)
    worker = Worker(["-m", "touchstream.cli", "worker"], tmp_path / "worker.log", {})
    sink = Worker(["-m", "touchstream.cli", "sink"], tmp_path / "sink.log", {})
    try:
        worker.wait_ready()
        yield settings, {"worker": worker_port, "sink": sink_port}
    finally:
        worker.stop()
        sink.stop()
        drop_database(settings)


def send_traffic(settings: Settings) -> None:
    """Generated journeys twice over (the second time duplicates), a case opened two hours
    before the first of them, sent in the middle, and bytes no codec reads. The opening is a
    late event (its touchpoint) and a late update (the case opened) counted in the same window:
    the generated reopens' FCR corrections are late updates too, but whether the hours they
    arrive in close before the test ends is down to timing. The first half is in the windows
    before the opening is sent, so its window is closed by then whichever partitions hold the
    web channel's watermark back (a batch is judged against the watermark before it: in one
    batch with the records that close its window it would not be late)."""
    traffic = lines(seed=9, cases=120)
    middle = len(traffic) // 2
    first_half, rest = traffic[: middle + 1], traffic[middle + 1 :]
    produce_lines(first_half, settings, "metrics", report=False)
    touchpoints, _ = valid_records(first_half)
    # With no lateness, a cold worker reading its partitions unevenly counts some of them late.
    latest_hourly(settings, len(touchpoints), counting_late=True)
    first = min(record["occurred_at"] for record in valid_records(traffic)[0])
    late = {
        "type": "touchpoint",
        "event_id": "late-case-opened",
        "occurred_at": (first - timedelta(hours=2)).isoformat(),
        "customer_id": "cust-late",
        "case_id": "case-late",
        "channel": "web",
        "actor": "customer",
        "event_type": "contact_opened",
        "journey_stage": "consideration",
        "source": "web-system",
        "agent_id": None,
        "attributes": {"page": "/help"},
    }
    produce_lines([json.dumps(late), *rest, *traffic], settings, "metrics", report=False)
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    producer.send(settings.topic_touchpoints, b"\x00not avro")
    producer.close()


@pytest.fixture()
def ports(running: tuple[Settings, dict[str, int]]) -> dict[str, int]:
    settings, ports = running
    send_traffic(settings)
    return ports


def test_every_counter_moves_and_the_worker_is_healthy(ports: dict[str, int]) -> None:
    deadline = time.monotonic() + 90
    while True:
        worker = totals(get(f"http://127.0.0.1:{ports['worker']}/metrics")[1])
        sink = totals(get(f"http://127.0.0.1:{ports['sink']}/metrics")[1])
        still = [n for n in WORKER_COUNTERS if not worker.get(n)]
        still += [n for n in SINK_COUNTERS if not sink.get(n)]
        if not still or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert still == []
    assert "touchstream_consumer_lag" in worker
    assert worker.get("touchstream_agent_stalled", 0.0) == 0.0
    assert get(f"http://127.0.0.1:{ports['worker']}/healthz") == (200, '{"ok":true}')
