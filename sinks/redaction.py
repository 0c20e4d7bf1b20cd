"""Personal data out of what the sink stores, besides the comments the worker redacts.

A touchpoint's attributes: email addresses redacted (``streams.text.attributes``), as the worker
does before it publishes the fact; done here again for facts published before it did, or by
anyone else.

A dead letter's payload as the ``dead_letters`` table keeps it: with personal data in its free
text redacted, as the facts keep a comment. The original bytes stay on the dead-letter topic,
within its retention, for whoever fixes and replays them; the table is read by BI users.

What is free text depends on what the bytes are:

- one of the codec's records (a touchpoint or feedback that failed validation): every string but
  the fields that identify, time or classify it (ids, times, enums, score, language) while they
  hold a value of their kind, so the comment and the attributes, written back under its current
  schema when anything changed;
- JSON (a line or an item the collector refused): the same, by key, written back as JSON;
- anything else: the whole text, read as UTF-8 with undecodable bytes kept as they are.

Unchanged payloads are kept byte for byte.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from schemas import codec
from schemas.records import Actor, Channel, EventType, JourneyStage, Survey
from streams.text.language import normalize_language
from streams.text.redact import redact

# Fields of the input records whose values identify, time or classify a record: what someone
# reading a dead letter needs to find its source and see what was wrong with it. Each is kept
# only when its value is of its kind (a dead letter may be one because a field held free text).
_ENUMS = {
    "type": frozenset({"touchpoint", "feedback"}),
    "channel": frozenset(Channel),
    "actor": frozenset(Actor),
    "event_type": frozenset(EventType),
    "journey_stage": frozenset(JourneyStage),
    "survey": frozenset(Survey),
}
_IDS = frozenset({"event_id", "feedback_id", "customer_id", "case_id", "source", "agent_id"})
_TIMES = frozenset({"occurred_at", "submitted_at"})


def _kept(key: str, value: Any) -> bool:
    if key in _IDS:
        return value is None or isinstance(value, str)
    if key in _ENUMS:
        return value in _ENUMS[key]
    if key in _TIMES:
        return isinstance(value, datetime) or _is_time(value)
    if key == "score":
        return isinstance(value, int) and not isinstance(value, bool)
    if key == "language":
        return value is None or (isinstance(value, str) and normalize_language(value) is not None)
    return False


def _is_time(value: Any) -> bool:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


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
    """A record's fields redacted but those ``_kept`` (any value, if it is not a record)."""
    if not isinstance(value, dict):
        return _redacted(value)
    return {key: item if _kept(key, item) else _redacted(item) for key, item in value.items()}


def _redacted(value: Any) -> Any:
    """Every string in ``value`` redacted, a mapping's keys included."""
    if isinstance(value, dict):
        return {_redacted(key): _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return redact(value).text if isinstance(value, str) else value
