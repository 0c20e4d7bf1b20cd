"""kafka-python client options for each Kafka profile (Faust's: streams/faust_config.py)."""

from __future__ import annotations

from typing import Any

from touchstream.security import kafka_client_security
from touchstream.settings import Settings


def producer_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap.split(","),
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        **kafka_client_security(settings),
    }
    if settings.kafka_profile == "local":
        # Tansu's end offset of a partition is the base offset of its last batch + 1. A Faust
        # worker that starts behind a multi-record last batch stalls before it until more
        # records arrive (tests/integration/broker/test_faust_recovery.py). One record per
        # batch keeps the end offset exact.
        options.update(batch_size=1, linger_ms=0)
    return options


def consumer_group_options(settings: Settings) -> dict[str, Any]:
    """For kafka-python consumers in a group: Tansu settles joins slowly with default timeouts."""
    if settings.kafka_profile == "local":
        return {"session_timeout_ms": 6000, "heartbeat_interval_ms": 2000}
    return {}


def consumer_options(settings: Settings) -> dict[str, Any]:
    """For kafka-python consumers; those in a group add ``consumer_group_options``."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap.split(","),
        "fetch_max_wait_ms": settings.fetch_max_wait_ms,
        **kafka_client_security(settings),
    }
