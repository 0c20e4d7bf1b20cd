"""Dead letters' payloads in ClickHouse: personal data in free text redacted, whatever the bytes
are, and the fields that tell where a record came from kept."""

from __future__ import annotations

import base64
import json

from schemas import codec
from schemas.deadletter import dead_letter_record
from schemas.records import Channel, Feedback, Survey
from sinks.redaction import redacted_payload
from sinks.sink import to_row
from tests.unit.sinks.records import T0, touchpoint

COMMENT = "rude agent, call me on +1 555 123 4567 or mail bob@example.com"
REDACTED = "rude agent, call me on <phone> or mail <email>"


def _feedback(comment: str | None, score: int = 11) -> Feedback:
    """A CSAT answer out of range: the worker dead-letters it with its bytes as they came."""
    return Feedback("f-5551234567", T0, "u-4455667788", Channel.CHAT, Survey.CSAT, score,
                    "c-9988776655", comment, "en")  # fmt: skip


def test_a_record_of_the_codec_keeps_its_ids_and_loses_the_personal_data_in_its_comment() -> None:
    redacted = codec.decode_as(redacted_payload(codec.encode(_feedback(COMMENT))), Feedback)
    assert redacted == _feedback(REDACTED)  # ids with phone-like digits kept, score as it was


def test_a_touchpoint_loses_the_personal_data_in_its_attributes() -> None:
    datum = touchpoint(attributes={"note": "bob@example.com", "queue": "billing"})
    redacted = codec.decode(redacted_payload(codec.frame("touchpoint", datum)))
    assert redacted == (
        "touchpoint",
        datum | {"attributes": {"note": "<email>", "queue": "billing"}},
    )


def test_json_keeps_its_ids_and_loses_the_personal_data_in_any_other_field() -> None:
    line = {"type": "feedback", "case_id": "c-5551234567", "comment": COMMENT,
            "extra": {"contact": ["0712 345 678"]}}  # fmt: skip
    redacted = json.loads(redacted_payload(json.dumps(line).encode()))
    assert redacted == line | {"comment": REDACTED, "extra": {"contact": ["<phone>"]}}


def test_a_field_that_identifies_a_record_is_kept_only_while_it_holds_a_value_of_its_kind() -> None:
    line = {"type": "feedback", "score": "2 - call me on 0712345678", "channel": "bob@example.com",
            "submitted_at": "ring 0712345678", "language": "mail bob@example.com",
            "attributes": {"bob@example.com": "x"}}  # fmt: skip
    assert json.loads(redacted_payload(json.dumps(line).encode())) == {
        "type": "feedback", "score": "2 - call me on <phone>", "channel": "<email>",
        "submitted_at": "ring <phone>", "language": "mail <email>", "attributes": {"<email>": "x"},
    }  # fmt: skip


def test_other_bytes_are_redacted_as_text_and_their_undecodable_bytes_kept() -> None:
    assert redacted_payload(b"\xff\x00 mail bob@example.com") == b"\xff\x00 mail <email>"
    assert redacted_payload(b'{"comment": "bob@example.com"') == b'{"comment": "<email>"'


def test_a_payload_without_personal_data_is_kept_byte_for_byte() -> None:
    clean = [
        codec.encode(_feedback("slow answer")),
        b'{ "comment" : "slow answer",  "score": 11 }',
        b"score=5",
        b"\xff\x00bad",
    ]
    assert [redacted_payload(payload) for payload in clean] == clean


def test_the_dead_letters_table_gets_the_payload_and_the_detail_redacted() -> None:
    original = codec.encode(_feedback(COMMENT))
    detail = "score '1 call 0712345678' is not an integer"  # a detail may quote what it refused
    letter = dead_letter_record(original, "cx.feedback", 3, 17, "out_of_range_score", detail, T0)
    table, row = to_row("cx.deadletter", 0, 5, codec.encode(letter))
    assert table == "dead_letters"
    payload = base64.b64decode(row[5])
    assert codec.decode_as(payload, Feedback).comment == REDACTED
    assert b"bob@example.com" not in payload and b"555 123 4567" not in payload
    assert row[4] == "score '1 call <phone>' is not an integer"
