"""Feedback text: redaction of personal data, language detection and theme tagging.

Pure Python (py3langid's model is the only data), no I/O, and nothing here logs: a comment's text
never leaves these functions other than redacted.
"""

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
    """Redacts first and reads only the redacted text, so the raw comment goes nowhere else. The
    given language is used when it is a valid tag; otherwise it is detected."""
    redacted = redact(comment)
    lang = normalize_language(language) or detect_language(redacted.text)
    return CommentAnalysis(redacted.text, lang, tag_themes(redacted.text, lang), redacted.counts)


__all__ = [
    "THEMES",
    "CommentAnalysis",
    "Redacted",
    "analyse_comment",
    "detect_language",
    "normalize_language",
    "redact",
    "tag_themes",
]
