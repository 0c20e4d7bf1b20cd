"""A dead letter's payload as the ``dead_letters`` table keeps it: with personal data in its free
text redacted, as the facts keep a comment. The original bytes stay on the dead-letter topic,
within its retention, for whoever fixes and replays them; the table is read by BI users.

What is free text depends on what the bytes are:

- one of the codec's records (a touchpoint or feedback that failed validation): every string but
  the fields that identify, time or classify it (ids, times, enums, score, language), i.e. the
  comment and the attributes, written back under its current schema when anything changed;
- JSON (a line or an item the collector refused): the same, by key, written back as JSON;
- anything else: the whole text, read as UTF-8 with undecodable bytes kept as they are.

Unchanged payloads are kept byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

from schemas import codec
from streams.text.redact import redact

# Fields of the input records whose values identify, time or classify a record: what someone
# reading a dead letter needs to find its source and see what was wrong with it.
KEPT = frozenset(
    {
        "type",
        "event_id",
        "feedback_id",
        "occurred_at",
        "submitted_at",
        "customer_id",
        "case_id",
        "channel",
        "actor",
        "event_type",
        "journey_stage",
        "source",
        "agent_id",
        "survey",
        "score",
        "language",
    }
)


def redacted_payload(payload: bytes) -> bytes:
    try:
        subject, datum = codec.decode(payload)
    except codec.DecodeError:
        pass
    else:
        redacted = _redacted_record(datum)
        return payload if redacted == datum else codec.frame(subject, redacted)
    try:
        document = json.loads(payload)
    except ValueError:
        text = payload.decode("utf-8", "surrogateescape")
        return redact(text).text.encode("utf-8", "surrogateescape")
    redacted = _redacted_record(document)
    return payload if redacted == document else json.dumps(redacted, ensure_ascii=False).encode()


def _redacted_record(value: Any) -> Any:
    """A record's fields but the ``KEPT`` ones redacted (any value, if it is not a record)."""
    if not isinstance(value, dict):
        return _redacted(value)
    return {
        key: item if key in KEPT and not isinstance(item, dict | list) else _redacted(item)
        for key, item in value.items()
    }


def _redacted(value: Any) -> Any:
    """Every string in ``value`` redacted."""
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return redact(value).text if isinstance(value, str) else value
