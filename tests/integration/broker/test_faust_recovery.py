"""A Faust worker's changelog-backed table survives SIGKILL: after a restart it continues from
the restored table, neither losing nor double-counting what it had applied.

On Tansu the restored table is right only with the local profile's one-record-per-changelog-batch
workaround: without it 2 of 3 runs (2026-11-25, 300 records per key and round) restored a stale
table, counts 590-599 instead of 600."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from tests.conftest import free_port
from tests.integration.workers import Worker
from touchstream.kafka_options import producer_options
from touchstream.settings import Settings

pytestmark = pytest.mark.integration

KEYS = [f"k{i}" for i in range(8)]
PER_KEY_AND_ROUND = 300


def produce_round(settings: Settings, topic: str) -> None:
    producer = KafkaProducer(**producer_options(settings))
    for _ in range(PER_KEY_AND_ROUND):
        for key in KEYS:
            # Faust's default key/value serializer for str is raw utf-8 bytes.
            producer.send(topic, key=key.encode(), value=b"x")
    producer.flush()
    producer.close()


def latest_counts(consumer: KafkaConsumer, until: int, timeout_s: float = 120.0) -> dict[str, int]:
    latest: dict[str, int] = defaultdict(int)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            for record in records:
                latest[record.key.decode()] = int(record.value.decode())
        if len(latest) == len(KEYS) and all(v >= until for v in latest.values()):
            break
    return dict(latest)


def wait_committed(
    bootstrap: str, group: str, topic: str, total: int, timeout_s: float = 30.0
) -> None:
    """Kill only after the worker committed everything, so the restart cannot mend a stale
    table by replaying: what it restores from the changelog is all it has."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            offsets = admin.list_group_offsets(group)[group]
            if sum(o.offset for tp, o in offsets.items() if tp.topic == topic) >= total:
                return
            time.sleep(0.2)
    finally:
        admin.close()
    raise AssertionError(f"group {group} did not commit {total} offsets in {timeout_s} s")


def start_counter(stack: Settings, tmp_path: Path) -> tuple[str, list[str], dict[str, str]]:
    app_id = f"ctr-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    admin.create_topics(
        [NewTopic(f"{app_id}-in", stack.topic_partitions, 1), NewTopic(f"{app_id}-counts", 1, 1)]
    )
    admin.close()
    env = {
        "COUNTER_APP_ID": app_id,
        "TOUCHSTREAM_WORKER_DATA_DIR": str(tmp_path / "data"),
        "TOUCHSTREAM_WORKER_WEB_PORT": str(free_port()),
    }
    args = ["-m", "tests.integration.apps.counter_app", "worker", "-l", "info"]
    return app_id, args, env


def run_first_round_and_kill(
    stack: Settings,
    app_id: str,
    args: list[str],
    env: dict[str, str],
    log: Path,
    counts: KafkaConsumer,
) -> None:
    first = Worker(args, log, env)
    try:
        first.wait_ready()
        produce_round(stack, f"{app_id}-in")
        assert latest_counts(counts, PER_KEY_AND_ROUND) == dict.fromkeys(KEYS, PER_KEY_AND_ROUND)
        wait_committed(stack.kafka_bootstrap, app_id, f"{app_id}-in", PER_KEY_AND_ROUND * len(KEYS))
    finally:
        first.kill()


def test_table_survives_sigkill(stack: Settings, tmp_path: Path) -> None:
    app_id, args, env = start_counter(stack, tmp_path)
    counts = KafkaConsumer(
        f"{app_id}-counts", bootstrap_servers=stack.kafka_bootstrap, auto_offset_reset="earliest"
    )
    run_first_round_and_kill(stack, app_id, args, env, tmp_path / "worker-1.log", counts)

    second = Worker(args, tmp_path / "worker-2.log", env)
    try:
        second.wait_ready()
        produce_round(stack, f"{app_id}-in")
        final = latest_counts(counts, 2 * PER_KEY_AND_ROUND)
    finally:
        second.stop()
        counts.close()
    # A stale restored table shows as counts below 600: everything was committed before the
    # kill, so nothing is replayed to mend it. Double counting would show above 600.
    assert final == dict.fromkeys(KEYS, 2 * PER_KEY_AND_ROUND)


def test_restarted_worker_catches_up_a_backlog(
    stack: Settings, tmp_path: Path, broker_is_tansu: bool, request: pytest.FixtureRequest
) -> None:
    if broker_is_tansu:
        request.applymarker(
            pytest.mark.xfail(
                strict=False,
                reason=(
                    "Tansu defect: a Faust worker restarted behind a backlog stalls a few dozen "
                    "records before the end of a partition until new records arrive "
                    "(3 of 4 runs on 2026-11-25)"
                ),
            )
        )
    app_id, args, env = start_counter(stack, tmp_path)
    counts = KafkaConsumer(
        f"{app_id}-counts", bootstrap_servers=stack.kafka_bootstrap, auto_offset_reset="earliest"
    )
    run_first_round_and_kill(stack, app_id, args, env, tmp_path / "worker-1.log", counts)

    produce_round(stack, f"{app_id}-in")
    second = Worker(args, tmp_path / "worker-2.log", env)
    try:
        second.wait_ready()
        final = latest_counts(counts, 2 * PER_KEY_AND_ROUND, timeout_s=30.0)
    finally:
        second.stop()
        counts.close()
    assert final == dict.fromkeys(KEYS, 2 * PER_KEY_AND_ROUND)
