"""A worker forgets cases that are over, so its state holds only cases that can still change: a
resolved case quiet for TOUCHSTREAM_CASE_RESOLVED_KEEP_S of event time is gone at the next sweep
(a later event for it starts afresh, at version 1), while an open case inside
TOUCHSTREAM_CASE_IDLE_KEEP_S is kept (its next event continues its version)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from schemas import codec
from streams.facts import CaseFact
from streams.partitions import partition_of
from tests.integration.streams.test_worker_windows import isolated
from tests.integration.topics import read_topic
from tests.integration.workers import Worker
from touchstream.producer import produce_lines
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
__all__ = ["isolated"]  # the fixture, imported so this module can use it

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)


def _same_partition_ids(run: str, n: int) -> list[str]:
    """Case ids on one partition: a partition's clock is what expires its cases."""
    first = f"{run}-case-0"
    ids = [first]
    k = 1
    while len(ids) < n:
        candidate = f"{run}-case-{k}"
        if partition_of(candidate) == partition_of(first):
            ids.append(candidate)
        k += 1
    return ids


def _event(case_id: str, n: int, at: datetime, actor: str, event_type: str) -> str:
    return json.dumps(
        {
            "type": "touchpoint",
            "event_id": f"{case_id}-e{n}",
            "occurred_at": at.isoformat(),
            "customer_id": f"cust-{case_id}",
            "case_id": case_id,
            "channel": "email",
            "actor": actor,
            "event_type": event_type,
            "journey_stage": "support",
            "source": "crm",
            "agent_id": "agent-1" if actor == "agent" else None,
            "attributes": {},
        }
    )


def _versions(
    settings: Settings, wanted: dict[str, int], timeout_s: float = 60.0
) -> dict[str, int]:
    """The latest version of each case's fact, once every case reached at least ``wanted``."""
    deadline = time.monotonic() + timeout_s
    latest: dict[str, int] = {}
    while time.monotonic() < deadline:
        facts = [
            codec.decode_as(v, CaseFact) for v in read_topic(settings, settings.topic_fact_cases)
        ]
        latest = {}
        for fact in facts:
            latest[fact.case_id] = max(latest.get(fact.case_id, 0), fact.version)
        if all(latest.get(case, 0) >= n for case, n in wanted.items()):
            return latest
        time.sleep(0.5)
    raise AssertionError(f"case facts {latest}, waited for {wanted}")


@pytest.fixture()
def worker(isolated: Settings, tmp_path: Path) -> Iterator[Worker]:
    env = {
        "TOUCHSTREAM_CASE_RESOLVED_KEEP_S": "3600",
        "TOUCHSTREAM_CASE_IDLE_KEEP_S": "86400",
        "TOUCHSTREAM_STATE_SWEEP_S": "1",
    }
    process = Worker(["-m", "touchstream.cli", "worker"], tmp_path / "worker.log", env)
    process.wait_ready()
    yield process
    process.stop()


def test_a_resolved_case_is_forgotten_after_its_keep_and_an_open_one_is_not(
    isolated: Settings, worker: Worker
) -> None:
    resolved, still_open, later = _same_partition_ids(isolated.app_id, 3)
    produce_lines(
        [
            _event(resolved, 1, T0, "customer", "contact_opened"),
            _event(resolved, 2, T0 + timedelta(minutes=1), "agent", "agent_response"),
            _event(resolved, 3, T0 + timedelta(minutes=2), "agent", "case_resolved"),
            _event(still_open, 1, T0, "customer", "contact_opened"),
        ],
        isolated,
        "expiry",
    )
    _versions(isolated, {resolved: 3, still_open: 1})
    # Two hours on: past the resolved case's hour of keep, inside the open case's day.
    two_hours = T0 + timedelta(hours=2)
    produce_lines([_event(later, 1, two_hours, "customer", "contact_opened")], isolated, "clock")
    _versions(isolated, {later: 1})
    time.sleep(5)  # ticks every 2 s, sweeps every 1 s

    produce_lines(
        [
            _event(resolved, 4, two_hours + timedelta(minutes=1), "customer", "customer_message"),
            _event(still_open, 2, two_hours + timedelta(minutes=1), "customer", "customer_message"),
        ],
        isolated,
        "after",
    )
    _versions(isolated, {still_open: 2})
    facts = [codec.decode_as(v, CaseFact) for v in read_topic(isolated, isolated.topic_fact_cases)]
    resolved_versions = [fact.version for fact in facts if fact.case_id == resolved]
    open_versions = [fact.version for fact in facts if fact.case_id == still_open]
    # A batch publishes each case it changed once, in its last state: the versions in between
    # may not show.
    assert resolved_versions[-2:] == [3, 1]  # forgotten: the late message starts a new entry
    assert open_versions[-1] == 2  # kept: its message continues the case
