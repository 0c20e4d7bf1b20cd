"""How well themes and languages come out on labelled comments: micro precision and recall per
theme and per language, and the share of languages detected right. Pure: the caller reads the
labelled files (tests/data/feedback_comments/<language>.jsonl) and passes the functions to judge.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from streams.text.lexicon import THEMES


@dataclass(frozen=True, slots=True)
class Labelled:
    language: str
    text: str
    themes: frozenset[str]


def parse_labelled(lines: Iterable[str], source: str) -> list[Labelled]:
    """One labelled comment per JSON line: {"language": "sw", "text": "...", "themes": [...]}."""
    samples = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        unknown = set(record["themes"]) - set(THEMES)
        if unknown:
            raise ValueError(f"{source}:{number}: unknown themes {sorted(unknown)}")
        samples.append(Labelled(record["language"], record["text"], frozenset(record["themes"])))
    return samples


@dataclass(slots=True)
class Counts:
    """Theme decisions: tagged and labelled, tagged only, labelled only."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        # Nothing tagged is nothing tagged wrong.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, tagged: frozenset[str], labelled: frozenset[str]) -> None:
        self.tp += len(tagged & labelled)
        self.fp += len(tagged - labelled)
        self.fn += len(labelled - tagged)


@dataclass(slots=True)
class LanguageQuality:
    comments: int = 0
    languages_right: int = 0
    # Neither right nor wrong: detection declined ("und").
    languages_undetermined: int = 0
    themes: Counts = field(default_factory=Counts)
    by_theme: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in THEMES})
    # (text, tagged, labelled) of every comment whose themes came out differently.
    misses: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)

    @property
    def language_accuracy(self) -> float:
        return self.languages_right / self.comments if self.comments else 1.0


def evaluate(
    samples: Iterable[Labelled],
    tag: Callable[[str, str], tuple[str, ...]],
    detect: Callable[[str], str],
) -> dict[str, LanguageQuality]:
    """Per labelled language: themes tagged by tag(text, language) against the labels, and
    detect(text) against the language."""
    report: dict[str, LanguageQuality] = {}
    for sample in samples:
        quality = report.setdefault(sample.language, LanguageQuality())
        quality.comments += 1
        detected = detect(sample.text)
        quality.languages_right += detected == sample.language
        quality.languages_undetermined += detected == "und"
        tagged = frozenset(tag(sample.text, sample.language))
        quality.themes.add(tagged, sample.themes)
        for theme in THEMES:
            quality.by_theme[theme].add(tagged & {theme}, sample.themes & {theme})
        if tagged != sample.themes:
            quality.misses.append(
                (sample.text, tuple(sorted(tagged)), tuple(sorted(sample.themes)))
            )
    return report
