"""The feedback agent's text step: nothing it passes on carries the raw text of a field that is
free text as it comes."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas.records import Channel, Feedback, Survey
from streams.agents.feedback import _redacted

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
