"""Themes of a comment, for BI to group by: the entries of streams.text.lexicon, compiled once into
one pattern per theme and language, matched on normalised text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from streams.text.lexicon import LANGUAGES, LEXICON, THEMES

__all__ = ["THEMES", "normalize", "tag_themes"]

_HEBREW_PREFIX = "[והבלמשכ]{0,2}"
_SPACED = re.compile(r"[\u200c\u200d\-\u2010-\u2015\u05be_]")
# Arabic and Persian keyboards write the same letters differently; Hebrew final letters are the
# same letters at a word's end ("חשבון", "חשבונית").
_LETTERS = str.maketrans("يىكةךםןףץ", "ییکهכמנפצ", "ـ")


def normalize(text: str) -> str:
    """What lexicon entries and comments are compared as: NFKC, case-folded, without combining
    marks (accents, niqqud, hamza, harakat), with Arabic-keyboard letters and Hebrew final letters
    mapped to one form, and hyphens, underscores and zero-width (non-)joiners as spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        text = unicodedata.normalize("NFC", text).translate(_LETTERS)
    return _SPACED.sub(" ", text)


def _fragment(entry: str, language: str) -> str:
    words = []
    for word in normalize(entry).split():
        head = r"\w*" if word.startswith("*") else ""
        tail = r"\w*" if word.endswith("*") else ""
        words.append(head + re.escape(word.strip("*")) + tail)
    # Persian writes the parts of a compound apart, with a ZWNJ (a space here) or joined.
    joiner = r"\s*" if language == "fa" else r"\s+"
    prefix = _HEBREW_PREFIX if language == "he" else ""
    return rf"(?<!\w){prefix}{joiner.join(words)}(?!\w)"


@dataclass(frozen=True, slots=True)
class _Matcher:
    found: re.Pattern[str]
    exceptions: re.Pattern[str] | None

    def search(self, text: str) -> bool:
        if self.exceptions is not None:
            text = self.exceptions.sub(" ", text)
        return self.found.search(text) is not None


def _matcher(entries: tuple[str, ...], language: str) -> _Matcher:
    found = [_fragment(e, language) for e in entries if not e.startswith("!")]
    exceptions = [_fragment(e[1:], language) for e in entries if e.startswith("!")]
    return _Matcher(
        re.compile("|".join(found)), re.compile("|".join(exceptions)) if exceptions else None
    )


_MATCHERS = {
    (theme, language): _matcher(LEXICON[theme][language], language)
    for theme in THEMES
    for language in LANGUAGES
}


def tag_themes(text: str, language: str | None) -> tuple[str, ...]:
    """The themes of text, sorted. A comment in a language with a lexicon is read with that one
    and English (loanwords and code-switching); in any other language, or an unknown one, with
    every lexicon."""
    if language in LANGUAGES:
        languages: tuple[str, ...] = ("en",) if language == "en" else (language, "en")
    else:
        languages = LANGUAGES
    normalized = normalize(text)
    return tuple(
        sorted(
            theme
            for theme in THEMES
            if any(_MATCHERS[(theme, lang)].search(normalized) for lang in languages)
        )
    )
