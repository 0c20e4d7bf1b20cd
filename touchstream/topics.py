"""Creates Touchstream's topics, with the configured partitions, where they do not exist yet."""

from __future__ import annotations

import contextlib

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from touchstream.security import kafka_client_security
from touchstream.settings import Settings


def topic_names(settings: Settings) -> list[str]:
    return [
        settings.topic_touchpoints,
        settings.topic_feedback,
        settings.topic_alerts,
        settings.topic_deadletter,
        settings.topic_windows,
        settings.topic_fact_touchpoints,
        settings.topic_fact_feedback,
        settings.topic_fact_cases,
    ]


def ensure_topics(settings: Settings) -> None:
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap.split(","), **kafka_client_security(settings)
    )
    try:
        missing = set(topic_names(settings)) - set(admin.list_topics())
        for name in sorted(missing):
            # Another worker may create it meanwhile.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [NewTopic(name, settings.topic_partitions, settings.topic_replication)]
                )
    finally:
        admin.close()
