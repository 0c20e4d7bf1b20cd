"""The sink as a process on the real broker: killed between insert and commit and restarted, and
with ClickHouse stopped mid-stream and started again. Nothing is lost, no figure doubles."""

from __future__ import annotations

import os
import re
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.structs import TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from deploy.local import services
from schemas.codec import frame
from sinks.clickhouse import connect
from sinks.migrate import migrate
from sinks.sink import CRASH_AFTER_INSERT, group_id, insert, topics
from tests.conftest import free_port
from tests.integration.sinks.support import drop_database, own_database, query, rows
from tests.integration.sinks.test_sink_views import DATASET
from tests.integration.workers import Worker
from tests.unit.sinks import records as r
from touchstream.kafka_options import producer_options
from touchstream.scrape import counter_totals
from touchstream.settings import Settings

pytestmark = pytest.mark.integration

EXTRA = [
    *(("touchpoint", r.touchpoint(event_id=f"e{n}")) for n in range(5)),
    ("window_result", r.window()),
    ("window_result", r.window(revision=2, csat_pct=60.0)),
    ("alert", r.alert()),
    ("deadletter", r.dead_letter()),
]
# Everything but open_cases.open_for_s, which moves with now().
VIEW_QUERIES = [
    "SELECT * FROM channel_satisfaction_hourly ORDER BY channel, hour",
    "SELECT * FROM channel_response_times_hourly ORDER BY channel, hour",
    "SELECT * FROM sla_breaches ORDER BY case_id",
    "SELECT * EXCEPT open_for_s FROM open_cases ORDER BY case_id",
    "SELECT * FROM feedback_themes_daily ORDER BY day, channel, theme",
    "SELECT * FROM channel_activity_hourly ORDER BY hour, channel, event_type",
    "SELECT * EXCEPT ingested_at FROM window_results FINAL ORDER BY window_start",
    "SELECT * EXCEPT ingested_at FROM alerts FINAL",
    "SELECT * EXCEPT (ingested_at, dead_at) FROM dead_letters FINAL ORDER BY topic, offset",
]


@pytest.fixture()
def isolated(stack: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Own topics, consumer group and database; exported for the sink subprocess."""
    run = uuid.uuid4().hex[:6]
    settings = own_database(stack, f"sink{run}")
    env = {
        f"TOUCHSTREAM_TOPIC_{name.upper()}": f"t{run}.{name}"
        for name in ("alerts", "deadletter", "windows", "fact_touchpoints", "fact_feedback",
                     "fact_cases")
    } | {
        "TOUCHSTREAM_APP_ID": f"ts-{run}",
        "TOUCHSTREAM_CLICKHOUSE_DATABASE": settings.clickhouse_database,
        "TOUCHSTREAM_SINK_BATCH_ROWS": "10",
        "TOUCHSTREAM_SINK_BATCH_SECONDS": "0.5",
        "TOUCHSTREAM_SINK_RETRY_MAX_S": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = settings.model_copy(update={
        k.removeprefix("TOUCHSTREAM_").lower(): v for k, v in env.items()
        if k.startswith("TOUCHSTREAM_TOPIC_") or k == "TOUCHSTREAM_APP_ID"})
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    admin.create_topics([NewTopic(t, settings.topic_partitions, 1) for t in topics(settings)])
    admin.close()
    yield settings
    drop_database(settings)


def topic_of(settings: Settings, subject: str) -> str:
    return {
        "touchpoint": settings.topic_fact_touchpoints,
        "feedback_fact": settings.topic_fact_feedback,
        "case_fact": settings.topic_fact_cases,
        "window_result": settings.topic_windows,
        "alert": settings.topic_alerts,
        "deadletter": settings.topic_deadletter,
    }[subject]


def produce(settings: Settings, records: list[tuple[str, dict[str, Any]]],
            garbage: int = 0) -> None:
    producer = KafkaProducer(**producer_options(settings))
    for subject, datum in records:
        producer.send(topic_of(settings, subject), frame(subject, datum))
    for n in range(garbage):
        producer.send(settings.topic_fact_cases, b"not a record %d" % n)
    producer.flush()
    producer.close()


def committed_everything(settings: Settings) -> bool:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap,
                             group_id=group_id(settings), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(t, p) for t in topics(settings)
                      for p in range(settings.topic_partitions)]
        ends = consumer.end_offsets(partitions)
        return all((consumer.committed(tp) or 0) >= ends[tp] for tp in partitions)
    finally:
        consumer.close()


def wait_for(condition: Any, timeout_s: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    tail = log.read_text(errors="replace")[-3000:] if log else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def figures(settings: Settings) -> list[list[dict[str, Any]]]:
    client = connect(settings, "bi")
    try:
        return [query(client, sql) for sql in VIEW_QUERIES]
    finally:
        client.close()


def reference_figures(
    stack: Settings, records: list[tuple[str, dict[str, Any]]]
) -> list[list[dict[str, Any]]]:
    """The figures of the same records written once, straight through the insert path."""
    settings = own_database(stack, "reference")
    migrate(settings)
    try:
        writer = connect(settings, "writer")
        insert(writer, rows(records))
        writer.close()
        got = figures(settings)
    finally:
        drop_database(settings)
    return got


def gauge_total(page: str, name: str) -> float:
    with urllib.request.urlopen(page, timeout=5) as answer:
        text = answer.read().decode()
    return sum(s.value for family in text_string_to_metric_families(text)
               for s in family.samples if s.name == name)


def sink(tmp_path: Path, name: str, env: dict[str, str] | None = None) -> Worker:
    return Worker(["-m", "sinks.sink"], tmp_path / f"{name}.log", env or {})


def test_killed_between_insert_and_commit_then_restarted(
    isolated: Settings, stack: Settings, tmp_path: Path
) -> None:
    records = [*DATASET, *EXTRA]
    migrate(isolated)
    produce(isolated, records, garbage=2)
    crashing = sink(tmp_path, "crashing", {CRASH_AFTER_INSERT: "1"})
    assert crashing.process.wait(90) == -9, crashing.log.read_text()[-3000:]
    first = crashing.log.read_text()
    assert re.search(r"inserted \d+ rows", first), first[-3000:]
    assert not committed_everything(isolated)

    restarted = sink(tmp_path, "restarted")
    try:
        wait_for(lambda: committed_everything(isolated), 90, "every offset committed",
                 restarted.log)
    finally:
        restarted.stop()
    # The batch the crash left uncommitted was written a second time:
    inserted_first = sum(int(n) for n in re.findall(r"inserted (\d+) rows", first))
    inserted_again = sum(int(n) for n in re.findall(r"inserted (\d+) rows",
                                                      restarted.log.read_text()))
    assert inserted_again == len(records) + 2 and inserted_first > 0

    got = figures(isolated)
    dead = got[-1]
    # The two records the codec could not read are dead letters of their own positions.
    assert sum(1 for d in dead if d["topic"] == isolated.topic_fact_cases) == 2
    got[-1] = [d for d in dead if d["topic"] != isolated.topic_fact_cases]
    assert got == reference_figures(stack, records)


def test_clickhouse_down_mid_stream_loses_nothing(
    isolated: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "TOUCHSTREAM_CLICKHOUSE_HOST" in os.environ:
        pytest.skip("stops and starts a local ClickHouse server of its own")
    port = free_port()
    own = isolated.model_copy(update={"state_dir": tmp_path / "state", "clickhouse_port": port,
                                      "local_clickhouse_port": port})
    monkeypatch.setenv("TOUCHSTREAM_CLICKHOUSE_PORT", str(port))
    services.up(own, frozenset({"clickhouse"}))
    worker = None
    try:
        migrate(own)
        metrics_port = free_port()
        worker = sink(tmp_path, "sink", {"TOUCHSTREAM_SINK_METRICS_PORT": str(metrics_port)})

        def stored() -> int:
            client = connect(own, "bi")
            try:
                return int(client.query("SELECT count() FROM feedback FINAL").result_rows[0][0])
            finally:
                client.close()

        def answers(first: int, count: int) -> list[tuple[str, dict[str, Any]]]:
            return [("feedback_fact", r.feedback(feedback_id=f"f{n}", score=1 + n % 5))
                    for n in range(first, first + count)]

        produce(own, answers(0, 20))
        wait_for(lambda: stored() == 20, 90, "the first 20 answers", worker.log)
        services.down(own)
        produce(own, answers(20, 60))
        wait_for(lambda: "failed" in worker.log.read_text(), 30, "a failed insert", worker.log)
        time.sleep(3)  # a few retries while down
        assert worker.process.poll() is None
        failures = re.findall(r"insert of (\d+) rows failed", worker.log.read_text())
        assert len(failures) >= 2
        # Bounded: it holds one batch while ClickHouse is down, however much is waiting.
        assert all(int(n) <= 10 for n in failures), failures
        page = f"http://127.0.0.1:{metrics_port}/metrics"
        assert counter_totals(page)["touchstream_sink_insert_errors"] >= len(failures)
        # What waits while its partitions are paused shows as lag.
        wait_for(lambda: gauge_total(page, "touchstream_sink_consumer_lag") > 0, 30,
                 "lag while ClickHouse is down", worker.log)
        services.up(own, frozenset({"clickhouse"}))
        wait_for(lambda: committed_everything(own), 90, "every offset committed", worker.log)
        assert stored() == 80
        wait_for(lambda: gauge_total(page, "touchstream_sink_consumer_lag") == 0, 30,
                 "no lag once written", worker.log)
        client = connect(own, "bi")
        row = query(client, "SELECT csat_responses, csat_satisfied FROM "
                            "channel_satisfaction_hourly")
        client.close()
        assert row == [{"csat_responses": 80, "csat_satisfied": 32}]
    finally:
        if worker is not None:
            worker.stop()
        services.down(own)
