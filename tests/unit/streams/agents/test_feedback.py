"""The feedback agent: nothing it passes on carries the raw text of a field that is free text
as it comes, and a CSAT answer counted single-channel is kept in its case, whose copy of it
tells a replay that the answer was applied."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest

from schemas.records import Actor, Channel, EventType, Feedback, JourneyStage, Survey, Touchpoint
from streams.agents.feedback import _process, _redacted
from streams.app import cases, seen
from streams.case_log import CaseEntry, entry_of
from streams.metrics import CaseState, apply
from streams.outbox import Outbox

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _answer(comment: str | None, language: str | None) -> Feedback:
    return Feedback("f1", AT, "u1", Channel.CHAT, Survey.CSAT, 5, "c1", comment, language)


def test_without_a_comment_a_language_that_is_no_tag_is_dropped_and_a_tag_normalised() -> None:
    assert _redacted(_answer(None, "call me on 0712345678"))[0].language is None
    assert _redacted(_answer(None, "en-GB"))[0].language == "en"
    assert _redacted(_answer(None, None))[0].language is None


def test_with_a_comment_the_comment_is_redacted_and_the_language_a_tag() -> None:
    fb, _ = _redacted(_answer("mail bob@example.com please", "call me on 0712345678"))
    assert (fb.comment, fb.language) == ("mail <email> please", "en")


class _Event:
    """Stands in for a Faust event: the outbox writes on its message's partition."""

    def __init__(self) -> None:
        self.message = SimpleNamespace(topic="cx.feedback", partition=0, offset=7)


@pytest.fixture
def chat_case() -> Iterator[CaseEntry]:
    """A case opened on chat, stored in the worker's cases table."""
    opened = Touchpoint(
        event_id="t1",
        occurred_at=AT,
        customer_id="u1",
        case_id="c1",
        channel=Channel.CHAT,
        actor=Actor.CUSTOMER,
        event_type=EventType.CONTACT_OPENED,
        journey_stage=JourneyStage.SUPPORT,
        source="test",
    )
    entry = CaseEntry(apply(CaseState("c1"), opened)[0], frozenset({"t1"}))
    cases.data["c1"] = entry
    yield entry
    cases.data.clear()
    seen.data.clear()


def _staged(answer: Feedback) -> Outbox:
    """What processing ``answer`` stages in a batch's outbox."""
    outbox, event = Outbox(), cast(Any, _Event())
    with outbox.acting_for(event):
        asyncio.run(_process(event.message, answer, outbox))
    return outbox


def test_a_csat_answer_of_a_single_channel_case_is_kept_by_the_case(chat_case: CaseEntry) -> None:
    outbox = _staged(_answer(None, "en"))
    kept = entry_of(outbox.get(cases, "c1"))
    assert kept.state.single_csat == (("f1", AT, Channel.CHAT, 5),)
    assert (kept.event_ids, kept.state.version) == (chat_case.event_ids, chat_case.state.version)
    assert outbox.get(seen, "f1") is not None


def test_a_replay_finds_the_answer_in_its_case_when_seen_lost_it(chat_case: CaseEntry) -> None:
    """A crash let the case's changelog record through and not seen's, written after it: the
    replayed answer is skipped, so it is neither counted nor kept twice, and seen is written,
    since the case forgets the answer once it moves to the multi-channel split."""
    kept: Any = _staged(_answer(None, "en")).get(cases, "c1")
    cases.data["c1"] = kept
    replay = _staged(_answer(None, "en"))
    assert replay.get(seen, "f1") == [AT.timestamp(), 0]
    assert replay.get(cases, "c1") is kept
    assert replay.sends._records == {}  # nothing published again


def test_other_surveys_leave_the_case_alone(chat_case: CaseEntry) -> None:
    nps = Feedback("f2", AT, "u1", Channel.CHAT, Survey.NPS, 9, "c1", None, "en")
    outbox = _staged(nps)
    assert outbox.get(cases, "c1") is chat_case and outbox.get(seen, "f2") is not None
