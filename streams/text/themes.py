"""Themes of a comment, for BI to group by: the entries of streams.text.lexicon, compiled once per
theme and set of lexicons read, matched on normalised text."""

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


def _body(entry: str, language: str) -> str:
    """An entry as a pattern, without its left boundary."""
    words = normalize(entry).split()
    # Only whether an entry occurs matters, not the whole word around it: a "*" drops the boundary
    # on its side instead of matching the rest of the word.
    inner = [re.escape(w.strip("*")) + (r"\w*" if w.endswith("*") else "") for w in words[:-1]]
    last = re.escape(words[-1].strip("*")) + ("" if words[-1].endswith("*") else r"(?!\w)")
    # Persian writes the parts of a compound apart, with a ZWNJ (a space here) or joined.
    return (r"\s*" if language == "fa" else r"\s+").join([*inner, last])


def _pattern(entries: dict[str, list[str]]) -> re.Pattern[str]:
    """One pattern for the entries of some languages. The word-start check comes once, before
    alternatives that all start with a letter, so that the regex engine dismisses a position
    after one lookbehind and first-letter comparisons (ten times faster than one alternative per
    entry, each with its own lookbehind); alternatives with the same first letter share it."""
    at_word_start, anywhere = [], []
    for language, language_entries in entries.items():
        bodies = [_body(e, language) for e in language_entries if not e.startswith("*")]
        if bodies:
            prefix = _HEBREW_PREFIX if language == "he" else ""
            at_word_start.append(prefix + "(?:" + "|".join(_by_first_letter(bodies)) + ")")
        anywhere += [_body(e, language) for e in language_entries if e.startswith("*")]
    if at_word_start:
        anywhere.append(r"(?<!\w)(?:" + "|".join(at_word_start) + ")")
    # A theme without entries (yet) in these languages matches nothing, not everything.
    return re.compile("|".join(anywhere) or "(?!)")


def _by_first_letter(bodies: list[str]) -> list[str]:
    """The alternatives grouped by their first letter ("b(?:ill|ank)" for "bill" and "bank"):
    the engine compares a position's letter once per group instead of once per alternative
    (bench.bench_text's comments, one core: 56,300 -> 62,900 a second with the language given,
    38,200 -> 43,200 read with every lexicon). Every body starts with a letter, which escaping
    leaves as it is, and a set of alternatives matches the same text in either form."""
    groups: dict[str, list[str]] = {}
    for body in bodies:
        groups.setdefault(body[0], []).append(body[1:])
    return [
        letter + (rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")")
        for letter, rests in groups.items()
    ]


@dataclass(frozen=True, slots=True)
class _Matcher:
    found: re.Pattern[str]
    exceptions: re.Pattern[str] | None

    def search(self, text: str) -> bool:
        if self.exceptions is not None:
            text = self.exceptions.sub(" ", text)
        return self.found.search(text) is not None


def _matcher(theme: str, languages: tuple[str, ...]) -> _Matcher:
    found = {lang: [e for e in LEXICON[theme][lang] if not e.startswith("!")] for lang in languages}
    exceptions = {
        lang: [e[1:] for e in LEXICON[theme][lang] if e.startswith("!")] for lang in languages
    }
    return _Matcher(
        _pattern(found),
        _pattern(exceptions) if any(exceptions.values()) else None,
    )


# A comment in a language with a lexicon is read with that one and English (loanwords and
# code-switching); in any other language, or an unknown one, with every lexicon.
_READ_WITH = {language: tuple(dict.fromkeys((language, "en"))) for language in LANGUAGES}
_MATCHERS = {
    languages: [(theme, _matcher(theme, languages)) for theme in THEMES]
    for languages in [*_READ_WITH.values(), LANGUAGES]
}


def tag_themes(text: str, language: str | None) -> tuple[str, ...]:
    """The themes of text, sorted: read with the lexicon of its language and English's, or with
    every lexicon when the language has none or is unknown."""
    matchers = _MATCHERS[_READ_WITH.get(language or "", LANGUAGES)]
    normalized = normalize(text)
    return tuple(sorted(theme for theme, matcher in matchers if matcher.search(normalized)))
