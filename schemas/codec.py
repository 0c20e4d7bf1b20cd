"""Avro encoding of every Touchstream record, in the Confluent wire format: a zero magic byte, the
schema id as 4 big-endian bytes, then the Avro body, so Schema-Registry-aware tools can read the
topics. With no registry running, ids come from the fixed table ``SCHEMA_IDS``.

fastavro does the work on the hot path; schemas are parsed once. Decoding raises ``DecodeError``
and nothing else, whatever the bytes.
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
    return fastavro.parse_schema(json.loads((SCHEMA_DIR / f"{subject}.avsc").read_text()))


@cache
def _writer_schema(schema_id: int) -> Any:
    retired = RETIRED_IDS.get(schema_id)
    if retired is None:
        return schema(_SUBJECT_OF_ID[schema_id])
    path = SCHEMA_DIR / "history" / f"{retired[1]}.avsc"
    return fastavro.parse_schema(json.loads(path.read_text()), named_schemas={})


def encode(record: Any) -> bytes:
    subject = _SUBJECT_OF_TYPE[type(record)]
    to_avro = getattr(record, "to_avro", None)
    datum = to_avro() if to_avro is not None else _to_avro(record)
    out = io.BytesIO()
    out.write(_HEADER.pack(_MAGIC, SCHEMA_IDS[subject]))
    fastavro.schemaless_writer(out, schema(subject), datum)
    return out.getvalue()


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
    body = io.BytesIO(data[_HEADER.size :])
    try:
        writer = _writer_schema(schema_id)
        reader = schema(subject)
        datum = fastavro.schemaless_reader(body, writer, None if writer is reader else reader)
    except Exception as exc:  # fastavro raises many types on corrupt input
        raise DecodeError("undecodable", f"bad Avro body for {subject}: {exc!r}") from exc
    if body.tell() != len(data) - _HEADER.size:
        raise DecodeError("undecodable", f"{subject} record followed by trailing bytes")
    return subject, datum  # type: ignore[return-value]


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
    except (ValueError, TypeError) as exc:
        raise DecodeError("schema_mismatch", str(exc)) from exc


def _to_avro(record: Any) -> dict[str, Any]:
    return {name: _plain(getattr(record, name)) for name in _field_names(type(record))}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(record_type: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(record_type)
    if names is None:
        names = _FIELD_NAMES[record_type] = tuple(f.name for f in dataclasses.fields(record_type))
    return names


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def _from_avro(record_type: type[R], datum: dict[str, Any]) -> R:
    values = {}
    for name, enum in _field_enums(record_type):
        if name in datum:
            value = datum[name]
            values[name] = value if enum is None or value is None else enum(value)
    return record_type(**values)


_FIELD_ENUMS: dict[type, tuple[tuple[str, type[Enum] | None], ...]] = {}


def _field_enums(record_type: type) -> tuple[tuple[str, type[Enum] | None], ...]:
    """Each field's name and the Enum its Avro string becomes, if any; worked out once a type."""
    enums = _FIELD_ENUMS.get(record_type)
    if enums is None:
        hints = typing.get_type_hints(record_type)
        names = _field_names(record_type)
        enums = _FIELD_ENUMS[record_type] = tuple((n, _enum_of(hints[n])) for n in names)
    return enums


def _enum_of(hint: Any) -> type[Enum] | None:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for option in options:
        if isinstance(option, type) and issubclass(option, Enum):
            return option
    return None
