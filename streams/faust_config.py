"""Faust settings for each Kafka profile.

The ``local`` profile works around defects of the Tansu test broker; ``production`` is plain
Faust on Apache Kafka. Keep every workaround here, behind the profile, and out of production.
"""

from __future__ import annotations

from typing import Any

from touchstream.security import faust_security
from touchstream.settings import Settings

# Tansu answers "latest offset" with the base offset of the last record *batch* + 1. Faust's
# table recovery reads changelogs up to that answer, so with batched changelog writes it stops
# early and restores a stale table. A batch that cannot hold two records makes every record its
# own batch, and then the answer is exact. aiokafka still sends a record bigger than the limit,
# alone in its batch. Cost measured in bench/bench_local_profile.py.
LOCAL_MAX_BATCH_BYTES = 1

STREAM_BUFFER_MAXSIZE = 16_384

# A producer batch per topic partition and batch of input events, not aiokafka's 16 KiB: a batch
# of 500 events stages about 400 KiB of case changelog values, and aiokafka takes a partition's
# next batch only once the produce request with the one before it was answered, so a worker
# catching up waited for several round trips per batch of events. With these batches and the
# partitions handed over side by side (streams.sends), scenario worker's input agents went from
# 3,100 to 3,377 events/s (production profile). Half of Kafka's default 1 MiB
# message.max.bytes, so that the broker never refuses a batch.
PRODUCER_MAX_BATCH_BYTES = 512 * 1024

# Tansu takes 15-30 s to settle a group join with the default 60 s session / 3 s heartbeat.
LOCAL_SESSION_TIMEOUT_S = 6.0
LOCAL_HEARTBEAT_INTERVAL_S = 2.0


def faust_settings(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``faust.App`` common to every Touchstream app."""
    common: dict[str, Any] = {
        # Faust's aiokafka transport with the fetch wait of the settings (streams.kafka_transport).
        "broker": f"touchstream://{settings.kafka_bootstrap.replace(',', ';touchstream://')}",
        "datadir": str(settings.worker_data_dir),
        "topic_partitions": settings.topic_partitions,
        "topic_replication_factor": settings.topic_replication,
        "web_port": settings.worker_web_port,
        # Offsets are committed only past events acked once what they caused was delivered
        # (streams.acks, streams.outbox), so a crash replays, never skips: at-least-once. The
        # agents make replays harmless by remembering event ids in their changelogged state.
        "processing_guarantee": "at_least_once",
        # How many records a stream may read ahead of its agent. Faust's 4,096 left a worker
        # catching up idle a fifth of the time (py-spy); 16,384 took scenario worker from 574
        # to 749 events/s (local profile) and 844 to 1,007 (production); 65,536 did no better.
        "stream_buffer_maxsize": STREAM_BUFFER_MAXSIZE,
        "producer_max_batch_size": PRODUCER_MAX_BATCH_BYTES,
        "store": "memory://",
        **faust_security(settings),
    }
    if settings.kafka_profile == "local":
        common.update(
            broker_session_timeout=LOCAL_SESSION_TIMEOUT_S,
            broker_heartbeat_interval=LOCAL_HEARTBEAT_INTERVAL_S,
            producer_max_batch_size=LOCAL_MAX_BATCH_BYTES,
        )
    return common
