"""Feedback text: redaction of personal data, language detection and theme tagging.

Pure Python (py3langid's model and the lexicon files are the only data), and nothing here logs: a
comment's text never leaves these functions other than redacted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from streams.text.language import UNDETERMINED, detect_language, normalize_language
from streams.text.redact import Redacted, redact
from streams.text.themes import THEMES, tag_themes


@dataclass(frozen=True, slots=True)
class CommentAnalysis:
    redacted_text: str
    language: str
    themes: tuple[str, ...]
    redactions: dict[str, int]


@cache
def configured_languages() -> tuple[str, ...]:
    """The setting text_languages (TOUCHSTREAM_TEXT_LANGUAGES), read once."""
    # Imported here so that the functions above stay usable without any settings.
    from touchstream.settings import get_settings

    return get_settings().text_languages


def analyse_comment(
    comment: str, language: str | None, languages: Collection[str] | None = None
) -> CommentAnalysis:
    """Redacts first and reads only the redacted text, so the raw comment goes nowhere else. The
    given language is used when it is a valid tag; otherwise it is detected among languages (by
    default the configured ones), "und" when it cannot be told."""
    redacted = redact(comment)
    lang = normalize_language(language) or detect_language(
        redacted.text, configured_languages() if languages is None else languages
    )
    return CommentAnalysis(redacted.text, lang, tag_themes(redacted.text, lang), redacted.counts)


__all__ = [
    "THEMES",
    "UNDETERMINED",
    "CommentAnalysis",
    "Redacted",
    "analyse_comment",
    "configured_languages",
    "detect_language",
    "normalize_language",
    "redact",
    "tag_themes",
]
