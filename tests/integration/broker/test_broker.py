"""The broker the suite runs on: topics, produce/consume, groups and offsets, and a pin on the
Tansu "latest offset" defect so that we notice when a fixed broker arrives."""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

pytestmark = pytest.mark.integration

# Group joins on Tansu take 15-30 s with the client defaults (see streams/faust_config.py).
GROUP_TIMEOUTS = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 2000}


def new_topic(bootstrap: str, partitions: int = 1) -> str:
    name = f"test-{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        admin.close()
    return name


def consume(bootstrap: str, topic: str, expected: int, **kwargs: object) -> list[bytes]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
        **GROUP_TIMEOUTS,
        **kwargs,  # type: ignore[arg-type]
    )
    values = []
    for message in consumer:
        values.append(message.value)
        if len(values) == expected:
            break
    consumer.close()
    return values


def test_topics_are_created_and_listed(kafka_bootstrap: str) -> None:
    topic = new_topic(kafka_bootstrap, partitions=4)
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap)
    assert consumer.partitions_for_topic(topic) == {0, 1, 2, 3}
    consumer.close()


def test_keyed_records_keep_their_order_on_one_partition(kafka_bootstrap: str) -> None:
    topic = new_topic(kafka_bootstrap, partitions=4)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    partitions = {
        producer.send(topic, key=b"case-1", value=b"%d" % i).get(10).partition for i in range(50)
    }
    producer.close()
    assert len(partitions) == 1
    assert consume(kafka_bootstrap, topic, 50) == [b"%d" % i for i in range(50)]


def test_group_commits_offsets_and_resumes_after_them(kafka_bootstrap: str) -> None:
    topic = new_topic(kafka_bootstrap)
    group = f"g-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for i in range(10):
        producer.send(topic, b"%d" % i)
    producer.flush()
    first = consume(kafka_bootstrap, topic, 6, group_id=group, enable_auto_commit=False)
    assert first == [b"%d" % i for i in range(6)]
    committer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group, **GROUP_TIMEOUTS)
    tp = TopicPartition(topic, 0)
    committer.assign([tp])
    from kafka.structs import OffsetAndMetadata

    committer.commit({tp: OffsetAndMetadata(6, "", -1)})
    assert committer.committed(tp) == 6
    committer.close()
    rest = consume(kafka_bootstrap, topic, 4, group_id=group, enable_auto_commit=False)
    assert rest == [b"%d" % i for i in range(6, 10)]


def test_idempotent_kafka_python_producer_works(kafka_bootstrap: str) -> None:
    topic = new_topic(kafka_bootstrap)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all")
    producer.send(topic, b"once").get(10)
    producer.close()
    assert consume(kafka_bootstrap, topic, 1) == [b"once"]


def end_offset(bootstrap: str, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    tp = TopicPartition(topic, 0)
    offset = int(consumer.end_offsets([tp])[tp])
    consumer.close()
    return offset


def test_latest_offset_of_single_record_batches_is_exact(kafka_bootstrap: str) -> None:
    """What the local profile relies on: one record per batch makes the answer exact."""
    topic = new_topic(kafka_bootstrap)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, batch_size=1, linger_ms=0)
    for i in range(100):
        producer.send(topic, b"%d" % i)
    producer.flush()
    producer.close()
    assert end_offset(kafka_bootstrap, topic) == 100


def test_latest_offset_of_batched_records(kafka_bootstrap: str, broker_is_tansu: bool) -> None:
    """Pins the Tansu defect: its latest offset is the last *batch's* base offset + 1. When this
    fails on the local broker, the broker was fixed: drop the local-profile batch workaround in
    streams/faust_config.py."""
    topic = new_topic(kafka_bootstrap)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, linger_ms=100, batch_size=1 << 20)
    futures = [producer.send(topic, b"%d" % i) for i in range(3000)]
    producer.flush()
    producer.close()
    last_offset = max(f.get(10).offset for f in futures)
    assert last_offset == 2999
    assert len(consume(kafka_bootstrap, topic, 3000)) == 3000
    if broker_is_tansu:
        assert end_offset(kafka_bootstrap, topic) < 3000
    else:
        assert end_offset(kafka_bootstrap, topic) == 3000
