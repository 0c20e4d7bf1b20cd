"""Topics of a test's own, and reading one back, as the integration tests need them."""

from __future__ import annotations

from kafka import KafkaConsumer

from touchstream.settings import Settings

TOPIC_SETTINGS = (
    "touchpoints",
    "feedback",
    "alerts",
    "deadletter",
    "windows",
    "fact_touchpoints",
    "fact_feedback",
    "fact_cases",
)


def own_topics(prefix: str) -> dict[str, str]:
    """Env vars that give every topic setting a name under ``prefix``."""
    return {f"TOUCHSTREAM_TOPIC_{name.upper()}": f"{prefix}.{name}" for name in TOPIC_SETTINGS}


def read_topic(settings: Settings, topic: str) -> list[bytes]:
    """Every record value of ``topic``, from the start until two quiet seconds."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=2000,
    )
    try:
        return [record.value for record in consumer]
    finally:
        consumer.close()
