"""Language of a short comment, for the five languages Touchstream's users write in most (en, sw,
he, tl, fa). Hebrew and Persian are told by their scripts (Persian from Arabic by its own
letters); English, Swahili and Tagalog by votes of their most common words. Other languages
are not guessed: None."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_HEBREW = re.compile(r"[\u0590-\u05FF]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
_PERSIAN_LETTERS = re.compile(r"[پچژگکی]")
STOPWORDS = {
    "en": {
        "the",
        "and",
        "was",
        "is",
        "it",
        "to",
        "my",
        "i",
        "of",
        "for",
        "not",
        "very",
        "with",
        "you",
        "your",
        "this",
        "that",
        "but",
        "on",
        "in",
        "had",
        "no",
        "too",
        "so",
        "agent",
        "wait",
        "waited",
        "hours",
        "service",
        "good",
        "great",
        "bad",
        "thanks",
        "app",
    },
    "sw": {
        "na",
        "ya",
        "kwa",
        "wa",
        "ni",
        "sana",
        "huduma",
        "nilisubiri",
        "kusubiri",
        "muda",
        "mrefu",
        "tatizo",
        "limetatuliwa",
        "asante",
        "mhudumu",
        "haijatatuliwa",
        "bili",
        "malipo",
        "nzuri",
        "mbaya",
        "lakini",
        "hii",
        "kwenye",
        "programu",
        "tovuti",
        "saa",
    },
    "tl": {
        "ang",
        "ng",
        "sa",
        "na",
        "ako",
        "ko",
        "mga",
        "po",
        "hindi",
        "naghintay",
        "matagal",
        "salamat",
        "ahente",
        "bayad",
        "naayos",
        "ay",
        "kasi",
        "pero",
        "talaga",
        "ito",
        "lang",
        "mabait",
        "bastos",
        "sira",
        "oras",
        "nang",
    },
}


def detect_language(text: str) -> str | None:
    if _HEBREW.search(text):
        return "he"
    if _ARABIC_SCRIPT.search(text):
        return "fa" if _PERSIAN_LETTERS.search(text) else "ar"
    words = [w.casefold() for w in _WORD.findall(text)]
    votes = {lang: sum(w in stop for w in words) for lang, stop in STOPWORDS.items()}
    best = max(votes, key=lambda lang: votes[lang])
    return best if votes[best] > 0 else None


def normalize_language(tag: str | None) -> str | None:
    """The primary subtag of a BCP-47 tag, lower-cased; None for an empty one."""
    if not tag or not tag.strip():
        return None
    return tag.strip().split("-")[0].split("_")[0].lower()
