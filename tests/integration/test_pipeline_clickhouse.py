"""Generated traffic through a real worker and the sink: ClickHouse's BI views hold exactly the
counts and rates a test-side reference computes from the same records."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sinks.clickhouse import connect
from sinks.migrate import migrate
from tests.integration.sinks.support import drop_database, own_database, query
from tests.integration.streams.test_worker_windows import isolated, lines, valid_records
from tests.integration.workers import Worker
from touchstream.producer import produce_lines
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
__all__ = ["isolated"]


@pytest.fixture()
def pipeline(
    isolated: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    settings = own_database(isolated, "pipeline")
    monkeypatch.setenv("TOUCHSTREAM_CLICKHOUSE_DATABASE", settings.clickhouse_database)
    monkeypatch.setenv("TOUCHSTREAM_SINK_BATCH_SECONDS", "0.5")
    migrate(settings)
    worker = Worker(["-m", "touchstream.cli", "worker"], tmp_path / "worker.log", {})
    sink = Worker(["-m", "touchstream.cli", "sink"], tmp_path / "sink.log", {})
    try:
        worker.wait_ready()
        yield settings
    finally:
        worker.stop()
        sink.stop()
        drop_database(settings)


def hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0, tzinfo=None)


def satisfaction_reference(
    feedback: list[dict[str, Any]],
) -> dict[tuple[datetime, str], dict[str, Any]]:
    scores: dict[tuple[datetime, str], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for fb in feedback:
        scores[(hour(fb["submitted_at"]), fb["channel"])][fb["survey"]].append(fb["score"])
    out = {}
    for key, by_survey in scores.items():
        csat, nps = by_survey["csat"], by_survey["nps"]
        out[key] = {
            "csat_responses": len(csat),
            "csat_satisfied": sum(s >= 4 for s in csat),
            "nps_responses": len(nps),
            "nps_promoters": sum(s >= 9 for s in nps),
            "nps_detractors": sum(s <= 6 for s in nps),
            "ces_responses": len(by_survey["ces"]),
        }
    return out


def opened_reference(touchpoints: list[dict[str, Any]]) -> Counter[tuple[datetime, str]]:
    first: dict[str, dict[str, Any]] = {}
    for tp in sorted(touchpoints, key=lambda t: t["occurred_at"]):
        if tp["event_type"] == "contact_opened":
            first.setdefault(tp["case_id"], tp)
    return Counter((hour(tp["occurred_at"]), tp["channel"]) for tp in first.values())


def test_views_match_the_reference(pipeline: Settings) -> None:
    raw = lines(seed=3, cases=150)
    touchpoints, feedback = valid_records(raw)
    produce_lines(raw + raw[::7], pipeline, "pipeline")  # a seventh sent twice
    expected_cases = opened_reference(touchpoints)
    bi = connect(pipeline, "bi")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        landed = bi.query("SELECT count() FROM feedback FINAL").result_rows[0][0]
        cases = bi.query("SELECT count() FROM cases FINAL WHERE opened_at IS NOT NULL")
        if landed >= len(feedback) and cases.result_rows[0][0] >= expected_cases.total():
            break
        time.sleep(1)
    time.sleep(3)  # the last case updates (first responses) land after the openings

    satisfaction = {
        (r["hour"], r["channel"]): r for r in query(bi, "SELECT * FROM channel_satisfaction_hourly")
    }
    want = satisfaction_reference(feedback)
    assert len(want) > 5 and satisfaction.keys() == want.keys()
    for key, figures in want.items():
        got = satisfaction[key]
        assert {k: got[k] for k in figures} == figures, key
        if figures["csat_responses"]:
            assert got["csat_pct"] == pytest.approx(
                figures["csat_satisfied"] * 100 / figures["csat_responses"]
            )

    opened = {
        (r["hour"], r["channel"]): r["cases_opened"]
        for r in query(bi, "SELECT hour, channel, cases_opened FROM channel_response_times_hourly")
    }
    assert len(expected_cases) > 10 and opened == dict(expected_cases)
