"""Feedback text quality on the labelled comments of tests/data/feedback_comments: theme precision
and recall per language (micro, over every theme) and per theme, and language-detection accuracy
(detection restricted to the five languages, as configured by default).

tests/data/feedback_comments_holdout holds comments written after the lexicons were extended on
the main set and never used to extend them: its figures say how the lexicons generalise.

Run: .venv/bin/python -m bench.text_quality [--data tests/data/feedback_comments_holdout] [--misses]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from streams.text import detect_language, tag_themes
from streams.text.evaluate import Labelled, LanguageQuality, evaluate, parse_labelled
from streams.text.language import DEFAULT_LANGUAGES
from streams.text.lexicon import THEMES

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "feedback_comments"


def labelled_comments(directory: Path = DATA) -> list[Labelled]:
    return [
        sample
        for path in sorted(directory.glob("*.jsonl"))
        for sample in parse_labelled(path.read_text(encoding="utf-8").splitlines(), str(path))
    ]


def quality(directory: Path = DATA) -> dict[str, LanguageQuality]:
    return evaluate(
        labelled_comments(directory),
        tag_themes,
        lambda text: detect_language(text, DEFAULT_LANGUAGES),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA, help="folder of <language>.jsonl")
    parser.add_argument("--misses", action="store_true", help="list comments tagged wrong")
    args = parser.parse_args()
    report = quality(args.data)
    print("| language | comments | precision | recall | language detected | und |")
    print("|---|---|---|---|---|---|")
    for language, q in report.items():
        print(
            f"| {language} | {q.comments} | {q.themes.precision:.2f} | {q.themes.recall:.2f} "
            f"| {q.language_accuracy:.0%} | {q.languages_undetermined} |"
        )
    print()
    print("| theme | " + " | ".join(report) + " |  (precision / recall)")
    print("|---|" + "---|" * len(report))
    for theme in THEMES:
        cells = [
            f"{q.by_theme[theme].precision:.2f} / {q.by_theme[theme].recall:.2f}"
            for q in report.values()
        ]
        print(f"| {theme} | " + " | ".join(cells) + " |")
    if args.misses:
        for language, q in report.items():
            for text, tagged, labelled in q.misses:
                print(f"{language}  tagged {tagged} labelled {labelled}: {text}")


if __name__ == "__main__":
    main()
