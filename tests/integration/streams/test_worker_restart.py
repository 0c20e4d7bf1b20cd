"""A worker killed with SIGKILL mid-stream and restarted continues its case state from the
changelog: the hourly figures over all the traffic equal the reference's, nothing lost (a
first response after the restart still finds its case's opening) and nothing counted twice
(records whose offsets were not committed before the kill are read again)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_sigkill_and_restart_neither_loses_nor_doubles(isolated: Settings, tmp_path: Path) -> None:
    raw = lines(seed=11, cases=150)
    touchpoints, feedback = valid_records(raw)
    first_half, second_half = raw[: len(raw) // 2], raw[len(raw) // 2 :]
    first_touchpoints, _ = valid_records(first_half)
    args = ["-m", "touchstream.cli", "worker"]

    first = Worker(args, tmp_path / "worker-1.log", {})
    try:
        first.wait_ready()
        produce_lines(first_half, isolated, "first-half")
        latest_hourly(isolated, len(first_touchpoints))
    finally:
        first.kill()

    second = Worker(args, tmp_path / "worker-2.log", {})
    try:
        second.wait_ready()
        produce_lines(second_half, isolated, "second-half")
        results = latest_hourly(isolated, len(touchpoints))
    finally:
        second.stop()
    assert_matches(reference(touchpoints, feedback), results)
