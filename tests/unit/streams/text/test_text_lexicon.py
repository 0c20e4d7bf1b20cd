# Hebrew letters look like Latin ones to RUF001; they are meant.
# ruff: noqa: RUF001

"""The lexicon files: their format, and errors that say where a file breaks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.text.lexicon import (
    LANGUAGES,
    LEXICON,
    THEMES,
    LexiconError,
    load_lexicons,
    parse_lexicon,
)


def test_a_lexicon_file() -> None:
    text = """
# Waiting, in a made-up language.
[waiting_time]
wait          # the whole word
queue*
*ngoja*
on hold
!late fee*

[billing]
"""
    lexicon = parse_lexicon(text.splitlines(), "xx.txt")
    assert lexicon["waiting_time"] == ("wait", "queue*", "*ngoja*", "on hold", "!late fee*")
    assert set(lexicon) == set(THEMES)
    assert all(lexicon[theme] == () for theme in THEMES if theme != "waiting_time")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("wait", r"xx\.txt:1: entry 'wait' comes before any \[theme\] line"),
        (
            "# c\n[weather]\nrain",
            r"xx\.txt:2: unknown theme \[weather\]; the themes are waiting_time",
        ),
        ("[billing]\nfee\n[billing]", r"xx\.txt:3: theme \[billing\] appears twice"),
        ("[billing]\n\nfee**", r"xx\.txt:3: 'fee\*\*' is not an entry"),
        ("[billing]\nst*em", r"xx\.txt:2: 'st\*em' is not an entry"),
        ("[billing]\n!", r"xx\.txt:2: '!' is not an entry"),
        ("[billing]\nfee, charge", r"xx\.txt:2: 'fee, charge' is not an entry"),
        ("[billing\nfee", r"xx\.txt:1: '\[billing' is not a \[theme\] line"),
    ],
)
def test_a_malformed_file_names_file_and_line(text: str, error: str) -> None:
    with pytest.raises(LexiconError, match=error):
        parse_lexicon(text.splitlines(), "xx.txt")


def test_load_lexicons_reads_one_file_a_language(tmp_path: Path) -> None:
    (tmp_path / "en.txt").write_text("[delivery]\ncourier*\n", encoding="utf-8")
    (tmp_path / "he.txt").write_text("[delivery]\nשליח*\n", encoding="utf-8")
    lexicon = load_lexicons(tmp_path)
    assert lexicon["delivery"] == {"en": ("courier*",), "he": ("שליח*",)}
    assert lexicon["billing"] == {"en": (), "he": ()}


def test_load_lexicons_names_the_broken_file(tmp_path: Path) -> None:
    (tmp_path / "sw.txt").write_text("[billing]\nbei\n[bei\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=rf"{tmp_path / 'sw.txt'}:3: "):
        load_lexicons(tmp_path)


def test_the_shipped_lexicons_cover_every_theme_in_five_languages() -> None:
    assert LANGUAGES == ("en", "fa", "he", "sw", "tl")
    for theme in THEMES:
        assert all(LEXICON[theme][language] for language in LANGUAGES), theme
