"""cx.feedback -> enriched feedback facts, satisfaction contributions and detractor alerts.

Same order and replay reasoning as the touchpoints agent (see ``streams.outbox``). The
feedback's case state lives on this worker too: both input topics are keyed by case_id and have
the same partition count.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

from faust import StreamT
from faust.types import Message

from schemas.records import Feedback
from schemas.validation import Rejection
from streams import counters
from streams.alerts import detractor_alert
from streams.app import app, cases, feedback_topic, seen
from streams.batches import Intake, each_event
from streams.case_log import entry_of
from streams.intake import read_feedback
from streams.metrics import enrich
from streams.outbox import Outbox
from streams.publish import dead_letter, publish_alert, publish_feedback
from streams.text import analyse_comment, normalize_language

TOPIC = feedback_topic.get_topic_name()
APPLIED, DUPLICATE = counters.EVENTS.labels(TOPIC, "applied"), counters.DUPLICATES.labels(TOPIC)


def _redacted(fb: Feedback) -> tuple[Feedback, tuple[str, ...]]:
    """The feedback with its comment redacted and its language known or detected, and the
    comment's themes: from here on nothing carries the raw text. Without a comment, a language
    that is no language tag is dropped: the field is free text as it comes."""
    if not fb.comment:
        return replace(fb, language=normalize_language(fb.language)), ()
    analysis = analyse_comment(fb.comment, fb.language)
    return replace(fb, comment=analysis.redacted_text, language=analysis.language), analysis.themes


@app.agent(feedback_topic)
async def process_feedback(stream: StreamT[bytes]) -> None:
    await each_event(stream, Intake(TOPIC, read_feedback, _submitted_at, _process, asyncio.Lock()))


def _submitted_at(fb: Feedback) -> datetime:
    return fb.submitted_at


async def _process(message: Message, fb: Feedback | Rejection, outbox: Outbox) -> None:
    if isinstance(fb, Rejection):
        dead_letter(outbox.sends, message, fb)
        return
    if outbox.get(seen, fb.feedback_id) is not None:
        DUPLICATE.inc()
        return
    stored = cases.get(fb.case_id) if fb.case_id else None
    case = None if stored is None else entry_of(stored).state
    fb, themes = _redacted(fb)
    enriched, contributions = enrich(fb, case)
    outbox.contribute(contributions, f"{message.topic}:{message.partition}", message.offset)
    publish_feedback(outbox.sends, enriched, themes)
    if enriched.detractor_alert:
        publish_alert(outbox.sends, detractor_alert(enriched))
    outbox.put(seen, fb.feedback_id, [fb.submitted_at.timestamp(), message.partition])
    APPLIED.inc()
