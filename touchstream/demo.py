"""`make demo`: start the local broker and ClickHouse, show a round trip through each, stop them.

Run: python -m touchstream.demo
"""

from __future__ import annotations

import uuid

import clickhouse_connect
from kafka import KafkaConsumer, KafkaProducer
from rich.console import Console

from deploy.local import services
from touchstream.kafka_options import producer_options
from touchstream.local import show_statuses
from touchstream.settings import Settings, load_settings

console = Console()


def kafka_round_trip(settings: Settings) -> None:
    topic = f"demo-{uuid.uuid4().hex[:6]}"
    producer = KafkaProducer(**producer_options(settings))
    for i in range(3):
        producer.send(topic, key=b"case-1", value=f"touchpoint {i}".encode())
    producer.flush()
    producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    values = [m.value.decode() for _, m in zip(range(3), consumer, strict=False)]
    consumer.close()
    console.print(f"Kafka: produced 3 records to {topic}, consumed back: {values}")


def clickhouse_round_trip(settings: Settings) -> None:
    client = clickhouse_connect.get_client(
        host=settings.clickhouse_host,
        port=settings.clickhouse_port,
        username=settings.clickhouse_writer_user,
        password=settings.clickhouse_writer_password.get_secret_value(),
    )
    client.command("CREATE DATABASE IF NOT EXISTS demo")
    client.command(
        "CREATE TABLE IF NOT EXISTS demo.round_trip (n UInt32, note String) "
        "ENGINE = MergeTree ORDER BY n"
    )
    client.command("TRUNCATE TABLE demo.round_trip")
    client.insert("demo.round_trip", [(1, "inserted"), (2, "queried")])
    rows = client.query("SELECT n, note FROM demo.round_trip ORDER BY n").result_rows
    console.print(f"ClickHouse {client.server_version}: inserted 2 rows, queried back: {rows}")


def main() -> None:
    services.ensure_local_secrets(load_settings().state_dir)
    settings = load_settings()
    show_statuses(services.up(settings))
    try:
        kafka_round_trip(settings)
        clickhouse_round_trip(settings)
    finally:
        services.down(settings)
        console.print("local services stopped")


if __name__ == "__main__":
    main()
