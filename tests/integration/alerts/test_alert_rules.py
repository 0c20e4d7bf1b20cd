"""Planted conditions through a real `touchstream worker` on the real broker: each SLA breach is
raised once, within one heartbeat of its deadline in event time; the satisfaction drop and the
slow first responses are raised once and resolved once; each detractor is raised once; the last
breach comes after the traffic has stopped; the webhook gets every alert despite failing at
first; `touchstream alerts tail` shows them. The clean control stream raises nothing.

The topics have one partition: each channel then sees its events in event-time order, so the
windows can close with no allowed lateness and the hour-by-hour rules see exact hours. (Windows
over many partitions are tested in tests/integration/streams.)
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from schemas import codec
from schemas.records import Alert, AlertKind, AlertStatus, Channel
from sinks.clickhouse import connect
from sinks.migrate import migrate
from streams.facts import WindowResult
from tests.conftest import free_port
from tests.integration.alerts.scenario import STANDARDS, Scenario, build, start_time
from tests.integration.sinks.support import drop_database, own_database, query
from tests.integration.topics import own_topics, read_topic
from tests.integration.workers import Worker
from touchstream.cli import app
from touchstream.producer import produce_lines
from touchstream.settings import Settings
from touchstream.topics import ensure_topics

pytestmark = pytest.mark.integration
FAILED_POSTS = 2


class Hook(BaseHTTPRequestHandler):
    """The webhook receiver: refuses the first posts with a 503, then keeps what it gets."""

    received: ClassVar[list[dict[str, Any]]] = []
    refused = 0

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if Hook.refused < FAILED_POSTS:
            Hook.refused += 1
            self.send_response(503)
        else:
            assert self.headers["Idempotency-Key"] == body["alert_id"]
            Hook.received.append(body)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def hook_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/alerts"
    server.shutdown()


Run = tuple[Settings, dict[str, str], list[Alert]]


def run(stack: Settings, tmp: Path, scenario: Scenario, env: dict[str, str]) -> Run:
    """Produces the scenario and runs a worker over it until its last windows are final and the
    breach after the end of the traffic has had time to come; returns every alert raised."""
    run_id = uuid.uuid4().hex[:6]
    env = {
        **own_topics(f"a{run_id}"),
        "TOUCHSTREAM_APP_ID": f"alerts-{run_id}",
        "TOUCHSTREAM_TOPIC_PARTITIONS": "1",
        "TOUCHSTREAM_WORKER_WEB_PORT": str(free_port()),
        "TOUCHSTREAM_WORKER_DATA_DIR": str(tmp / run_id),
        "TOUCHSTREAM_ALLOWED_LATENESS_S": "0",
        "TOUCHSTREAM_SLA_FIRST_RESPONSE_S": json.dumps(STANDARDS),
        "TOUCHSTREAM_WATERMARK_IDLE_S": "3",
        **env,
    }
    settings = stack.model_copy(
        update={
            k.removeprefix("TOUCHSTREAM_").lower(): v
            for k, v in env.items()
            if k.startswith("TOUCHSTREAM_TOPIC_")
        }
        | {"topic_partitions": 1}
    )
    ensure_topics(settings)
    produce_lines(scenario.lines(), settings, "planted", report=False)
    worker = Worker(["-m", "touchstream.cli", "worker"], tmp / f"{run_id}.log", env)
    try:
        worker.wait_ready()
        wait_for_final_windows(settings, scenario.t0)
        # The last in-person case breaches once the quiet partition's clock has moved on.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            alerts = read_alerts(settings)
            if "in-person-last" not in scenario.breaches or any(
                a.subject_id == "in-person-last" for a in alerts
            ):
                break
            time.sleep(1)
        time.sleep(3)  # anything raised late would be there by now
        return settings, env, read_alerts(settings)
    finally:
        worker.stop()


def read_alerts(settings: Settings) -> list[Alert]:
    return [codec.decode_as(v, Alert) for v in read_topic(settings, settings.topic_alerts)]


def wait_for_final_windows(settings: Settings, t0: datetime) -> None:
    """The last hours of SMS and social that their channels' final events close."""
    wanted = {(Channel.SMS, t0 + timedelta(hours=3)), (Channel.SOCIAL, t0 + timedelta(hours=25))}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        results = [
            codec.decode_as(v, WindowResult) for v in read_topic(settings, settings.topic_windows)
        ]
        final = {
            (r.channel, r.window_start)
            for r in results
            if r.final and r.window_kind == "tumbling_1h"
        }
        if wanted <= final:
            return
    raise AssertionError("the worker did not close the last windows in time")


Planted = tuple[Settings, Scenario, list[Alert]]


@pytest.fixture(scope="module")
def planted_run(
    stack: Settings, tmp_path_factory: pytest.TempPathFactory, hook_url: str
) -> tuple[Scenario, Run]:
    scenario = build(start_time(datetime.now(UTC)), planted=True)
    return scenario, run(
        stack,
        tmp_path_factory.mktemp("planted"),
        scenario,
        {"TOUCHSTREAM_ALERT_WEBHOOK_URL": hook_url, "TOUCHSTREAM_ALERT_WEBHOOK_MAX_BACKOFF_S": "1"},
    )


@pytest.fixture()
def planted(planted_run: tuple[Scenario, Run]) -> Planted:
    scenario, (settings, _, alerts) = planted_run
    return settings, scenario, alerts


def of_kind(alerts: list[Alert], kind: AlertKind) -> list[Alert]:
    return [a for a in alerts if a.kind is kind]


def test_each_breach_is_raised_once_at_its_deadline(
    planted: Planted,
) -> None:
    _, scenario, alerts = planted
    breaches = [a for a in of_kind(alerts, AlertKind.SLA_BREACH) if a.resolves is None]
    assert sorted(a.subject_id for a in breaches) == sorted(scenario.breaches)
    for alert in breaches:
        assert alert.raised_at == scenario.breaches[alert.subject_id], alert.subject_id
        found_after = alert.figures["detected_after_s"]
        if alert.subject_id == "in-person-last":
            # No event came after it: the quiet partition's clock (3 s idle) found it.
            assert 0 < found_after <= 15, alert
        else:
            # Found by the first event past the deadline: at most one heartbeat (3 s) later,
            # never when the late answer finally came (chat-late answered 40 s late).
            assert 0 < found_after <= 3.0, alert
        severity = "high" if alert.channel in (Channel.CHAT, Channel.IN_PERSON) else "medium"
        assert alert.severity == severity
        assert alert.figures["standard_s"] == STANDARDS[alert.channel.value]  # type: ignore[union-attr]


def test_a_breach_undone_by_an_answer_known_late_is_resolved(planted: Planted) -> None:
    _, scenario, alerts = planted
    breaches = of_kind(alerts, AlertKind.SLA_BREACH)
    resolved = {a.subject_id: a for a in breaches if a.resolves is not None}
    assert resolved.keys() == scenario.answered_late.keys()
    raised = {a.alert_id: a for a in breaches if a.resolves is None}
    for case, answer in scenario.answered_late.items():
        cleared = resolved[case]
        assert cleared.resolves is not None
        breach = raised[cleared.resolves]
        assert breach.subject_id == case and cleared.severity == breach.severity
        # Known when the answer's record came: a standard after the deadline, at most one
        # heartbeat earlier in the partition's event time.
        came = breach.raised_at + timedelta(seconds=STANDARDS["chat"])
        assert came - timedelta(seconds=3) <= cleared.raised_at <= came
        assert cleared.figures == {"answered_before_s": (breach.raised_at - answer).total_seconds()}


def test_the_hours_count_the_breaches_that_stood(planted: Planted) -> None:
    settings, scenario, _ = planted
    finals = [
        r
        for r in (
            codec.decode_as(v, WindowResult) for v in read_topic(settings, settings.topic_windows)
        )
        if r.final and r.window_kind == "tumbling_1h" and r.channel is Channel.CHAT
    ]
    counted = {r.window_start: r.figures["sla_breaches"] for r in finals}
    stood: dict[datetime, int] = {}
    for case, deadline in scenario.breaches.items():
        if case.startswith("chat-") and case not in scenario.answered_late:
            hour = deadline.replace(minute=0, second=0)
            stood[hour] = stood.get(hour, 0) + 1
    assert scenario.answered_late  # an hour that counted a breach, then its correction
    undone = {
        scenario.breaches[case].replace(minute=0, second=0) for case in scenario.answered_late
    }
    hours = undone | set(stood)
    assert {hour: counted[hour] for hour in hours} == {hour: stood.get(hour, 0) for hour in hours}


def test_satisfaction_drop_is_raised_once_and_resolved_once(
    planted: Planted,
) -> None:
    _, scenario, alerts = planted
    raised, resolved = of_kind(alerts, AlertKind.SATISFACTION_DROP)
    assert (raised.status, resolved.status) == (AlertStatus.RAISED, AlertStatus.RESOLVED)
    assert raised.channel is Channel.SOCIAL and resolved.resolves == raised.alert_id
    bad_hour = scenario.t0 + timedelta(hours=25)
    assert bad_hour < raised.raised_at <= bad_hour + timedelta(hours=1)
    assert raised.raised_at < resolved.raised_at <= bad_hour + timedelta(hours=2)
    assert raised.figures["csat_pct_24h"] == 87.5 and raised.figures["csat_pct_hour"] <= 72.5
    assert raised.severity == "medium"  # 15 to 25 points down when first seen


def test_slow_first_responses_are_raised_once_and_resolved_once(
    planted: Planted,
) -> None:
    _, scenario, alerts = planted
    raised, resolved = of_kind(alerts, AlertKind.RESPONSE_TIME_DEGRADED)
    assert raised.channel is Channel.SMS and resolved.resolves == raised.alert_id
    assert raised.figures["standard_s"] == 30.0 and raised.figures["frt_p90_s"] > 30.0
    slow_from = scenario.t0 + timedelta(minutes=121)
    assert slow_from < raised.raised_at < slow_from + timedelta(hours=1)
    assert raised.raised_at < resolved.raised_at


def test_each_detractor_is_raised_once_with_its_redacted_comment(
    planted: Planted,
) -> None:
    _, scenario, alerts = planted
    detractors = of_kind(alerts, AlertKind.DETRACTOR)
    assert sorted(a.subject_id for a in detractors) == [f"cust-{f}" for f in scenario.detractors]
    by_customer = {a.subject_id: a for a in detractors}
    assert by_customer["cust-app-bad-0"].severity == "high"  # NPS 2
    assert by_customer["cust-app-bad-1"].severity == "medium"  # CSAT 2
    assert by_customer["cust-app-bad-2"].comment == "call me, <email>"


def test_nothing_else_is_raised(planted: Planted) -> None:
    _, scenario, alerts = planted
    resolved_breaches = len(scenario.answered_late)
    assert len(alerts) == len(scenario.breaches) + resolved_breaches + 2 + 2 + len(
        scenario.detractors
    )
    assert len({a.alert_id for a in alerts}) == len(alerts)


def test_the_webhook_gets_every_alert_after_failing_at_first(
    planted: Planted,
) -> None:
    _, _, alerts = planted
    deadline = time.monotonic() + 10
    while len(Hook.received) < len(alerts) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Hook.refused == FAILED_POSTS
    assert sorted(body["alert_id"] for body in Hook.received) == sorted(a.alert_id for a in alerts)


def test_tail_shows_them_filtered_and_as_json(
    planted: Planted, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _, alerts = planted
    monkeypatch.setenv("TOUCHSTREAM_TOPIC_ALERTS", settings.topic_alerts)
    runner = CliRunner()
    since = ["--since", "3d", "--no-follow"]
    shown = runner.invoke(app, ["alerts", "tail", *since, "--json"])
    assert shown.exit_code == 0, shown.output
    assert [json.loads(line)["alert_id"] for line in shown.output.splitlines()] == [
        a.alert_id for a in alerts
    ]
    drops = runner.invoke(app, ["alerts", "tail", *since, "--kind", "satisfaction_drop"])
    lines = drops.output.splitlines()
    assert len(lines) == 2 and "MEDIUM" in lines[0] and "RESOLVED" in lines[1]
    assert all("satisfaction_drop" in line and "social" in line for line in lines)
    high_sms = runner.invoke(
        app, ["alerts", "tail", *since, "--channel", "sms", "--severity", "high"]
    )
    assert high_sms.output == ""  # SMS breaches are medium; the p90 alert too (under 2 x 30 s)


def test_alerts_land_in_clickhouse_for_review(
    planted_run: tuple[Scenario, Run], tmp_path: Path
) -> None:
    scenario, (settings, env, alerts) = planted_run
    settings = own_database(settings, "alerts")
    migrate(settings)
    sink = Worker(
        ["-m", "touchstream.cli", "sink"],
        tmp_path / "sink.log",
        {**env, "TOUCHSTREAM_CLICKHOUSE_DATABASE": settings.clickhouse_database},
    )
    bi = connect(settings, "bi")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            stored = query(bi, "SELECT count() AS n FROM alerts FINAL")[0]["n"]
            if stored >= len(alerts):
                break
            time.sleep(1)
        timeline = query(bi, "SELECT * FROM alert_timeline ORDER BY raised_at")
        answered_late = _cases_answered_late(bi, scenario)
    finally:
        bi.close()
        sink.stop()
        drop_database(settings)
    assert stored == len(alerts)
    # A breach raised at the deadline, undone in the case's facts by its answer known late.
    assert answered_late == {case: (at, 0) for case, at in scenario.answered_late.items()}
    raised = [a for a in alerts if a.status is AlertStatus.RAISED]
    assert sorted(row["alert_id"] for row in timeline) == sorted(a.alert_id for a in raised)
    cleared = {row["kind"]: row for row in timeline if row["resolved_at"] is not None}
    assert cleared.keys() == {"satisfaction_drop", "response_time_degraded", "sla_breach"}
    for kind, row in cleared.items():
        [resolved] = [a for a in alerts if a.kind.value == kind and a.resolves]
        assert (
            row["open_s"]
            == (resolved.raised_at - row["raised_at"].replace(tzinfo=UTC)).total_seconds()
        )


def _cases_answered_late(bi: Any, scenario: Scenario) -> dict[str, tuple[datetime, int]]:
    """First response and breach flag in ``cases`` of the cases answered in time but known
    late, once the sink has written their last version (30 s at most)."""
    found: dict[str, tuple[datetime, int]] = {}
    deadline = time.monotonic() + 30
    ids = ", ".join(f"'{case}'" for case in scenario.answered_late)
    while time.monotonic() < deadline:
        rows = query(
            bi,
            "SELECT case_id, first_response_at, sla_breached FROM cases FINAL "
            f"WHERE case_id IN ({ids})",
        )
        found = {
            r["case_id"]: (r["first_response_at"].replace(tzinfo=UTC), r["sla_breached"])
            for r in rows
            if r["first_response_at"] is not None
        }
        if found == {case: (at, 0) for case, at in scenario.answered_late.items()}:
            break
        time.sleep(1)
    return found


def test_a_clean_control_stream_raises_nothing(
    stack: Settings, tmp_path: Path, planted: Planted
) -> None:
    scenario = build(start_time(datetime.now(UTC)), planted=False)
    _, _, alerts = run(stack, tmp_path, scenario, {})
    assert alerts == []
