"""What the local profile's one-record-per-batch workaround costs: kafka-python produce
throughput to the local Tansu broker with the local profile's options and with batching.

Run: .venv/bin/python -m bench.local_profile [--records 20000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid

from kafka import KafkaProducer

from deploy.local import services
from tests.conftest import free_port
from touchstream.kafka_options import producer_options
from touchstream.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    n = parser.parse_args().records
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        os.environ |= {
            "TOUCHSTREAM_STATE_DIR": tmp,
            "TOUCHSTREAM_LOCAL_BROKER_PORT": str(port),
            "TOUCHSTREAM_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}",
        }
        settings = load_settings()
        services.up(settings, frozenset({"broker"}))
        try:
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
        finally:
            services.down(settings)


if __name__ == "__main__":
    main()
