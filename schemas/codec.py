"""Avro encoding of every Touchstream record, in the Confluent wire format: a zero magic byte, the
schema id as 4 big-endian bytes, then the Avro body, so Schema-Registry-aware tools can read the
topics. With no registry running, ids come from the fixed table ``SCHEMA_IDS``.

cavro encodes and decodes; it writes the same bytes as fastavro and the avro reference library
(``tests/unit/schemas/test_codec.py`` holds it to them) in about half fastavro's time, and reads
them back in about 70% of it, the buffer below included (``python -m bench codec``). A record
written under a retired schema version is read with that version as the writer's schema and
resolved into the current one. A record is read from a file-like buffer, whose position
afterwards says where the record ended, so that one followed by trailing bytes is refused.
fastavro parses the schemas for code that reads their fields (``schema``, e.g. the sink's
columns). Schemas are parsed once. Decoding raises ``DecodeError`` and nothing else, whatever
the bytes.
"""

from __future__ import annotations

import dataclasses
import io
import json
import struct
import types
import typing
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import cavro
import fastavro

from schemas.records import Alert, DeadLetter, Feedback, Touchpoint

SCHEMA_DIR = Path(__file__).parent
# Subject -> schema id of its current version. Ids are never reused: a new schema version gets
# a new id, and the old id moves to RETIRED_IDS.
SCHEMA_IDS: dict[str, int] = {
    "touchpoint": 1,
    "feedback": 2,
    "alert": 8,
    "deadletter": 4,
    "window_result": 5,
    "case_fact": 6,
    "feedback_fact": 7,
}
# Old id -> (subject, its schema file under schemas/history/). Records still on the topics under
# an old id are read with that version's schema as the writer's and resolved into the current
# one by Avro's schema resolution (new fields take their defaults).
RETIRED_IDS: dict[int, tuple[str, str]] = {3: ("alert", "alert.v1")}
_MAGIC = 0
_HEADER = struct.Struct(">bI")
_SUBJECT_OF_ID = {schema_id: subject for subject, schema_id in SCHEMA_IDS.items()}
_SUBJECT_OF_ID |= {schema_id: subject for schema_id, (subject, _) in RETIRED_IDS.items()}
_SUBJECT_OF_TYPE: dict[type, str] = {
    Touchpoint: "touchpoint",
    Feedback: "feedback",
    Alert: "alert",
    DeadLetter: "deadletter",
}
R = TypeVar("R")


class DecodeError(Exception):
    """Bytes that are not a record of the expected kind; ``reason`` is a dead-letter reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def register(record_type: type, subject: str) -> None:
    """Lets a package outside ``schemas`` (e.g. the stream's result records) use the codec."""
    if subject not in SCHEMA_IDS:
        raise ValueError(f"no schema id for subject {subject}")
    _SUBJECT_OF_TYPE[record_type] = subject


@cache
def schema(subject: str) -> Any:
    """The subject's current schema, parsed by fastavro (a dict of the schema's JSON form)."""
    return fastavro.parse_schema(json.loads((SCHEMA_DIR / f"{subject}.avsc").read_text()))


@cache
def _encoder(subject: str) -> cavro.Schema:
    return cavro.Schema((SCHEMA_DIR / f"{subject}.avsc").read_text())


_DECODING = cavro.Options(record_decodes_to_dict=True)


@cache
def _decoder(schema_id: int) -> cavro.Schema | cavro.ResolvedSchema:
    """Reads a body written under ``schema_id`` as its subject's current schema."""
    subject = _SUBJECT_OF_ID[schema_id]
    reader = cavro.Schema((SCHEMA_DIR / f"{subject}.avsc").read_text(), options=_DECODING)
    retired = RETIRED_IDS.get(schema_id)
    if retired is None:
        return reader
    path = SCHEMA_DIR / "history" / f"{retired[1]}.avsc"
    return reader.reader_for_writer(cavro.Schema(path.read_text(), options=_DECODING))


def encode(record: Any) -> bytes:
    to_avro = getattr(record, "to_avro", None)
    datum = to_avro() if to_avro is not None else _to_avro(record)
    return frame(_SUBJECT_OF_TYPE[type(record)], datum)


def frame(subject: str, datum: dict[str, Any]) -> bytes:
    """An Avro datum of ``subject`` in the wire format, under its current schema id."""
    body: bytes = _encoder(subject).binary_encode(datum)
    return _HEADER.pack(_MAGIC, SCHEMA_IDS[subject]) + body


def decode(data: bytes) -> tuple[str, dict[str, Any]]:
    """The subject and the Avro datum of a framed record."""
    if len(data) < _HEADER.size:
        raise DecodeError("undecodable", f"{len(data)} bytes is shorter than the wire header")
    magic, schema_id = _HEADER.unpack_from(data)
    if magic != _MAGIC:
        raise DecodeError("undecodable", f"magic byte {magic}, expected 0 (Confluent framing)")
    subject = _SUBJECT_OF_ID.get(schema_id)
    if subject is None:
        raise DecodeError("schema_mismatch", f"unknown schema id {schema_id}")
    body = io.BytesIO(data)
    body.seek(_HEADER.size)
    try:
        datum = _decoder(schema_id).binary_read(cavro.FileReader(body))
    except Exception as exc:  # cavro raises many types on corrupt input
        # The exception's type only: its message can quote the record's bytes, comment included.
        detail = f"bad Avro body for {subject}: {type(exc).__name__}"
        raise DecodeError("undecodable", detail) from exc
    if body.tell() != len(data):
        raise DecodeError("undecodable", f"{subject} record followed by trailing bytes")
    return subject, datum


def decode_as(data: bytes, record_type: type[R]) -> R:
    subject, datum = decode(data)
    expected = _SUBJECT_OF_TYPE[record_type]
    if subject != expected:
        raise DecodeError("schema_mismatch", f"a {subject} record where {expected} was expected")
    from_avro = getattr(record_type, "from_avro", None)
    if from_avro is not None:
        return typing.cast(R, from_avro(datum))
    try:
        return _from_avro(record_type, datum)
    except (KeyError, ValueError, TypeError) as exc:
        raise DecodeError("schema_mismatch", str(exc)) from exc


def _to_avro(record: Any) -> dict[str, Any]:
    """A record's fields as they are: its enums are StrEnums, which every Avro library here
    writes as the symbols they equal (converting them cost half of a touchpoint's encoding)."""
    return {name: getattr(record, name) for name in _field_names(type(record))}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(record_type: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(record_type)
    if names is None:
        names = _FIELD_NAMES[record_type] = tuple(f.name for f in dataclasses.fields(record_type))
    return names


def _from_avro(record_type: type[R], datum: dict[str, Any]) -> R:
    for name, members in _enum_fields(record_type):
        value = datum.get(name)
        if value is not None:
            datum[name] = members[value]
    return record_type(**datum)


_ENUM_FIELDS: dict[type, tuple[tuple[str, dict[str, Enum]], ...]] = {}


def _enum_fields(record_type: type) -> tuple[tuple[str, dict[str, Enum]], ...]:
    """The fields whose Avro string becomes an Enum, each with the Enum's members by value (a
    dict lookup: calling the Enum class was a third of building a decoded touchpoint)."""
    enums = _ENUM_FIELDS.get(record_type)
    if enums is None:
        hints = typing.get_type_hints(record_type)
        found = ((n, _enum_of(hints[n])) for n in _field_names(record_type))
        enums = tuple((n, dict(enum._value2member_map_)) for n, enum in found if enum)
        _ENUM_FIELDS[record_type] = enums
    return enums


def _enum_of(hint: Any) -> type[Enum] | None:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for option in options:
        if isinstance(option, type) and issubclass(option, Enum):
            return option
    return None
