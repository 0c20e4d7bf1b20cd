"""Codec speed: encoding and decoding touchpoints with fastavro (what schemas.codec uses) and
with the avro reference library, on the same records and schema.

Run: .venv/bin/python -m bench.codec [--records 20000]
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import UTC, datetime, timedelta

import avro.io
import avro.schema

from schemas import codec
from schemas.records import Actor, Channel, EventType, JourneyStage, Touchpoint


def touchpoints(n: int) -> list[Touchpoint]:
    start = datetime(2026, 11, 24, tzinfo=UTC)
    return [
        Touchpoint(
            f"evt-{i:08d}",
            start + timedelta(seconds=i),
            f"cust-{i % 997}",
            f"case-{i % 4099}",
            list(Channel)[i % 9],
            Actor.CUSTOMER,
            EventType.CUSTOMER_MESSAGE,
            JourneyStage.SUPPORT,
            "crm",
            None,
            {"queue": "billing"},
        )
        for i in range(n)
    ]


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f} records/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    n = parser.parse_args().records
    records = touchpoints(n)

    started = time.perf_counter()
    encoded = [codec.encode(r) for r in records]
    fast_encode = time.perf_counter() - started
    started = time.perf_counter()
    for data in encoded:
        codec.decode_as(data, Touchpoint)
    fast_decode = time.perf_counter() - started

    schema = avro.schema.parse((codec.SCHEMA_DIR / "touchpoint.avsc").read_text())
    writer, reader = avro.io.DatumWriter(schema), avro.io.DatumReader(schema)
    data = [codec._to_avro(r) for r in records]
    started = time.perf_counter()
    bodies = []
    for datum in data:
        out = io.BytesIO()
        writer.write(datum, avro.io.BinaryEncoder(out))
        bodies.append(out.getvalue())
    slow_encode = time.perf_counter() - started
    started = time.perf_counter()
    for body in bodies:
        reader.read(avro.io.BinaryDecoder(io.BytesIO(body)))
    slow_decode = time.perf_counter() - started

    assert [e[5:] for e in encoded] == bodies, "fastavro and avro disagree on the bytes"
    print(f"{n} touchpoints, {sum(map(len, encoded)) / n:.0f} bytes each (same bytes from both)")
    print(
        f"schemas.codec (fastavro, records + framing): encode {rate(n, fast_encode)}, "
        f"decode {rate(n, fast_decode)}"
    )
    print(
        f"avro (reference library, dicts):             encode {rate(n, slow_encode)}, "
        f"decode {rate(n, slow_decode)}"
    )


if __name__ == "__main__":
    main()
