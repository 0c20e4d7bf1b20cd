from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.jsonl import parse_line
from schemas.records import Feedback, Touchpoint
from schemas.validation import Rejection

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TOUCHPOINT = {
    "type": "touchpoint",
    "event_id": "e1",
    "occurred_at": "2026-11-24T11:00:00+00:00",
    "customer_id": "cu1",
    "case_id": "c1",
    "channel": "chat",
    "actor": "agent",
    "event_type": "agent_response",
    "journey_stage": "support",
    "source": "crm",
}
FEEDBACK = {
    "type": "feedback",
    "feedback_id": "f1",
    "submitted_at": "2026-11-24T11:00:00Z",
    "customer_id": "cu1",
    "channel": "email",
    "survey": "csat",
    "score": 4,
}


def reason(record: dict[str, Any]) -> str:
    result = parse_line(json.dumps(record), NOW)
    assert isinstance(result, Rejection), result
    return str(result.reason)


def test_good_records_parse() -> None:
    assert isinstance(parse_line(json.dumps(TOUCHPOINT), NOW), Touchpoint)
    epoch_ms = int(datetime(2026, 11, 24, 11, tzinfo=UTC).timestamp() * 1000)
    fb = parse_line(json.dumps({**FEEDBACK, "submitted_at": epoch_ms}), NOW)
    assert isinstance(fb, Feedback)
    assert fb.submitted_at == datetime(2026, 11, 24, 11, tzinfo=UTC)
    browsing = {**TOUCHPOINT, "case_id": "", "event_type": "page_view", "actor": "customer"}
    assert isinstance(parse_line(json.dumps(browsing), NOW), Touchpoint)


@pytest.mark.parametrize(
    ("survey", "bad", "good"),
    [("csat", [0, 6], [1, 5]), ("nps", [-1, 11], [0, 10]), ("ces", [0, 8], [1, 7])],
)
def test_score_ranges(survey: str, bad: list[int], good: list[int]) -> None:
    for score in bad:
        assert reason({**FEEDBACK, "survey": survey, "score": score}) == "out_of_range_score"
    for score in good:
        assert isinstance(
            parse_line(json.dumps({**FEEDBACK, "survey": survey, "score": score}), NOW), Feedback
        )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"channel": "fax"}, "unknown_channel"),
        ({"event_type": "teleport"}, "unknown_value"),
        ({"customer_id": None}, "missing_field"),
        ({"event_id": "  "}, "empty_id"),
        ({"case_id": ""}, "empty_id"),
        ({"occurred_at": (NOW + timedelta(minutes=6)).isoformat()}, "future_timestamp"),
        ({"occurred_at": (NOW - timedelta(days=366)).isoformat()}, "stale_timestamp"),
        ({"occurred_at": "yesterday"}, "schema_mismatch"),
        ({"type": "order"}, "schema_mismatch"),
    ],
)
def test_touchpoint_rules(change: dict[str, Any], expected: str) -> None:
    assert reason({**TOUCHPOINT, **change}) == expected


def test_within_five_minutes_of_now_is_fine() -> None:
    record = {**TOUCHPOINT, "occurred_at": (NOW + timedelta(minutes=4)).isoformat()}
    assert isinstance(parse_line(json.dumps(record), NOW), Touchpoint)


def test_feedback_rules() -> None:
    assert reason({**FEEDBACK, "score": "5"}) == "schema_mismatch"
    assert reason({**FEEDBACK, "feedback_id": ""}) == "empty_id"
    assert reason({**FEEDBACK, "survey": "ces2"}) == "unknown_value"


def test_not_json() -> None:
    assert str(parse_line("{oops", NOW).reason) == "invalid_json"  # type: ignore[union-attr]
    assert str(parse_line("[1, 2]", NOW).reason) == "invalid_json"  # type: ignore[union-attr]
