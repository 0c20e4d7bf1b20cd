"""A worker killed with SIGKILL mid-stream and restarted continues its case state from the
changelog: the hourly figures over all the traffic equal the reference's, nothing lost (a
first response after the restart still finds its case's opening) and nothing counted twice
(records whose offsets were not committed before the kill are read again). Alerts neither: one
per breached case and one per detractor answer, however often a replay sent them."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas import codec
from schemas.records import Alert, AlertKind, Survey
from streams.facts import CaseFact
from streams.metrics import is_detractor_alert
from tests.integration.streams.reference import reference
from tests.integration.streams.test_worker_windows import (
    assert_matches,
    isolated,
    latest_hourly,
    lines,
    valid_records,
)
from tests.integration.topics import read_topic
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
    assert_one_alert_per_condition(isolated, feedback)


def assert_one_alert_per_condition(settings: Settings, feedback: list[dict[str, object]]) -> None:
    latest: dict[str, CaseFact] = {}
    for value in read_topic(settings, settings.topic_fact_cases):
        fact = codec.decode_as(value, CaseFact)
        if fact.case_id not in latest or fact.version > latest[fact.case_id].version:
            latest[fact.case_id] = fact
    alerts = [codec.decode_as(v, Alert) for v in read_topic(settings, settings.topic_alerts)]
    ids = {kind: {a.alert_id: a for a in alerts if a.kind is kind} for kind in AlertKind}
    breached = {case_id for case_id, fact in latest.items() if fact.sla_breached}
    assert breached and {a.subject_id for a in ids[AlertKind.SLA_BREACH].values()} == breached
    assert len(ids[AlertKind.SLA_BREACH]) == len(breached)
    detractors = [
        fb
        for fb in feedback
        if is_detractor_alert(Survey(fb["survey"]), int(fb["score"]))  # type: ignore[call-overload]
    ]
    assert detractors and len(ids[AlertKind.DETRACTOR]) == len(detractors)
