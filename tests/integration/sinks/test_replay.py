"""Replay rebuilds ClickHouse from the topics without doubling a figure: into the same database
(every row written twice), into an empty one (the same figures again), and by a recomputing
worker under a new app id, whose facts replace the first worker's through the sink."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from sinks.clickhouse import connect
from sinks.migrate import migrate
from sinks.replay import replay
from tests.conftest import free_port
from tests.integration.sinks.support import drop_database, own_database, query
from tests.integration.streams.test_worker_windows import isolated, lines, valid_records
from tests.integration.workers import Worker
from touchstream.producer import produce_lines
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
__all__ = ["isolated"]

# Every BI view, in a stable order; figures compared exactly (but open_cases' age, which grows
# with the wall clock).
VIEWS = {
    "channel_satisfaction_hourly": "* FROM channel_satisfaction_hourly ORDER BY ALL",
    "channel_response_times_hourly": "* FROM channel_response_times_hourly ORDER BY ALL",
    "channel_activity_hourly": "* FROM channel_activity_hourly ORDER BY ALL",
    "sla_breaches": "* FROM sla_breaches ORDER BY ALL",
    "open_cases": "* EXCEPT (open_for_s) FROM open_cases ORDER BY ALL",
    "feedback_themes_daily": "* FROM feedback_themes_daily ORDER BY ALL",
}
TABLES = ("touchpoints", "feedback", "cases", "window_results", "alerts", "dead_letters")


def figures(bi: Client) -> dict[str, Any]:
    """Floats to 9 digits: sums and averages over FINAL rows add up in whatever order the parts
    are read, which moves the last bits."""
    out: dict[str, Any] = {
        view: [
            {k: round(v, 9) if isinstance(v, float) else v for k, v in row.items()}
            for row in query(bi, f"SELECT {sql}")
        ]
        for view, sql in VIEWS.items()
    }
    for table in TABLES:
        out[table] = query(bi, f"SELECT count() AS n FROM {table} FINAL")[0]["n"]
    return out


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Names the view and the first rows that differ, not just that something does."""
    for name, rows in want.items():
        if got[name] != rows:
            if isinstance(rows, int):
                raise AssertionError(f"{name}: {got[name]} rows, expected {rows}")
            diff = [(g, w) for g, w in zip(got[name], rows, strict=False) if g != w][:2]
            raise AssertionError(f"{name}: {len(got[name])} vs {len(rows)} rows; first: {diff}")


def wait_until(check: Any, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(1)


@pytest.fixture()
def loaded(isolated: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Generated traffic through a worker and the sink into a database of its own."""
    settings = own_database(isolated, "replay")
    monkeypatch.setenv("TOUCHSTREAM_CLICKHOUSE_DATABASE", settings.clickhouse_database)
    monkeypatch.setenv("TOUCHSTREAM_SINK_BATCH_SECONDS", "0.5")
    migrate(settings)
    worker = Worker(["-m", "touchstream.cli", "worker"], tmp_path / "worker.log", {})
    sink = Worker(["-m", "touchstream.cli", "sink"], tmp_path / "sink.log", {})
    bi = connect(settings, "bi")
    try:
        worker.wait_ready()
        raw = lines(seed=5, cases=80)
        touchpoints, feedback = valid_records(raw)
        produce_lines(raw, settings, "replay", report=False)

        def landed() -> bool:
            counts = {
                t: query(bi, f"SELECT count() AS n FROM {t} FINAL")[0]["n"]
                for t in ("touchpoints", "feedback")
            }
            return counts == {"touchpoints": len(touchpoints), "feedback": len(feedback)}

        wait_until(landed)
        before = stable_figures(bi)
        yield settings, before, bi, tmp_path
    finally:
        bi.close()
        worker.stop()
        sink.stop()
        drop_database(settings)


def stable_figures(bi: Client) -> dict[str, Any]:
    """The figures once two reads three seconds apart agree (the last case updates and window
    results land after the facts they follow)."""
    last: dict[str, Any] = {}
    deadline = time.monotonic() + 60
    while (now := figures(bi)) != last:
        assert time.monotonic() < deadline, "the figures keep changing"
        last = now
        time.sleep(3)
    return now


def test_replay_into_the_same_and_an_empty_database_gives_the_same_figures(loaded: Any) -> None:
    settings, before, bi, _ = loaded
    assert before["sla_breaches"] and before["channel_satisfaction_hourly"]
    written = replay(settings)
    assert written["touchpoints"] >= before["touchpoints"]  # every fact written a second time
    assert_same(figures(bi), before)

    empty = own_database(settings, "rebuilt")
    migrate(empty)
    other = connect(empty, "bi")
    try:
        replay(empty)
        assert_same(figures(other), before)
        assert sum(replay(empty, since=datetime.now(UTC) + timedelta(hours=1)).values()) == 0
    finally:
        other.close()
        drop_database(empty)


def test_a_recomputing_worker_replaces_every_fact_without_doubling(loaded: Any) -> None:
    settings, before, bi, tmp_path = loaded
    started = datetime.now(UTC).replace(tzinfo=None)
    recompute = Worker(
        ["-m", "touchstream.cli", "worker"],
        tmp_path / "recompute.log",
        {
            "TOUCHSTREAM_APP_ID": f"{settings.app_id}-v2",
            "TOUCHSTREAM_WORKER_WEB_PORT": str(free_port()),
            "TOUCHSTREAM_WORKER_DATA_DIR": str(tmp_path / "v2"),
        },
    )
    try:
        recompute.wait_ready()

        def rewritten() -> bool:
            stale = [
                query(bi, f"SELECT count() AS n FROM {t} FINAL WHERE ingested_at < '{started}'")[0][
                    "n"
                ]
                for t in ("touchpoints", "feedback", "cases", "window_results")
            ]
            return stale == [0, 0, 0, 0]

        wait_until(rewritten)
        assert_same(stable_figures(bi), before)
    finally:
        recompute.stop()
