"""Feedback text: redaction of personal data, language detection and theme tagging."""

from __future__ import annotations

from dataclasses import dataclass

from streams.text.language import detect_language, normalize_language
from streams.text.redact import Redacted, redact
from streams.text.themes import THEMES, tag_themes


@dataclass(frozen=True, slots=True)
class CommentAnalysis:
    redacted_text: str
    language: str | None
    themes: tuple[str, ...]
    redactions: dict[str, int]


def analyse_comment(comment: str, language: str | None) -> CommentAnalysis:
    """Redacts first, and works on the redacted text only, so the raw text goes nowhere."""
    redacted = redact(comment)
    lang = normalize_language(language) or detect_language(redacted.text)
    return CommentAnalysis(redacted.text, lang, tag_themes(redacted.text, lang), redacted.counts)


__all__ = [
    "THEMES",
    "CommentAnalysis",
    "Redacted",
    "analyse_comment",
    "detect_language",
    "redact",
    "tag_themes",
]
