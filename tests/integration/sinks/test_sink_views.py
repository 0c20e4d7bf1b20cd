"""The BI views' exact figures on a small hand-made dataset written through the sink's insert
path, and the same figures after the batch is written again (a replay)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from sinks.clickhouse import connect
from sinks.migrate import migrate
from sinks.sink import insert
from tests.integration.sinks.support import drop_database, own_database, query, rows
from tests.unit.sinks import records as r
from touchstream.settings import Settings

pytestmark = pytest.mark.integration

H10 = r.T0
H11 = r.T0 + timedelta(hours=1)


def fb(n: int, survey: str, score: int, **values: Any) -> tuple[str, dict[str, Any]]:
    return "feedback_fact", r.feedback(feedback_id=f"f{n}", survey=survey, score=score,
                                       submitted_at=H10 + timedelta(minutes=n), **values)


def case(n: int, frt_s: float | None, **values: Any) -> tuple[str, dict[str, Any]]:
    answered = None if frt_s is None else H10 + timedelta(seconds=frt_s)
    return "case_fact", r.case(case_id=f"c{n}", frt_s=frt_s, first_response_at=answered,
                               opened_at=H10, sla_deadline=H10 + timedelta(minutes=5), **values)


def resolved(ttr_s: float, fcr: bool) -> dict[str, Any]:
    return {"resolved_at": H10 + timedelta(seconds=ttr_s), "ttr_s": ttr_s, "fcr": fcr}


DATASET = [
    # chat, 10:00: CSAT 5 4 2 1 3 (the 5 and the 2 from multi-channel cases: c2 is one, so the
    # split follows it; f4 says multi-channel, but its case c1 has one channel, which wins)
    fb(1, "csat", 5, case_id="c2", themes=["waiting_time", "billing"]),
    fb(2, "csat", 4, themes=["waiting_time"]),
    fb(3, "csat", 2, case_id="c2", detractor_alert=True, themes=["billing"]),
    fb(4, "csat", 1, multi_channel=True, detractor_alert=True, themes=[]),
    fb(5, "csat", 3),  # themes: waiting_time, the default of r.feedback
    # NPS 10 9 9 7 3; CES 7 5 2
    *(fb(10 + i, "nps", s, themes=[]) for i, s in enumerate((10, 9, 9, 7, 3))),
    *(fb(20 + i, "ces", s, themes=[]) for i, s in enumerate((7, 5, 2))),
    # chat, 11:00, and email, 10:00
    ("feedback_fact", r.feedback(feedback_id="f30", submitted_at=H11, score=4, themes=[])),
    ("feedback_fact", r.feedback(feedback_id="f31", channel="email", score=1, themes=[])),
    # chat cases opened at 10:00 (standard 5 min): FRT 60 120 300 600 s and one unanswered
    case(1, 60.0, version=1),
    case(1, 60.0, version=3, **resolved(600, True)),
    case(2, 120.0, version=2, **resolved(1200, True), multi_channel=True,
         channels=["web", "chat"]),
    case(3, 300.0, version=2, **resolved(3600, False)),
    case(4, 600.0, version=2, sla_breached=True),
    case(5, None, version=1, sla_breached=True),
    case(1, 60.0, version=2),  # an older state arriving late loses to version 3
    case(6, None, version=1, first_channel="email"),
    ("case_fact", r.case(case_id="c7", first_channel=None, opened_at=None)),  # no contact yet
]


@pytest.fixture(scope="module")
def settings(stack: Settings) -> Iterator[Settings]:
    settings = own_database(stack, "views")
    migrate(settings)
    writer = connect(settings, "writer")
    insert(writer, rows(DATASET))
    writer.close()
    yield settings
    drop_database(settings)


@pytest.fixture()
def bi(settings: Settings) -> Iterator[Client]:
    client = connect(settings, "bi")
    yield client
    client.close()


def satisfaction(bi: Client) -> list[dict[str, Any]]:
    return query(bi, "SELECT * FROM channel_satisfaction_hourly ORDER BY channel, hour")


def response_times(bi: Client) -> list[dict[str, Any]]:
    return query(bi, "SELECT * FROM channel_response_times_hourly ORDER BY channel, hour")


def test_channel_satisfaction_hourly(bi: Client) -> None:
    chat10, chat11, email = satisfaction(bi)
    assert chat10["hour"] == H10.replace(tzinfo=None)
    assert chat10 | {"hour": None} == chat10 | {
        "hour": None, "channel": "chat",
        "csat_responses": 5, "csat_satisfied": 2, "csat_pct": 40.0, "csat_avg": 3.0,
        "nps_responses": 5, "nps_promoters": 3, "nps_detractors": 1, "nps": 40.0,
        "ces_responses": 3, "ces_easy": 2, "ces_easy_pct": pytest.approx(200 / 3),
        "ces_avg": pytest.approx(14 / 3),
        "csat_multi_responses": 2, "csat_multi_satisfied": 1, "csat_multi_pct": 50.0,
        "csat_single_responses": 3, "csat_single_satisfied": 1,
        "csat_single_pct": pytest.approx(100 / 3),
    }
    assert (chat11["hour"], chat11["csat_responses"], chat11["csat_pct"]) == (
        H11.replace(tzinfo=None), 1, 100.0)
    assert (email["csat_responses"], email["csat_pct"], email["csat_avg"]) == (1, 0.0, 1.0)
    assert (email["nps_responses"], email["nps"], email["ces_avg"]) == (0, None, None)


def test_channel_response_times_hourly(bi: Client) -> None:
    chat, email = response_times(bi)
    assert chat == {
        "hour": H10.replace(tzinfo=None), "channel": "chat",
        "cases_opened": 5, "first_responses": 4, "frt_avg_s": 270.0,
        # nearest rank of 60 120 300 600 (a case without a response left out): p50 the 2nd,
        # p90 and p99 the 4th; of three TTRs, p50 the 2nd, p90 and p99 the 3rd
        "frt_p50_s": 120.0, "frt_p90_s": 600.0, "frt_p99_s": 600.0,
        "resolved": 3, "ttr_p50_s": 1200.0, "ttr_p90_s": 3600.0, "ttr_p99_s": 3600.0,
        "fcr_cases": 2, "fcr_pct": pytest.approx(200 / 3),
        "sla_breaches": 2, "multi_channel_cases": 1,
        "frt_multi_avg_s": 120.0, "frt_single_avg_s": pytest.approx(320.0),
        "abandoned_cases": 0, "ivr_entered": 0, "ivr_escapes": 0, "ivr_escape_pct": None,
    }
    assert (email["cases_opened"], email["first_responses"], email["frt_p50_s"]) == (1, 0, None)
    assert (email["resolved"], email["fcr_pct"], email["ttr_p50_s"]) == (0, None, None)


def test_sla_breaches_one_row_per_case(bi: Client) -> None:
    breaches = query(bi, "SELECT case_id, channel, late_by_s FROM sla_breaches ORDER BY case_id")
    assert breaches == [{"case_id": "c4", "channel": "chat", "late_by_s": 300.0},
                        {"case_id": "c5", "channel": "chat", "late_by_s": None}]


def test_open_cases(bi: Client) -> None:
    open_cases = query(bi, "SELECT case_id, awaiting_first_response FROM open_cases "
                           "ORDER BY case_id")
    assert [(c["case_id"], c["awaiting_first_response"]) for c in open_cases] == [
        ("c4", False), ("c5", True), ("c6", True), ("c7", False)]


def test_feedback_themes_daily(bi: Client) -> None:
    themes = query(bi, "SELECT theme, responses, detractors, csat_responses, csat_pct "
                       "FROM feedback_themes_daily WHERE channel = 'chat' ORDER BY theme")
    assert themes == [
        {"theme": "billing", "responses": 2, "detractors": 1, "csat_responses": 2,
         "csat_pct": 50.0},
        {"theme": "waiting_time", "responses": 3, "detractors": 0, "csat_responses": 3,
         "csat_pct": pytest.approx(200 / 3)},
    ]


def test_a_replayed_batch_changes_no_figure(settings: Settings, bi: Client) -> None:
    before = (satisfaction(bi), response_times(bi),
              query(bi, "SELECT * FROM feedback_themes_daily ORDER BY day, channel, theme"))
    writer = connect(settings, "writer")
    insert(writer, rows(DATASET))  # the whole batch again
    insert(writer, rows(DATASET[3:9]))  # and a replay cut at other boundaries
    writer.close()
    after = (satisfaction(bi), response_times(bi),
             query(bi, "SELECT * FROM feedback_themes_daily ORDER BY day, channel, theme"))
    assert after == before


def test_touchpoint_rollup_counts_a_replayed_event_once(settings: Settings, bi: Client) -> None:
    kinds = ("contact_opened", "customer_message", "customer_message")
    events = [("touchpoint", r.touchpoint(event_id=f"e{n}", event_type=kind,
                                          customer_id=f"u{n % 2}"))
              for n, kind in enumerate(kinds)]
    writer = connect(settings, "writer")
    for _ in range(3):
        insert(writer, rows(events))
    writer.close()
    activity = query(bi, "SELECT event_type, events, customers, cases FROM channel_activity_hourly "
                         "ORDER BY event_type")
    assert activity == [
        {"event_type": "contact_opened", "events": 1, "customers": 1, "cases": 1},
        {"event_type": "customer_message", "events": 2, "customers": 2, "cases": 1},
    ]
