"""Decoded records (Avro datums, as ``schemas.codec.decode`` returns them) -> ClickHouse rows.

Each codec subject the sink reads maps to one table; ``TABLES[subject].columns`` names the row's
columns in order. ``ingested_at`` is left to the table's default.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemas import codec
from sinks.redaction import redacted_payload
from streams.text.attributes import redacted_attributes
from streams.text.redact import redact

Datum = dict[str, Any]
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    row: Callable[[Datum], Row]


def _same_names(columns: tuple[str, ...]) -> Callable[[Datum], Row]:
    return lambda datum: tuple(datum[c] for c in columns)


def _renamed(columns: tuple[str, ...], sources: dict[str, str]) -> Callable[[Datum], Row]:
    """Columns whose field has another name in the schema; ``sources``: column -> field."""
    fields = tuple(sources.get(c, c) for c in columns)
    return lambda datum: tuple(datum[f] for f in fields)


TOUCHPOINT_COLUMNS = (
    "event_id", "occurred_at", "customer_id", "case_id", "channel", "actor", "event_type",
    "journey_stage", "agent_id", "source", "attributes",
)
FEEDBACK_COLUMNS = (
    "feedback_id", "submitted_at", "customer_id", "case_id", "channel", "survey", "score",
    "comment_redacted", "language", "themes", "csat_satisfied", "nps_category", "ces_easy",
    "detractor", "channel_path", "multi_channel", "journey_stage",
)
CASE_COLUMNS = (
    "case_id", "customer_id", "first_channel", "opened_at", "first_response_at", "frt_s",
    "resolved_at", "ttr_s", "customer_contacts", "channels", "multi_channel", "fcr", "reopened",
    "sla_deadline", "sla_breached", "abandoned", "ivr_entered", "ivr_escaped", "version",
)
# Every field of the window_result schema is a column of the same name.
WINDOW_COLUMNS = tuple(f["name"] for f in codec.schema("window_result")["fields"])
ALERT_COLUMNS = (
    "alert_id", "kind", "severity", "channel", "raised_at", "subject_kind", "subject_id",
    "summary", "figures", "case_id", "customer_id", "comment_redacted", "status", "resolves",
)
DEAD_LETTER_COLUMNS = ("topic", "partition", "offset", "reason", "detail", "payload", "dead_at")


_all_touchpoint_columns = _same_names(TOUCHPOINT_COLUMNS)


def _touchpoint(datum: Datum) -> Row:
    if datum["attributes"]:
        datum["attributes"] = redacted_attributes(datum["attributes"])
    return _all_touchpoint_columns(datum)


def dead_letter_row(
    topic: str, partition: int, offset: int, reason: str, detail: str, payload: bytes, dead_at: Any
) -> Row:
    """The payload with personal data redacted (``sinks.redaction``), in base64, and the detail
    redacted too: a detail may quote the value it refused."""
    body = base64.b64encode(redacted_payload(payload)).decode()
    return (topic, partition, offset, reason, redact(detail).text, body, dead_at)


def _dead_letter(datum: Datum) -> Row:
    return dead_letter_row(
        datum["source_topic"], datum["source_partition"], datum["source_offset"], datum["reason"],
        datum["detail"], datum["original"], datum["dead_at"],
    )


TABLES: dict[str, Table] = {
    "touchpoint": Table("touchpoints", TOUCHPOINT_COLUMNS, _touchpoint),
    "feedback_fact": Table(
        "feedback",
        FEEDBACK_COLUMNS,
        _renamed(FEEDBACK_COLUMNS, {"comment_redacted": "comment", "detractor": "detractor_alert",
                                    "channel_path": "channels"}),
    ),
    "case_fact": Table("cases", CASE_COLUMNS, _same_names(CASE_COLUMNS)),
    "window_result": Table("window_results", WINDOW_COLUMNS, _same_names(WINDOW_COLUMNS)),
    "alert": Table(
        "alerts", ALERT_COLUMNS, _renamed(ALERT_COLUMNS, {"comment_redacted": "comment"})
    ),
    "deadletter": Table("dead_letters", DEAD_LETTER_COLUMNS, _dead_letter),
}
