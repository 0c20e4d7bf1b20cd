"""feedback_themes_daily groups by day, channel, theme and language: exact figures on hand-made
facts, and generated traffic through a real worker and the sink shows themes by language, equal to
what the text step computes from the same records."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from sinks.clickhouse import connect
from sinks.migrate import migrate
from sinks.sink import insert
from streams.text import THEMES, analyse_comment
from tests.integration.sinks.support import drop_database, own_database, query, rows
from tests.integration.streams.test_worker_windows import isolated, lines, valid_records
from tests.integration.test_pipeline_clickhouse import pipeline
from tests.unit.sinks import records as r
from touchstream.producer import produce_lines
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
__all__ = ["isolated", "pipeline"]


def fb(n: int, **values: Any) -> tuple[str, dict[str, Any]]:
    return "feedback_fact", r.feedback(
        feedback_id=f"f{n}", submitted_at=r.T0 + timedelta(minutes=n), **values
    )


# Chat on one day: English comments 1-4 (3 with waiting_time), Swahili 5-6, one undetermined;
# an answer without a comment counts nowhere, and a replayed fact once.
DATASET = [
    fb(1, score=5, themes=["waiting_time", "billing"]),
    fb(2, score=2, themes=["waiting_time"], detractor_alert=True),
    fb(3, survey="nps", score=10, themes=["waiting_time"]),
    fb(4, score=4, themes=[]),
    fb(5, score=1, language="sw", comment="Nilisubiri sana", themes=["waiting_time"]),
    fb(6, score=3, language="sw", comment="Asante", themes=[]),
    fb(7, score=4, language="und", comment="ok ok", themes=["delivery"]),
    fb(8, score=1, comment=None, language=None, themes=[]),
    fb(1, score=5, themes=["waiting_time", "billing"]),
]


@pytest.fixture(scope="module")
def bi(stack: Settings) -> Iterator[Client]:
    settings = own_database(stack, "themes")
    migrate(settings)
    writer = connect(settings, "writer")
    insert(writer, rows(DATASET))
    writer.close()
    client = connect(settings, "bi")
    yield client
    client.close()
    drop_database(settings)


def test_themes_by_language_count_share_and_csat(bi: Client) -> None:
    got = query(
        bi,
        "SELECT language, theme, responses, comments, share_pct, detractors, csat_responses, "
        "csat_avg, nps_responses FROM feedback_themes_daily ORDER BY language, theme",
    )
    assert got == [
        {"language": "en", "theme": "billing", "responses": 1, "comments": 4, "share_pct": 25.0,
         "detractors": 0, "csat_responses": 1, "csat_avg": 5.0, "nps_responses": 0},
        {"language": "en", "theme": "waiting_time", "responses": 3, "comments": 4,
         "share_pct": 75.0, "detractors": 1, "csat_responses": 2, "csat_avg": 3.5,
         "nps_responses": 1},
        {"language": "sw", "theme": "waiting_time", "responses": 1, "comments": 2,
         "share_pct": 50.0, "detractors": 0, "csat_responses": 1, "csat_avg": 1.0,
         "nps_responses": 0},
        {"language": "und", "theme": "delivery", "responses": 1, "comments": 1,
         "share_pct": 100.0, "detractors": 0, "csat_responses": 1, "csat_avg": 4.0,
         "nps_responses": 0},
    ]


def test_generated_traffic_shows_themes_by_language(pipeline: Settings) -> None:
    raw = lines(seed=11, cases=200)
    _, feedback = valid_records(raw)
    # What the worker's text step makes of each comment, counted as the view counts.
    want: dict[tuple[str, str], int] = defaultdict(int)
    for record in feedback:
        if record.get("comment"):
            analysis = analyse_comment(record["comment"], record.get("language"))
            for theme in analysis.themes:
                want[(analysis.language, theme)] += 1
    produce_lines(raw, pipeline, "themes")
    bi = connect(pipeline, "bi")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if bi.query("SELECT count() FROM feedback FINAL").result_rows[0][0] >= len(feedback):
            break
        time.sleep(1)
    got = {
        (row["language"], row["theme"]): row["responses"]
        for row in query(
            bi,
            "SELECT language, theme, sum(responses) AS responses FROM feedback_themes_daily "
            "GROUP BY language, theme",
        )
    }
    bi.close()
    assert got == dict(want)
    # The generator's comments cover every theme and its five languages.
    assert {language for language, _ in got} >= {"en", "sw", "he", "tl", "fa"}
    assert {theme for _, theme in got} == set(THEMES)
