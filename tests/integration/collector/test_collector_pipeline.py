"""A website posting to the real collector on the real broker, through a real worker and sink:
its journey and feedback appear in the BI views; bad items and bad posts get 4xx answers that
name the reason, and land in the dead_letters table under the request's id."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from sinks.clickhouse import connect
from sinks.migrate import migrate
from tests.integration.collector.server import collector
from tests.integration.sinks.support import drop_database, own_database, query
from tests.integration.streams.test_worker_windows import isolated
from tests.integration.workers import Worker
from touchstream.settings import Settings
from touchstream.topics import ensure_topics

pytestmark = pytest.mark.integration
__all__ = ["isolated"]
KEY = "shop-key-0123456789abcdef"
ORIGIN = "https://shop.example"
HEADERS = {"Authorization": f"Bearer {KEY}", "Origin": ORIGIN}


@pytest.fixture()
def pipeline(
    isolated: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Settings, str]]:
    settings = own_database(isolated, "collector").model_copy(
        update={
            "collector_api_keys": SecretStr(f"web-shop={KEY}"),
            "collector_cors_origins": (ORIGIN,),
        }
    )
    monkeypatch.setenv("TOUCHSTREAM_CLICKHOUSE_DATABASE", settings.clickhouse_database)
    monkeypatch.setenv("TOUCHSTREAM_SINK_BATCH_SECONDS", "0.5")
    migrate(settings)
    ensure_topics(settings)
    worker = Worker(["-m", "touchstream.cli", "worker"], tmp_path / "worker.log", {})
    sink = Worker(["-m", "touchstream.cli", "sink"], tmp_path / "sink.log", {})
    try:
        with collector(settings) as url:
            worker.wait_ready()
            yield settings, url
    finally:
        worker.stop()
        sink.stop()
        drop_database(settings)


def journey(opened: datetime) -> list[dict[str, Any]]:
    """What a shop's browser SDK sends: a visit, a contact form, the answer and the resolution."""
    common = {"customer_id": "cust-42", "channel": "web"}
    case = {**common, "case_id": "case-42", "journey_stage": "support"}
    return [
        {
            **common,
            "event_id": "pv-1",
            "occurred_at": (opened - timedelta(minutes=2)).isoformat(),
            "actor": "customer",
            "event_type": "page_view",
            "journey_stage": "consideration",
            "attributes": {"page": "/help"},
        },
        {
            **case,
            "event_id": "open-1",
            "occurred_at": opened.isoformat(),
            "actor": "customer",
            "event_type": "contact_opened",
        },
        {  # bad: not a channel
            **case,
            "event_id": "open-2",
            "occurred_at": opened.isoformat(),
            "actor": "customer",
            "event_type": "contact_opened",
            "channel": "carrier-pigeon",
            "attributes": {"note": "reply to bob@example.com"},  # personal data in a dead letter
        },
        {
            **case,
            "event_id": "answer-1",
            "occurred_at": (opened + timedelta(seconds=600)).isoformat(),
            "actor": "agent",
            "agent_id": "agent-7",
            "event_type": "agent_response",
        },
        {
            **case,
            "event_id": "resolved-1",
            "occurred_at": (opened + timedelta(seconds=900)).isoformat(),
            "actor": "agent",
            "event_type": "case_resolved",
        },
        {  # bad: an hour in the future
            **case,
            "event_id": "late-1",
            "occurred_at": (opened + timedelta(hours=2)).isoformat(),
            "actor": "customer",
            "event_type": "customer_message",
        },
    ]


def survey(submitted: datetime) -> list[dict[str, Any]]:
    common = {"customer_id": "cust-42", "case_id": "case-42", "channel": "web"}
    at = submitted.isoformat()
    return [
        {**common, "feedback_id": "fb-csat", "submitted_at": at, "survey": "csat", "score": 5},
        {**common, "feedback_id": "fb-nps", "submitted_at": at, "survey": "nps", "score": 3},
    ]


def wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + 90
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def test_a_website_posting_to_the_collector(pipeline: tuple[Settings, str]) -> None:
    settings, url = pipeline
    opened = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    with httpx2.Client(base_url=url, headers=HEADERS) as http:
        events = http.post("/v1/touchpoints", json=journey(opened))
        feedback = http.post("/v1/feedback", json=survey(opened + timedelta(minutes=20)))
        all_bad = http.post("/v1/feedback", json={"feedback_id": "fb-x", "survey": "csat"})
        not_json = http.post("/v1/feedback", content=b"score=5")
        unauthorised = http.post("/v1/feedback", json=survey(opened), headers={"Authorization": ""})

    assert events.status_code == 202
    assert events.headers["access-control-allow-origin"] == ORIGIN
    assert [(r["status"], r.get("id") or r["reason"]) for r in events.json()["results"]] == [
        (202, "pv-1"),
        (202, "open-1"),
        (422, "unknown_channel"),
        (202, "answer-1"),
        (202, "resolved-1"),
        (422, "future_timestamp"),
    ]
    assert feedback.status_code == 202 and feedback.json()["accepted"] == 2
    assert all_bad.status_code == 422
    assert all_bad.json()["results"] == [
        {"index": 0, "status": 422, "reason": "missing_field", "detail": "score is missing"}
    ]
    assert not_json.status_code == 400 and not_json.json()["error"] == "invalid_json"
    assert unauthorised.status_code == 401

    bi = connect(settings, "bi")

    def landed() -> bool:
        cases = bi.query("SELECT count() FROM cases FINAL WHERE first_response_at IS NOT NULL")
        feedback_rows = bi.query("SELECT count() FROM feedback FINAL")
        letters = bi.query("SELECT count() FROM dead_letters FINAL")
        return (
            cases.result_rows[0][0] == 1
            and feedback_rows.result_rows[0][0] == 2
            and letters.result_rows[0][0] == 4
        )

    wait_for(landed, "the journey, its feedback and the dead letters in ClickHouse")
    (satisfaction,) = query(
        bi,
        "SELECT sum(csat_responses) AS csat, sum(csat_satisfied) AS satisfied,"
        " sum(nps_responses) AS nps, sum(nps_detractors) AS detractors"
        " FROM channel_satisfaction_hourly WHERE channel = 'web'",
    )
    assert satisfaction == {"csat": 1, "satisfied": 1, "nps": 1, "detractors": 1}
    (response_times,) = query(
        bi,
        "SELECT sum(cases_opened) AS opened, sum(first_responses) AS answered,"
        " max(frt_p90_s) AS frt, sum(resolved) AS resolved, sum(fcr_cases) AS fcr"
        " FROM channel_response_times_hourly WHERE channel = 'web'",
    )
    assert response_times == {"opened": 1, "answered": 1, "frt": 600.0, "resolved": 1, "fcr": 1}
    sources = query(bi, "SELECT DISTINCT source FROM touchpoints FINAL")
    assert sources == [{"source": "web-shop"}]

    letters = query(
        bi, "SELECT topic, offset, reason, payload FROM dead_letters FINAL ORDER BY reason"
    )
    events_topic = f"collector:web-shop:touchpoint:{events.json()['request_id']}"
    feedback_topic = "collector:web-shop:feedback"
    assert [(r["topic"], r["offset"], r["reason"]) for r in letters] == [
        (events_topic, 5, "future_timestamp"),
        (f"{feedback_topic}:{not_json.json()['request_id']}", -1, "invalid_json"),
        (f"{feedback_topic}:{all_bad.json()['request_id']}", 0, "missing_field"),
        (events_topic, 2, "unknown_channel"),
    ]
    pigeon = json.loads(base64.b64decode(letters[3]["payload"]))
    assert pigeon["channel"] == "carrier-pigeon"
    assert pigeon["attributes"] == {"note": "reply to <email>"}  # redacted in ClickHouse
    assert base64.b64decode(letters[1]["payload"]) == b"score=5"
