"""What the agents send: every record encoded with the shared codec, keyed so that what belongs
together stays on one partition (cases by case_id, windows by channel), and staged in the
agent's batch of sends (``streams.sends``), which the agent submits before it is done with the
batch of input records that caused them."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cache

import orjson
from faust.types import Message
from prometheus_client import Counter

from schemas import codec
from schemas.deadletter import dead_letter_record
from schemas.records import Alert, Channel, Touchpoint
from schemas.validation import Rejection
from streams import counters
from streams.app import (
    alerts_topic,
    case_facts_topic,
    contributions_topic,
    deadletter_topic,
    feedback_facts_topic,
    touchpoint_facts_topic,
    windows_topic,
)
from streams.facts import CaseFact, FeedbackFact, WindowResult, touchpoint_fact
from streams.liveness import PROGRESS
from streams.metrics import CaseSummary, EnrichedFeedback, WindowSnapshot
from streams.sends import Sends
from streams.window_log import WireEvent, wire_message

log = logging.getLogger(__name__)

_DEADLETTER = deadletter_topic.get_topic_name()
_CONTRIBUTIONS = contributions_topic.get_topic_name()
_TOUCHPOINT_FACTS = touchpoint_facts_topic.get_topic_name()
_CASE_FACTS = case_facts_topic.get_topic_name()
_FEEDBACK_FACTS = feedback_facts_topic.get_topic_name()
_ALERTS = alerts_topic.get_topic_name()
_WINDOWS = windows_topic.get_topic_name()


def dead_letter(out: Sends, message: Message, rejection: Rejection) -> None:
    record = dead_letter_record(
        original=message.value,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        reason=rejection.reason,
        detail=rejection.detail,
        now=datetime.now(UTC),
    )
    out.add(_DEADLETTER, message.key, codec.encode(record))
    counters.DEAD_LETTERS.labels(message.topic, rejection.reason).inc()


async def guarded(
    message: Message, process: Callable[[Message], Awaitable[None]], out: Sends
) -> None:
    """Runs ``process`` on one input record; if it fails unexpectedly, the record becomes a dead
    letter (reason ``processing_error``) instead of stopping its partition. The log names the
    exception type and the record's position only: the record may carry personal data. The dead
    letter goes to ``out``."""
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
        dead_letter(out, message, Rejection("processing_error", detail))


def publish_contributions(out: Sends, channel: Channel, events: list[WireEvent]) -> None:
    """One record of the contributions topic for ``channel``, holding the contributions of a
    batch of events (see ``streams.window_log.wire_message``)."""
    out.add(_CONTRIBUTIONS, channel.value.encode(), orjson.dumps(wire_message(channel, events)))


def publish_touchpoint(out: Sends, tp: Touchpoint, encoded: bytes) -> None:
    """``encoded``: the input record ``tp`` was decoded from (see ``touchpoint_fact``)."""
    out.add(_TOUCHPOINT_FACTS, tp.case_id.encode() or None, touchpoint_fact(tp, encoded))


def publish_case(out: Sends, summary: CaseSummary) -> None:
    fact = CaseFact.of(summary)
    out.add(_CASE_FACTS, summary.case_id.encode(), codec.encode(fact))


def publish_feedback(out: Sends, enriched: EnrichedFeedback, themes: tuple[str, ...]) -> None:
    fact = FeedbackFact.of(enriched, themes)
    key = (enriched.case_id or enriched.customer_id).encode()
    out.add(_FEEDBACK_FACTS, key, codec.encode(fact))


def publish_alert(out: Sends, alert: Alert) -> None:
    out.add(_ALERTS, alert.subject_id.encode(), codec.encode(alert))
    counters.ALERTS.labels(alert.kind.value).inc()


def publish_window(out: Sends, snapshot: WindowSnapshot, final: bool) -> None:
    result = WindowResult.of(snapshot, final=final, revision=revision(datetime.now(UTC), final))
    out.add(_WINDOWS, snapshot.channel.value.encode(), codec.encode(result))
    _window_results(snapshot.spec.name, final).inc()


# Above any emission time in ms (2^62 ms is 146 million years).
FINAL_REVISION = 1 << 62


def revision(emitted: datetime, final: bool) -> int:
    """A window result's revision: its emission time in ms, so that the latest result of a
    window wins in ClickHouse (ReplacingMergeTree on revision), and above every interim result's
    if it is final: emitted last, but possibly by another worker whose clock is behind the one
    that emitted an interim result before a rebalance."""
    return int(emitted.timestamp() * 1000) | (FINAL_REVISION if final else 0)


@cache
def _window_results(window: str, final: bool) -> Counter:
    return counters.WINDOW_RESULTS.labels(window, str(final).lower())
