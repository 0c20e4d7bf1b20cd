"""cx.feedback -> enriched feedback facts, satisfaction contributions and detractor alerts.

Same order and replay reasoning as the touchpoints agent (see ``streams.outbox``). The
feedback's case state lives on this worker too: both input topics are keyed by case_id and have
the same partition count. A CSAT answer counted in the single-channel split is kept in its case
(``enrich``), so that the touchpoints agent can move it when the case uses a second channel:
this agent writes cases too, and holds ``CASES_LOCK`` across its batches as the others do.

A kept answer is remembered twice, in its case and in ``seen``, whose changelog record is
written once the case's is delivered (``streams.outbox``): a replay finds either and skips the
answer. When a crash let only the case's record through, the replay writes ``seen`` then, since
the case forgets the answer's id once the answer moves.
"""

from __future__ import annotations

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
from streams.breaches import CASES_LOCK
from streams.case_log import CaseEntry, entry_of
from streams.intake import read_feedback
from streams.metrics import enrich, keeps_answer
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
    await each_event(stream, Intake(TOPIC, read_feedback, _submitted_at, _process, CASES_LOCK))


def _submitted_at(fb: Feedback) -> datetime:
    return fb.submitted_at


async def _process(message: Message, fb: Feedback | Rejection, outbox: Outbox) -> None:
    if isinstance(fb, Rejection):
        dead_letter(outbox.sends, message, fb)
        return
    stored = outbox.get(cases, fb.case_id) if fb.case_id else None
    entry = None if stored is None else entry_of(stored)
    case = None if entry is None else entry.state
    if outbox.get(seen, fb.feedback_id) is not None:
        DUPLICATE.inc()
        return
    if case is not None and keeps_answer(case, fb.feedback_id):
        _remember(fb, message, outbox)
        DUPLICATE.inc()
        return
    fb, themes = _redacted(fb)
    enriched, contributions, kept = enrich(fb, case)
    if kept is not None and entry is not None:
        outbox.put(cases, kept.case_id, CaseEntry(kept, entry.event_ids))
    outbox.contribute(contributions, f"{message.topic}:{message.partition}", message.offset)
    publish_feedback(outbox.sends, enriched, themes)
    if enriched.detractor_alert:
        publish_alert(outbox.sends, detractor_alert(enriched))
    _remember(fb, message, outbox)
    APPLIED.inc()


def _remember(fb: Feedback, message: Message, outbox: Outbox) -> None:
    outbox.put(seen, fb.feedback_id, [fb.submitted_at.timestamp(), message.partition])
