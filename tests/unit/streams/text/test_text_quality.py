"""Theme precision and recall, and language detection, on the labelled comments of
tests/data/feedback_comments (written by hand, independently of the lexicons)."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.text import detect_language, tag_themes
from streams.text.evaluate import Counts, Labelled, LanguageQuality, evaluate, parse_labelled
from streams.text.lexicon import LANGUAGES, THEMES

DATA = Path(__file__).resolve().parents[3] / "data" / "feedback_comments"


def _labelled() -> list[Labelled]:
    return [
        sample
        for path in sorted(DATA.glob("*.jsonl"))
        for sample in parse_labelled(path.read_text(encoding="utf-8").splitlines(), str(path))
    ]


@pytest.fixture(scope="module")
def report() -> dict[str, LanguageQuality]:
    return evaluate(_labelled(), tag_themes, detect_language)


def test_the_set_has_fifty_comments_a_language_and_every_theme_in_each() -> None:
    samples = _labelled()
    for language in LANGUAGES:
        mine = [s for s in samples if s.language == language]
        assert len(mine) >= 50, language
        assert sum(not s.themes for s in mine) >= 3, language
        assert sum(len(s.themes) >= 2 for s in mine) >= 5, language
        for theme in THEMES:
            assert sum(theme in s.themes for s in mine) >= 3, (language, theme)


@pytest.mark.parametrize("language", LANGUAGES)
def test_theme_precision_and_recall(report: dict[str, LanguageQuality], language: str) -> None:
    themes = report[language].themes
    assert themes.precision >= 0.85, report[language].misses
    assert themes.recall >= 0.7, report[language].misses


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_detection(report: dict[str, LanguageQuality], language: str) -> None:
    assert report[language].language_accuracy >= 0.95


def test_evaluate_counts_exactly() -> None:
    samples = [
        Labelled("en", "a", frozenset({"billing", "delivery"})),
        Labelled("en", "b", frozenset()),
        Labelled("sw", "c", frozenset({"billing"})),
    ]
    tags = {"a": ("billing", "usability"), "b": (), "c": ()}
    languages = {"a": "en", "b": "und", "c": "sw"}
    report = evaluate(samples, lambda text, _: tags[text], languages.__getitem__)
    en, sw = report["en"], report["sw"]
    assert (en.themes.tp, en.themes.fp, en.themes.fn) == (1, 1, 1)
    assert (en.themes.precision, en.themes.recall) == (0.5, 0.5)
    assert (en.languages_right, en.languages_undetermined, en.language_accuracy) == (1, 1, 0.5)
    assert en.by_theme["delivery"].recall == 0.0
    assert en.by_theme["usability"].precision == 0.0
    assert en.misses == [("a", ("billing", "usability"), ("billing", "delivery"))]
    # Nothing tagged: no precision to lose; something missed: recall 0.
    assert (sw.themes.precision, sw.themes.recall) == (1.0, 0.0)
    assert Counts().precision == Counts().recall == 1.0


def test_unknown_themes_in_a_labelled_file_are_an_error() -> None:
    line = '{"language": "en", "text": "x", "themes": ["weather"]}'
    with pytest.raises(ValueError, match=r"en\.jsonl:2: unknown themes \['weather'\]"):
        parse_labelled(["", line], "en.jsonl")
