"""Scenario "codec": Avro encode and decode per record with ``schemas.codec`` (records and
framing included), and with cavro (which it uses), fastavro and the avro reference library alone
(dicts, body only), on the same generated touchpoints and feedback and the same schemas. All
three must give the same bytes; the scenario says whether they did.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from typing import Any

import avro.io
import avro.schema
import fastavro

from bench.report import Result
from bench.scenarios.core import encoded_traffic
from schemas import codec
from schemas.records import Feedback, Touchpoint


def _per_record_us(items: Sequence[Any], work: Callable[[Any], object]) -> float:
    started = time.perf_counter()
    for item in items:
        work(item)
    return (time.perf_counter() - started) / len(items) * 1e6


def _reference(subject: str) -> tuple[avro.io.DatumWriter, avro.io.DatumReader]:
    schema = avro.schema.parse((codec.SCHEMA_DIR / f"{subject}.avsc").read_text())
    return avro.io.DatumWriter(schema), avro.io.DatumReader(schema)


def _avro_encode(writer: avro.io.DatumWriter, datum: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    writer.write(datum, avro.io.BinaryEncoder(out))
    return out.getvalue()


def _measure(result: Result, framed: list[bytes], record_type: type, subject: str) -> bool:
    """Adds one record type's figures; says whether the three libraries wrote the same bytes."""
    records: list[object] = [codec.decode_as(value, record_type) for value in framed]
    data = [codec._to_avro(record) for record in records]
    writer, reader = _reference(subject)
    fast_schema = codec.schema(subject)
    codec_enc = _per_record_us(records, codec.encode)
    codec_dec = _per_record_us(framed, lambda value: codec.decode_as(value, record_type))
    fast_enc = _per_record_us(data, lambda datum: _fastavro_encode(fast_schema, datum))
    cavro_enc = _per_record_us(data, codec._encoder(subject).binary_encode)
    bodies = [_avro_encode(writer, datum) for datum in data]
    slow_enc = _per_record_us(data, lambda datum: _avro_encode(writer, datum))
    slow_dec = _per_record_us(
        bodies, lambda body: reader.read(avro.io.BinaryDecoder(io.BytesIO(body)))
    )
    fast_bodies = [_fastavro_encode(fast_schema, datum) for datum in data]
    decoder = codec._decoder(codec.SCHEMA_IDS[subject])
    cavro_dec = _per_record_us(fast_bodies, decoder.binary_decode)
    fast_dec = _per_record_us(
        fast_bodies, lambda body: fastavro.schemaless_reader(io.BytesIO(body), fast_schema, None)
    )
    same = [value[5:] for value in framed] == bodies == fast_bodies
    result.add(f"{subject} encode, codec", codec_enc, "µs/record")
    result.add(f"{subject} encode, cavro", cavro_enc, "µs/record")
    result.add(f"{subject} encode, fastavro", fast_enc, "µs/record")
    result.add(f"{subject} encode, avro", slow_enc, "µs/record")
    result.add(f"{subject} encode speed-up, cavro/fastavro", fast_enc / cavro_enc, "x")
    result.add(f"{subject} decode, codec", codec_dec, "µs/record")
    result.add(f"{subject} decode, cavro", cavro_dec, "µs/record")
    result.add(f"{subject} decode, fastavro", fast_dec, "µs/record")
    result.add(f"{subject} decode, avro", slow_dec, "µs/record")
    result.add(f"{subject} decode speed-up, cavro/fastavro", fast_dec / cavro_dec, "x")
    size = sum(map(len, framed)) / len(framed)
    result.notes.append(
        f"{len(framed)} {subject} records, {size:.0f} bytes each framed; the three libraries "
        f"{'wrote the same bytes' if same else 'DISAGREED on the bytes'}."
    )
    return same


def _fastavro_encode(schema: Any, datum: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, schema, datum)
    return out.getvalue()


def run(quick: bool) -> Result:
    cases = 300 if quick else 6_000
    traffic = encoded_traffic(cases)
    result = Result("codec", "Avro per record: schemas.codec (cavro) vs fastavro, avro")
    result.params = {"cases": cases}
    agree = [
        _measure(
            result, [value for kind, value in traffic if kind is record_type], record_type, name
        )
        for record_type, name in ((Touchpoint, "touchpoint"), (Feedback, "feedback"))
    ]
    result.notes.append(
        "The codec's figures include what the pipeline pays around it (dataclass <-> dict, "
        "enums, the 5-byte Confluent header); the libraries' figures are a dict to or from the "
        "body alone."
    )
    if not all(agree):
        result.notes.append("The codecs disagree: a schema or a conversion is wrong.")
    return result
