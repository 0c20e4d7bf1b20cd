"""The theme lexicons: one data file a language, streams/text/lexicons/<language>.txt, read once at
import. The format, and how to extend a lexicon, is in streams/text/lexicons/README.md; in short:

    # a comment
    [waiting_time]      a theme, one of THEMES
    wait                the whole word
    queue*              words starting with "queue"; "*stem" words ending with it, "*stem*" either
    on hold             consecutive words
    !late fee*          an exception: text it matches does not count for the theme

A file that breaks the format stops the import with a LexiconError naming its file and line, so a
mistyped lexicon never ships half-read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

# The themes are a contract with BI (dashboards group by these names): a lexicon can only add
# words to them, and a new theme is a code change.
THEMES = (
    "waiting_time",
    "billing",
    "staff_attitude",
    "product_quality",
    "resolution",
    "usability",
    "delivery",
)

Lexicon = dict[str, dict[str, tuple[str, ...]]]

_SECTION = re.compile(r"\[(?P<theme>[^\]]*)\]")
# A word is letters, marks and digits, maybe with inner apostrophes, hyphens or ZWNJ ("log-in",
# "بی‌ادب"); a "*" may stand at either end of a word.
_WORD = r"\*?[^\W_](?:[\w'\u2019\u200c\u200d-]*[^\W_])?\*?"
_ENTRY = re.compile(rf"!?{_WORD}(?: {_WORD})*")


class LexiconError(ValueError):
    """A lexicon file that does not follow the format; the message names the file and line."""


def parse_lexicon(lines: Iterable[str], source: str) -> dict[str, tuple[str, ...]]:
    """The entries of one lexicon file by theme (every theme present, maybe empty). source is what
    an error names, usually the file's path."""
    entries: dict[str, list[str]] = {theme: [] for theme in THEMES}
    seen_sections: set[str] = set()
    theme: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{source}:{number}"
        if section := _SECTION.fullmatch(line):
            theme = section["theme"].strip()
            if theme not in entries:
                raise LexiconError(
                    f"{where}: unknown theme [{theme}]; the themes are {', '.join(THEMES)}"
                )
            if theme in seen_sections:
                raise LexiconError(f"{where}: theme [{theme}] appears twice in this file")
            seen_sections.add(theme)
            continue
        if line.startswith("["):
            raise LexiconError(f"{where}: {line!r} is not a [theme] line")
        if theme is None:
            raise LexiconError(f"{where}: entry {line!r} comes before any [theme] line")
        entry = " ".join(line.split())
        if not _ENTRY.fullmatch(entry):
            raise LexiconError(
                f"{where}: {line!r} is not an entry (words of letters, maybe a * at a word's "
                "start or end, maybe a leading ! for an exception)"
            )
        entries[theme].append(entry)
    return {theme: tuple(words) for theme, words in entries.items()}


def load_lexicons(directory: Path) -> Lexicon:
    """Every <language>.txt of directory, as {theme: {language: entries}}."""
    by_language = {
        path.stem: parse_lexicon(path.read_text(encoding="utf-8").splitlines(), str(path))
        for path in sorted(directory.glob("*.txt"))
    }
    return {
        theme: {language: lexicon[theme] for language, lexicon in by_language.items()}
        for theme in THEMES
    }


LEXICON = load_lexicons(Path(str(resources.files("streams.text") / "lexicons")))
LANGUAGES = tuple(LEXICON[THEMES[0]])
