"""What the agents send: every record encoded with the shared codec, keyed so that what belongs
together stays on one partition (cases by case_id, windows by channel)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

import orjson
from faust.types import Message, TopicT
from prometheus_client import Counter

from schemas import codec
from schemas.deadletter import dead_letter_record
from schemas.records import Alert, Channel, Touchpoint
from schemas.validation import Rejection
from streams import counters
from streams.app import (
    alerts_topic,
    app,
    case_facts_topic,
    contributions_topic,
    deadletter_topic,
    feedback_facts_topic,
    touchpoint_facts_topic,
    windows_topic,
)
from streams.facts import CaseFact, FeedbackFact, WindowResult
from streams.liveness import PROGRESS
from streams.metrics import CaseSummary, EnrichedFeedback, WindowSnapshot
from streams.metrics.jsonable import JsonDict

log = logging.getLogger(__name__)


async def _send(topic: TopicT, key: bytes | None, value: bytes) -> None:
    """Hands the record to Faust's producer, which Faust flushes before it commits the offsets
    of the events that caused it. Through the transport producer rather than ``Topic.send``,
    whose futures, serializer lookups and sensors cost 150 µs a record against 40 (measured on
    the local broker, four sends per event in batches). A record that cannot be delivered stops
    the worker, so that it restarts from the last commit instead of going on without it (a
    commit already waiting on that flush may still go through: Faust's own ``Topic.send`` only
    logs such a failure)."""
    name = topic.get_topic_name()
    delivery = await app.producer.send(name, key, value, None, None, None)
    cast(asyncio.Future[Any], delivery).add_done_callback(_check_delivery)
    _records_out(name).inc()


@cache
def _records_out(topic: str) -> Counter:
    """The topic's counter: ``labels`` costs more than a send's own work in Faust's producer."""
    return counters.RECORDS_OUT.labels(topic)


def _check_delivery(delivery: asyncio.Future[Any]) -> None:
    if delivery.cancelled() or delivery.exception() is None:
        return
    error = delivery.exception()
    log.error("a record could not be delivered (%s); stopping the worker", type(error).__name__)
    crash = asyncio.ensure_future(app.crash(cast(BaseException, error)))
    _CRASHING.add(crash)  # asyncio keeps only weak references to tasks
    crash.add_done_callback(_CRASHING.discard)


_CRASHING: set[asyncio.Future[None]] = set()


async def dead_letter(message: Message, rejection: Rejection) -> None:
    record = dead_letter_record(
        original=message.value,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        reason=rejection.reason,
        detail=rejection.detail,
        now=datetime.now(UTC),
    )
    await _send(deadletter_topic, message.key, codec.encode(record))
    counters.DEAD_LETTERS.labels(message.topic, rejection.reason).inc()


async def guarded(message: Message, process: Callable[[Message], Awaitable[None]]) -> None:
    """Runs ``process`` on one input record; if it fails unexpectedly, the record becomes a dead
    letter (reason ``processing_error``) instead of stopping its partition. The log names the
    exception type and the record's position only: the record may carry personal data."""
    PROGRESS.advance((message.topic, message.partition), message.offset, time.monotonic())
    try:
        await process(message)
    except Exception as exc:
        log.error(
            "processing %s[%d]@%d failed: %s",
            message.topic,
            message.partition,
            message.offset,
            type(exc).__name__,
        )
        detail = f"{type(exc).__name__} while processing; see the worker log at this position"
        await dead_letter(message, Rejection("processing_error", detail))


async def publish_contributions(channel: Channel, records: list[JsonDict]) -> None:
    """One record of the contributions topic for ``channel``, holding the contributions of a
    batch of events (each value of ``streams.window_log.wire_records``)."""
    await _send(contributions_topic, channel.value.encode(), orjson.dumps({"records": records}))


async def publish_touchpoint(tp: Touchpoint, encoded: bytes) -> None:
    """``encoded``: the input record ``tp`` was decoded from, which the worker does not change;
    forwarding its bytes saves encoding it again."""
    await _send(touchpoint_facts_topic, tp.case_id.encode() or None, encoded)


async def publish_case(summary: CaseSummary) -> None:
    fact = CaseFact.of(summary)
    await _send(case_facts_topic, summary.case_id.encode(), codec.encode(fact))


async def publish_feedback(enriched: EnrichedFeedback, themes: tuple[str, ...]) -> None:
    fact = FeedbackFact.of(enriched, themes)
    key = (enriched.case_id or enriched.customer_id).encode()
    await _send(feedback_facts_topic, key, codec.encode(fact))


async def publish_alert(alert: Alert) -> None:
    await _send(alerts_topic, alert.subject_id.encode(), codec.encode(alert))
    counters.ALERTS.labels(alert.kind.value).inc()


async def publish_window(snapshot: WindowSnapshot, final: bool) -> None:
    """The revision is the emission time, so the latest result of a window wins in ClickHouse
    (ReplacingMergeTree on revision) and its final result, emitted last, wins over interim."""
    now = datetime.now(UTC)
    result = WindowResult.of(snapshot, final=final, revision=int(now.timestamp() * 1000))
    await _send(windows_topic, snapshot.channel.value.encode(), codec.encode(result))
    _window_results(snapshot.spec.name, final).inc()


@cache
def _window_results(window: str, final: bool) -> Counter:
    return counters.WINDOW_RESULTS.labels(window, str(final).lower())
