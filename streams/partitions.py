"""Which partition a key lives on: the Kafka default partitioner (murmur2), as every producer of
Touchstream's keyed topics uses, so a tick for partition p can pick that partition's keys."""

from __future__ import annotations

from kafka.partitioner.default import murmur2

from touchstream.settings import get_settings

PARTITIONS = get_settings().topic_partitions


def partition_of(key: str) -> int:
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % PARTITIONS
