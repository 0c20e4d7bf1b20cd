"""What the local profile's one-record-per-batch workaround costs: kafka-python produce
throughput to the local Tansu broker with the local profile's options and with batching.

Run: .venv/bin/python -m bench.local_profile [--records 20000]
"""

from __future__ import annotations

import argparse
import time
import uuid

from kafka import KafkaProducer

from bench.local_broker import local_broker
from touchstream.kafka_options import producer_options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    n = parser.parse_args().records
    with local_broker() as (settings, _):
        local = producer_options(settings)
        batched = producer_options(settings.model_copy(update={"kafka_profile": "production"}))
        value = b"x" * 300  # about the size of an encoded touchpoint
        for name, options in (
            ("local profile (1 record/batch)", local),
            ("batched (production options)", batched),
        ):
            producer = KafkaProducer(**options)
            topic = f"bench-{uuid.uuid4().hex[:6]}"
            started = time.perf_counter()
            for i in range(n):
                producer.send(topic, key=str(i % 64).encode(), value=value)
            producer.flush()
            elapsed = time.perf_counter() - started
            producer.close()
            print(f"{name}: {n} records in {elapsed:.2f} s = {n / elapsed:,.0f} records/s")


if __name__ == "__main__":
    main()
