from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import typer

from schemas.records import Alert, AlertKind, AlertStatus, Channel
from streams.alerts import alert_json
from touchstream.alerts import AlertFilter, age, render
from touchstream.since import parse_since

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def alert(**changes: object) -> Alert:
    values: dict[str, object] = {
        "alert_id": "a1",
        "kind": AlertKind.SLA_BREACH,
        "severity": "medium",
        "channel": Channel.EMAIL,
        "raised_at": NOW - timedelta(minutes=7),
        "subject_kind": "case",
        "subject_id": "c1",
        "summary": "Case c1 on email has had no agent response",
    }
    return Alert(**(values | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("2h", NOW - timedelta(hours=2)),
        ("1d", NOW - timedelta(days=1)),
        ("45s", NOW - timedelta(seconds=45)),
        ("2026-11-25T08:00:00", datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),
        ("2026-11-25T08:00:00+02:00", datetime(2026, 11, 25, 6, 0, tzinfo=UTC)),
    ],
)
def test_since(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


def test_since_refuses_what_it_cannot_read() -> None:
    with pytest.raises(typer.BadParameter, match="neither"):
        parse_since("yesterday", NOW)


def test_filter_by_kind_channel_severity_and_time() -> None:
    a = alert()
    assert AlertFilter().matches(a)
    assert AlertFilter(kinds=frozenset({AlertKind.SLA_BREACH})).matches(a)
    assert not AlertFilter(kinds=frozenset({AlertKind.DETRACTOR})).matches(a)
    assert not AlertFilter(channels=frozenset({Channel.CHAT})).matches(a)
    assert AlertFilter(min_severity="medium").matches(a)
    assert not AlertFilter(min_severity="high").matches(a)
    assert AlertFilter(since=NOW - timedelta(minutes=7)).matches(a)
    assert not AlertFilter(since=NOW - timedelta(minutes=6)).matches(a)


def test_a_line_says_when_how_bad_what_where_how_old_and_why() -> None:
    line = render(alert(), NOW).plain
    assert line == (
        "2026-11-25 11:53:00 MEDIUM   sla_breach             email        7m ago  "
        "Case c1 on email has had no agent response"
    )
    resolved = render(alert(status=AlertStatus.RESOLVED, raised_at=NOW), NOW).plain
    assert resolved.startswith("2026-11-25 12:00:00 RESOLVED sla_breach")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(5, "5s ago"), (61, "1m ago"), (7200, "2h ago"), (90000, "1d ago"), (-3, "ahead")],
)
def test_age(seconds: float, shown: str) -> None:
    assert age(seconds) == shown


def test_json_form_uses_plain_values() -> None:
    assert alert_json(alert(status=AlertStatus.RESOLVED, resolves="a0")) == {
        "alert_id": "a1",
        "kind": "sla_breach",
        "severity": "medium",
        "channel": "email",
        "raised_at": "2026-11-25T11:53:00+00:00",
        "subject_kind": "case",
        "subject_id": "c1",
        "summary": "Case c1 on email has had no agent response",
        "figures": {},
        "case_id": None,
        "customer_id": None,
        "comment": None,
        "status": "resolved",
        "resolves": "a0",
    }
