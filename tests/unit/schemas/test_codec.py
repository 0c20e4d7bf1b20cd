from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime

import avro.io
import avro.schema
import fastavro
import pytest

from schemas import codec
from schemas.records import (
    Actor,
    Alert,
    AlertKind,
    AlertStatus,
    Channel,
    DeadLetter,
    EventType,
    Feedback,
    JourneyStage,
    Survey,
    Touchpoint,
)
from streams.facts import CaseFact, FeedbackFact, WindowResult
from streams.metrics import CaseState, Contribution, Kind, WindowStore, summarize

AT = datetime(2026, 11, 24, 10, 30, 15, 123000, tzinfo=UTC)
TOUCHPOINT = Touchpoint(
    "e1",
    AT,
    "cu1",
    "c1",
    Channel.IVR,
    Actor.CUSTOMER,
    EventType.IVR_ESCAPE,
    JourneyStage.SUPPORT,
    "ivr-system",
    None,
    {"ivr_node": "billing"},
)
FEEDBACK = Feedback("f1", AT, "cu1", Channel.CHAT, Survey.NPS, 3, "c1", "שירות איטי", "he")


def window_result() -> WindowResult:
    store = WindowStore()
    store.add(Contribution(Kind.CSAT, Channel.CHAT, AT, 4.0, multi_channel=True))
    store.add(Contribution(Kind.FRT, Channel.CHAT, AT, 95.0, multi_channel=False))
    return WindowResult.of(store.due_updates(AT)[0], final=False, revision=7)


ALERT = Alert(
    "a1",
    AlertKind.DETRACTOR,
    "medium",
    Channel.CHAT,
    AT,
    "customer",
    "cu1",
    "NPS 3",
    {"score": 3.0},
    "c1",
    "cu1",
    "[email] slow",
)
RECORDS = [
    TOUCHPOINT,
    FEEDBACK,
    Feedback("f2", AT, "cu2", Channel.SMS, Survey.CSAT, 5),
    ALERT,
    replace(ALERT, alert_id="a2", status=AlertStatus.RESOLVED, resolves="a1"),
    DeadLetter(b"\x00\xff raw", "cx.feedback", 2, 41, "out_of_range_score", "nps 11", AT),
    CaseFact.of(summarize(CaseState("c9", customer_id="cu9"))),
]

FEEDBACK_FACT = FeedbackFact(
    "f1",
    AT,
    "cu1",
    Channel.CHAT,
    "nps",
    3,
    True,
    "c1",
    "[email]",
    "en",
    ["billing"],
    None,
    "detractor",
    None,
    ["chat", "email"],
    True,
    "support",
)
CASE_FACT = CaseFact(
    "c1",
    "cu1",
    2,
    ["chat", "email"],
    True,
    False,
    True,
    False,
    False,
    False,
    5,
    Channel.CHAT,
    AT,
    AT,
    12.5,
    None,
    None,
    None,
    AT,
)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_round_trip(record: object) -> None:
    data = codec.encode(record)
    assert data[0] == 0 and int.from_bytes(data[1:5], "big") > 0  # Confluent framing
    assert codec.decode_as(data, type(record)) == record


def test_window_result_round_trip_keeps_every_schema_figure() -> None:
    result = window_result()
    back = codec.decode_as(codec.encode(result), WindowResult)
    assert back.figures["csat_pct"] == 100.0
    assert back.figures["frt_p50_s"] == pytest.approx(95.0, rel=0.01)
    assert (back.window_kind, back.channel, back.window_start, back.window_end, back.revision) == (
        result.window_kind,
        Channel.CHAT,
        result.window_start,
        result.window_end,
        7,
    )


def test_feedback_fact_round_trip() -> None:
    assert codec.decode_as(codec.encode(FEEDBACK_FACT), FeedbackFact) == FEEDBACK_FACT


def test_avro_and_fastavro_write_the_same_bytes() -> None:
    parsed = avro.schema.parse((codec.SCHEMA_DIR / "touchpoint.avsc").read_text())
    datum = {**codec._to_avro(TOUCHPOINT), "occurred_at": AT}
    out = io.BytesIO()
    avro.io.DatumWriter(parsed).write(datum, avro.io.BinaryEncoder(out))
    assert codec.encode(TOUCHPOINT)[5:] == out.getvalue()


@pytest.mark.parametrize(
    "record",
    [*RECORDS, FEEDBACK_FACT, CASE_FACT, window_result()],
    ids=lambda r: type(r).__name__,
)
def test_the_codec_writes_what_fastavro_writes(record: object) -> None:
    """cavro encodes, fastavro decodes: every kind of record must come out byte for byte as
    fastavro would write it, or a reader of the topics could see different records."""
    subject = codec._SUBJECT_OF_TYPE[type(record)]
    to_avro = getattr(record, "to_avro", None)
    datum = to_avro() if to_avro is not None else codec._to_avro(record)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, codec.schema(subject), datum)
    assert codec.encode(record)[5:] == out.getvalue()


@pytest.mark.parametrize(
    "record",
    [*RECORDS, FEEDBACK_FACT, CASE_FACT, window_result()],
    ids=lambda r: type(r).__name__,
)
def test_the_codec_reads_what_fastavro_reads(record: object) -> None:
    """cavro decodes: every kind of record must read back as the datum fastavro reads."""
    framed = codec.encode(record)
    subject = codec._SUBJECT_OF_TYPE[type(record)]
    expected = fastavro.schemaless_reader(io.BytesIO(framed[5:]), codec.schema(subject), None)
    assert codec.decode(framed) == (subject, expected)


def test_mangled_records_decode_or_raise_decode_error_only() -> None:
    """Every byte of a record replaced, and every record cut short: a record comes back or
    ``DecodeError`` is raised, never another exception."""
    framed = codec.encode(TOUCHPOINT)
    outcomes: set[str] = set()
    for at in range(5, len(framed)):
        for value in (0x00, 0x7F, 0x80, 0xFF):
            mangled = framed[:at] + bytes([value]) + framed[at + 1 :]
            for data in (mangled, mangled[:at]):
                try:
                    codec.decode(data)
                    outcomes.add("decoded")
                except codec.DecodeError as exc:
                    outcomes.add(exc.reason)
    assert outcomes == {"decoded", "undecodable"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "undecodable"),
        (b"\x01\x00\x00\x00\x01abc", "undecodable"),
        (b"\x00\x00\x00\x03\xe7abc", "schema_mismatch"),
        (codec.encode(TOUCHPOINT)[:-3], "undecodable"),
        (codec.encode(TOUCHPOINT) + b"x", "undecodable"),
        (codec.encode(FEEDBACK), "schema_mismatch"),
    ],
)
def test_bad_bytes_raise_decode_error_only(data: bytes, reason: str) -> None:
    with pytest.raises(codec.DecodeError) as caught:
        codec.decode_as(data, Touchpoint)
    assert caught.value.reason == reason


def test_every_record_and_field_has_a_namespace_doc_and_version() -> None:
    for path in codec.SCHEMA_DIR.glob("*.avsc"):
        schema = json.loads(path.read_text())
        assert schema["namespace"] == "io.touchstream.cx" and schema["doc"], path
        assert schema["touchstream.version"] >= 1, path
        assert all(f.get("doc") for f in schema["fields"]), path


def _evolved(schema: dict[str, object]) -> dict[str, object]:
    """The next version: one more optional field, with a default."""
    fields = [
        *schema["fields"],
        {
            "name": "sentiment",
            "type": ["null", "double"],  # type: ignore[misc]
            "default": None,
            "doc": "Sentiment, -1..1.",
        },
    ]
    return {**schema, "fields": fields, "touchstream.version": 2}


def test_schema_evolution_both_ways() -> None:
    old = json.loads((codec.SCHEMA_DIR / "feedback.avsc").read_text())
    new = _evolved(old)
    old_parsed, new_parsed = fastavro.parse_schema(old), fastavro.parse_schema(new)
    datum = codec._to_avro(FEEDBACK)
    written_old = io.BytesIO()
    fastavro.schemaless_writer(written_old, old_parsed, datum)
    written_old.seek(0)
    read_new = fastavro.schemaless_reader(written_old, old_parsed, new_parsed)
    assert read_new["sentiment"] is None and read_new["score"] == 3
    written_new = io.BytesIO()
    fastavro.schemaless_writer(written_new, new_parsed, {**datum, "sentiment": -0.8})
    written_new.seek(0)
    read_old = fastavro.schemaless_reader(written_new, new_parsed, old_parsed)
    assert "sentiment" not in read_old and read_old["comment"] == "שירות איטי"


def test_records_under_a_retired_schema_id_decode_into_the_current_record() -> None:
    """Alerts written before the alert schema gained status/resolves (id 3) still decode."""
    v1 = json.loads((codec.SCHEMA_DIR / "history" / "alert.v1.avsc").read_text())
    datum = {k: v for k, v in codec._to_avro(ALERT).items() if k not in ("status", "resolves")}
    out = io.BytesIO(b"\x00\x00\x00\x00\x03")
    out.seek(5)
    fastavro.schemaless_writer(out, fastavro.parse_schema(v1, named_schemas={}), datum)
    decoded = codec.decode_as(out.getvalue(), Alert)
    assert decoded == ALERT
    assert codec.encode(decoded)[:5] == b"\x00\x00\x00\x00\x08"  # written back as the current one


def test_a_refused_body_is_described_without_its_bytes() -> None:
    """The detail goes to the dead-letter topic and the logs: it names what failed, not what the
    record said."""
    comment = b"write me at jane.doe@example.com \xff"  # not UTF-8: the body is refused
    body = codec.encode(replace(FEEDBACK, comment="x" * len(comment)))
    with pytest.raises(codec.DecodeError) as caught:
        codec.decode_as(body.replace(b"x" * len(comment), comment), Feedback)
    assert caught.value.reason == "undecodable"
    assert "jane" not in caught.value.detail
