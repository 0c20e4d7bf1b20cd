"""Two workers split the partitions (4 per topic) between them and give the same figures as
one: every keyed state lives with the partition of its key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.integration.streams.reference import reference
from tests.integration.streams.test_worker_windows import (
    assert_matches,
    isolated,
    latest_hourly,
    lines,
    valid_records,
)
from tests.integration.workers import Worker
from touchstream.producer import produce_lines
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
__all__ = ["isolated"]  # the fixture, imported so this module can use it


def test_two_workers_give_the_figures_of_one(isolated: Settings, tmp_path: Path) -> None:
    assert isolated.topic_partitions >= 4
    raw = lines(seed=5, cases=150)
    touchpoints, feedback = valid_records(raw)
    args = ["-m", "touchstream.cli", "worker"]
    workers = [
        Worker(
            args,
            tmp_path / f"worker-{n}.log",
            {
                "TOUCHSTREAM_WORKER_WEB_PORT": str(free_port()),
                "TOUCHSTREAM_WORKER_DATA_DIR": str(tmp_path / f"data-{n}"),
            },
        )
        for n in (1, 2)
    ]
    try:
        for worker in workers:
            worker.wait_ready()
        produce_lines(raw, isolated, "scale-out")
        results = latest_hourly(isolated, len(touchpoints))
        logs = [w.log.read_text(errors="replace") for w in workers]
    finally:
        for worker in workers:
            worker.stop()
    # Both took part: Faust's assignment table of each names input partitions of its own.
    for log in logs:
        assert re.search(rf"\| {re.escape(isolated.topic_touchpoints)} +\| \{{\d", log), log[-2000:]
    assert_matches(reference(touchpoints, feedback), results)
