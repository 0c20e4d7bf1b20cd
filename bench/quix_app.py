"""The Quix Streams side of the "peer" scenario, as a process of its own (bench/scenarios/peer.py
starts it): pre-loaded feedback -> per-channel tumbling hours of CSAT and NPS.

Feedback records are decoded with Touchstream's ``schemas.codec`` (a custom deserializer, so
both sides pay the same decode; a record the codec refuses becomes None and is filtered out),
regrouped by channel (``group_by``: Quix repartitions through a topic of its own), put in
tumbling 1-hour windows in event time (``submitted_at``) with Touchstream's default 10 min
lateness as grace, closed per key as Touchstream's are per channel, and reduced to CSAT
responses / satisfied (score 4-5) / sum and NPS promoters (9-10) / detractors (0-6) /
responses. Closed windows come out with ``final()``.

The process stops itself once it has processed as many records from the repartition topic as
there are decodable records: each of them has then been added to its window (or counted as
late by ``on_late``). It writes a JSON file: wall times of its start, of its first partition
assignment and of that moment, the closed windows, and the late records per window.

Run: python -m bench.quix_app --bootstrap H:P --topic T --expected N --out F --state-dir D
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from quixstreams import Application
from quixstreams.models.serializers import Deserializer

from bench.scenarios.peer import FIGURES
from schemas import codec
from schemas.records import Feedback

STARTED = time.time()
WINDOW = timedelta(hours=1)
GRACE = timedelta(minutes=10)  # Touchstream's default allowed lateness


class FeedbackDeserializer(Deserializer):
    """Confluent-framed Avro -> the fields the aggregation needs; None when the codec refuses."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def __call__(self, value: bytes, ctx: Any) -> dict[str, Any] | None:
        try:
            fb = codec.decode_as(value, Feedback)
        except codec.DecodeError:
            return None
        return {
            "channel": fb.channel.value,
            "survey": fb.survey.value,
            "score": fb.score,
            "at_ms": round(fb.submitted_at.timestamp() * 1000),
        }


def event_time(value: Any, headers: Any, timestamp: int, timestamp_type: Any) -> int:
    return int(value["at_ms"]) if value else timestamp


def add(figures: dict[str, int], value: dict[str, Any]) -> dict[str, int]:
    """One answer into a window's figures."""
    score = int(value["score"])
    if value["survey"] == "csat":
        figures["csat_responses"] += 1
        figures["csat_satisfied"] += score >= 4
        figures["csat_sum"] += score
    elif value["survey"] == "nps":
        figures["nps_responses"] += 1
        figures["nps_promoters"] += score >= 9
        figures["nps_detractors"] += score <= 6
    return figures


def first(value: dict[str, Any]) -> dict[str, int]:
    return add(dict.fromkeys(FIGURES, 0), value)


class TimedApplication(Application):
    """Notes when the consumer first gets partitions: the peer's "ready"."""

    ready: float | None = None

    def _on_assign(self, consumer: Any, topic_partitions: list[Any]) -> None:
        super()._on_assign(consumer, topic_partitions)
        if topic_partitions and self.ready is None:
            self.ready = time.time()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--expected", type=int, required=True, help="decodable records")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--group", default="bench-quix")
    args = parser.parse_args()

    closed: list[dict[str, Any]] = []
    late: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    done: list[float] = []
    processed = 0

    def on_late(
        value: Any,
        key: Any,
        timestamp_ms: int,
        late_by_ms: int,
        start: int,
        end: int,
        store_name: str,
        topic: str,
        partition: int,
        offset: int,
    ) -> bool:
        add(late[(key.decode() if isinstance(key, bytes) else str(key), start)], value)
        return False  # no log line per late record

    def on_processed(topic: str, partition: int, offset: int) -> None:
        nonlocal processed
        if topic != args.topic:  # the repartition topic: the record went through its window
            processed += 1
            if processed == args.expected:
                done.append(time.time())
                app.stop()

    app = TimedApplication(
        broker_address=args.bootstrap,
        consumer_group=args.group,
        auto_offset_reset="earliest",
        state_dir=args.state_dir,
        loglevel="WARNING",
        on_message_processed=on_processed,
    )
    topic = app.topic(
        args.topic,
        key_deserializer="bytes",
        value_deserializer=FeedbackDeserializer(),
        timestamp_extractor=event_time,
    )
    sdf = app.dataframe(topic)
    sdf = sdf.filter(lambda value: value is not None)
    sdf = sdf.group_by("channel")
    sdf = (
        sdf.tumbling_window(WINDOW, grace_ms=GRACE, on_late=on_late)
        .reduce(reducer=add, initializer=first)
        .final()
    )
    sdf.update(
        lambda value, key, timestamp, headers: closed.append(
            {"channel": key.decode() if isinstance(key, bytes) else str(key)} | value
        ),
        metadata=True,
    )
    app.run()
    args.out.write_text(
        json.dumps(
            {
                "started": STARTED,
                "ready": app.ready,
                "done": done[0] if done else None,
                "processed": processed,
                "closed": closed,
                "late": [
                    {"channel": channel, "start": start, "value": figures}
                    for (channel, start), figures in late.items()
                ],
            }
        )
    )


if __name__ == "__main__":
    main()
