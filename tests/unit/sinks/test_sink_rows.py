"""Decoded records -> ClickHouse rows, and records the sink cannot store -> dead-letter rows."""

from __future__ import annotations

import base64

from schemas import codec
from sinks.rows import TABLES
from sinks.sink import to_row
from tests.unit.sinks import records as r


def row_of(subject: str, datum: dict[str, object]) -> dict[str, object]:
    table, row = to_row("t", 0, 7, codec.frame(subject, datum))
    assert table == TABLES[subject].name
    return dict(zip(TABLES[subject].columns, row, strict=True))


def test_touchpoint_row_keeps_every_field() -> None:
    row = row_of("touchpoint", r.touchpoint(agent_id="ag7"))
    assert row == r.touchpoint(agent_id="ag7")


def test_touchpoint_attributes_lose_their_emails_and_keep_their_numbers() -> None:
    attributes = {
        "page": "/reset?email=ana.lopez%2Bx@example.com&step=2",
        "referrer": "https://mail.example.com/?to=ana%40example.com&ref=news",
        "order": "/orders/100234567",
        "note": "call 0712 345 678 or mail ana@example.com",
        "queue": "billing",
    }
    row = row_of("touchpoint", r.touchpoint(attributes=attributes))
    assert row["attributes"] == {
        "page": "/reset?email=<email>&step=2",
        "referrer": "https://mail.example.com/?to=<email>&ref=news",
        "order": "/orders/100234567",
        "note": "call 0712 345 678 or mail <email>",
        "queue": "billing",
    }


def test_feedback_row_renames_to_the_table_columns() -> None:
    row = row_of("feedback_fact", r.feedback(channels=["web", "chat"], multi_channel=True))
    assert row["comment_redacted"] == "fast, thanks"
    assert row["detractor"] is False
    assert row["channel_path"] == ["web", "chat"]
    assert row["multi_channel"] is True
    assert row["themes"] == ["waiting_time"]
    assert row["submitted_at"] == r.T0


def test_case_row_keeps_nulls_until_known() -> None:
    row = row_of("case_fact", r.case(version=4))
    assert row["resolved_at"] is None and row["ttr_s"] is None and row["fcr"] is None
    assert row["frt_s"] == 60.0 and row["version"] == 4


def test_window_row_has_every_schema_field_with_defaults() -> None:
    row = row_of("window_result", r.window())
    assert row["csat_pct"] == 50.0
    assert row["touchpoints"] == 0 and row["nps"] is None
    assert len(row) == len(codec.schema("window_result")["fields"])


def test_alert_row() -> None:
    row = row_of("alert", r.alert())
    assert row["comment_redacted"] == "slow" and row["figures"] == {"score": 1.0}
    resolved = row_of("alert", r.alert(status="resolved", resolves="a0"))
    assert (resolved["status"], resolved["resolves"]) == ("resolved", "a0")


def test_dead_letter_payload_is_base64() -> None:
    row = row_of("deadletter", r.dead_letter())
    assert base64.b64decode(str(row["payload"])) == b"\xff\x00bad"
    assert (row["topic"], row["partition"], row["offset"]) == ("cx.touchpoints", 2, 41)


def test_undecodable_record_becomes_a_dead_letter_row_of_its_own_position() -> None:
    table, row = to_row("cx.facts.cases", 3, 99, b"garbage")
    assert table == "dead_letters"
    assert row[:4] == ("cx.facts.cases", 3, 99, "undecodable")
    assert base64.b64decode(row[5]) == b"garbage"


def test_a_kind_no_table_holds_becomes_a_dead_letter_row() -> None:
    raw = {
        "feedback_id": "f",
        "submitted_at": r.T0,
        "customer_id": "u",
        "case_id": None,
        "channel": "web",
        "survey": "csat",
        "score": 3,
        "comment": None,
        "language": None,
    }
    table, row = to_row("cx.facts.feedback", 0, 5, codec.frame("feedback", raw))
    assert table == "dead_letters" and row[3] == "schema_mismatch"


def test_tombstone_becomes_a_dead_letter_row() -> None:
    table, row = to_row("cx.alerts", 0, 1, None)
    assert table == "dead_letters" and row[5] == ""
