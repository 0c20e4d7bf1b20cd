"""The worker's lag and stalled gauges cover exactly the partitions it is assigned now."""

from __future__ import annotations

from prometheus_client import REGISTRY

from streams.partition_gauges import PartitionGauges

A = ("test-gauges-in", 0)
B = ("test-gauges-in", 1)


def sample(name: str, tp: tuple[str, int]) -> float | None:
    return REGISTRY.get_sample_value(name, {"topic": tp[0], "partition": str(tp[1])})


def test_published_for_assigned_partitions_and_removed_when_they_move() -> None:
    gauges = PartitionGauges()
    gauges.publish({A: 5, B: None}, stalled=[B])
    assert sample("touchstream_consumer_lag", A) == 5
    assert sample("touchstream_consumer_lag", B) is None  # high-water not known yet
    assert sample("touchstream_agent_stalled", A) == 0  # healthy shows as 0, not as nothing
    assert sample("touchstream_agent_stalled", B) == 1
    gauges.publish({B: 0}, stalled=[])  # A moved to another worker
    assert sample("touchstream_consumer_lag", A) is None
    assert sample("touchstream_agent_stalled", A) is None
    assert sample("touchstream_consumer_lag", B) == 0
    assert sample("touchstream_agent_stalled", B) == 0
