"""`touchstream generate | touchstream produce --file -` on the real broker: every good record
lands on its topic and decodes; every bad one is in the dead-letter topic with its reason."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer

from schemas import codec
from schemas.jsonl import parse_line
from schemas.records import DeadLetter, Feedback, Touchpoint
from schemas.validation import Rejection
from tests import recent
from tests.integration.streams.test_worker_windows import isolated
from touchstream.generator import generate
from touchstream.settings import Settings

pytestmark = pytest.mark.integration
__all__ = ["isolated"]
END = recent.at(12).replace(tzinfo=None).isoformat()


def consume(settings: Settings, topic: str, expected: int) -> list[bytes]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=settings.kafka_bootstrap, auto_offset_reset="earliest"
    )
    values: list[bytes] = []
    deadline = time.monotonic() + 60
    while len(values) < expected and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            values += [r.value for r in records]
    consumer.close()
    return values


def test_generate_piped_into_produce(isolated: Settings) -> None:
    cli = [sys.executable, "-m", "touchstream.cli"]
    generated = subprocess.run(
        [*cli, "generate", "--seed", "1", "--cases", "1000", "--end", END],
        capture_output=True,
        check=True,
    )
    produced = subprocess.run(
        [*cli, "produce", "--file", "-"], input=generated.stdout, capture_output=True, check=True
    )
    now = datetime.now(UTC)
    lines = generated.stdout.decode().splitlines()
    assert lines == [
        r if isinstance(r, str) else json.dumps(r)
        for r in generate(1, 1000, datetime.fromisoformat(END).replace(tzinfo=UTC))
    ]
    parsed = [parse_line(line, now) for line in lines]
    want = Counter(type(r).__name__ for r in parsed)
    reasons = Counter(str(r.reason) for r in parsed if isinstance(r, Rejection))

    touchpoints = consume(isolated, isolated.topic_touchpoints, want["Touchpoint"])
    feedback = consume(isolated, isolated.topic_feedback, want["Feedback"])
    dead = consume(isolated, isolated.topic_deadletter, want["Rejection"])
    assert len(touchpoints) == want["Touchpoint"] and len(feedback) == want["Feedback"]
    assert [codec.decode_as(v, Touchpoint) for v in touchpoints]
    assert [codec.decode_as(v, Feedback) for v in feedback]
    letters = [codec.decode_as(v, DeadLetter) for v in dead]
    assert Counter(d.reason for d in letters) == reasons
    assert len({letter.source_topic for letter in letters}) == 1  # one run, its own name
    for letter in letters:
        assert letter.source_topic.startswith("file:stdin:")
        assert letter.original.decode() == lines[letter.source_offset - 1]
    assert f"line {letters[0].source_offset}: {letters[0].reason}" in produced.stderr.decode()
