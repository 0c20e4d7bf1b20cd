"""Language of a short comment, as a BCP-47 primary subtag, or "und" (undetermined) when the
comment is too short, mixes two languages about evenly, or is in a language outside the ones the
caller asks for: a wrong guess would put a comment under the wrong language in BI and read it with
the wrong lexicon, while "und" comments are read with every lexicon.

Hebrew and Arabic script decide by themselves: Hebrew letters mean Hebrew; Arabic script means
Persian when it has a letter Arabic lacks (پ چ ژ گ, or the Persian keyboard's ک and ی), Urdu when
it has one of Urdu's own, and otherwise whichever of Arabic, Persian and Urdu py3langid ranks
higher. Any other text goes to py3langid (a naive Bayes model over byte n-grams, shipped inside the
package) together with a vote of common words of English, Swahili and Tagalog: on a comment of a
few words the model alone often lands on a neighbour (Somali for "Too slow", Hausa for "Mbaya
sana"), while two distinct function words of one of those languages are close to proof.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from typing import Any

from streams.text.redact import PLACEHOLDER

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
_HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Scripts written without spaces between words, where one "word" can be a whole comment: Thai,
# Lao, Myanmar, Khmer, kana and CJK.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff]")
_PERSIAN_ONLY = re.compile(r"[پچژگکی]")
_URDU_ONLY = re.compile(r"[ٹڈڑںےۓ]")
# Moroccan and Egyptian Arabic are reported as Arabic, their macrolanguage.
_ARABIC_SCRIPT_LANGUAGES = {"ar": "ar", "ary": "ar", "arz": "ar", "fa": "fa", "ur": "ur"}
# The model's label for text without language.
_NOT_A_LANGUAGE = "zxx"
# Distinctive words only: those shared between these languages ("na", "ni", "si", "sana") or with
# a widespread other one ("is", "in", "to", "at", "me", "la", "ya"; "من", "هم", "این" in Arabic)
# are left out, so that a vote is evidence.
# fmt: off
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "the", "and", "my", "you", "your", "this", "that", "with", "for", "of", "have", "has",
        "been", "they", "were", "not", "very", "but", "was", "it", "it's", "i'm", "i've", "didn't",
        "don't", "doesn't", "can't", "won't", "still", "why", "what", "we", "our", "from", "would",
        "could", "should", "there", "their", "again", "after", "before", "thanks", "thank", "great",
        "good", "bad", "too",
    }),
    "sw": frozenset({
        "kwa", "za", "hii", "hiyo", "huu", "yangu", "yako", "yenu", "wangu", "wenu", "lakini",
        "bado", "kwenye", "katika", "tena", "sasa", "asante", "asanteni", "tafadhali", "poa",
        "huduma", "mbaya", "nzuri", "kabisa", "hapa", "hakuna", "sijui", "kila", "mimi", "wewe",
        "sisi", "nini", "gani", "kama", "pia", "bila", "baada", "kabla", "hadi", "mpaka", "leo",
        "jana", "wiki", "mara",
    }),
    "tl": frozenset({
        "ang", "ng", "mga", "sa", "po", "ko", "ako", "hindi", "pa", "rin", "lang", "naman",
        "talaga", "yung", "niyo", "ninyo", "nang", "kasi", "pero", "wala", "ito", "dito", "siya",
        "namin", "natin", "mo", "ba", "din", "salamat", "sobrang", "grabe", "napaka", "ngayon",
        "kanina", "lagi", "pag", "kung", "tapos", "dahil",
    }),
}
_ARABIC_SCRIPT_STOPWORDS: dict[str, frozenset[str]] = {
    "fa": frozenset({
        "است", "بود", "شد", "نشد", "می", "نمی", "را", "آن", "که", "از", "با", "برای", "خیلی", "چون",
        "هنوز", "شما", "ممنون", "مرسی", "کرد", "کردم", "کردند", "نکردید",
    }),
    "ar": frozenset({
        "في", "على", "عن", "إلى", "الى", "هذا", "هذه", "الذي", "التي", "لم", "لن", "كان", "كانت",
        "تم", "جدا", "أن", "لقد", "قد", "شكرا",
    }),
}
# fmt: on
UNDETERMINED = "und"
# The languages with a theme lexicon; the default of the setting text_languages.
DEFAULT_LANGUAGES = ("en", "sw", "he", "tl", "fa")
_PERSIAN_KEYBOARD = str.maketrans("يكى", "یکی")
_MIN_LETTERS = 3
_MIN_WORDS = 2
# Hebrew or Arabic script on more than half of the letters decides the language by itself (a brand
# name in Latin letters changes nothing); on a quarter to a half, the comment mixes scripts too
# evenly to tell.
_SCRIPT_DECIDES = 1 / 2
_SCRIPT_MIXES = 1 / 4
# Two languages each with this many distinct function words, the second with at least half as
# many as the first, are a mixed comment ("Huduma mbaya, the agent was rude and hung up").
_MIXED_VOTES = 2
# Below this probability (the model's, normalised over its 140 labels) the model alone decides
# nothing; the vote may then, and without a vote the answer is None.
_CONFIDENT = 0.5
_PLAUSIBLE = 0.2


def load_model() -> None:
    """Loads the language model now. A worker does so before it joins its group: loaded on its
    first comment, the model stalled that comment's agent (about 1.4 s of a worker's CPU, with
    the records behind it waiting)."""
    _identifier()


@cache
def _identifier() -> Any:
    # Loaded on first use (about 0.5 s and 90 MB), not on import: most importers never detect.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _ranked(text: str) -> list[tuple[str, float]]:
    return [(str(lang), float(p)) for lang, p in _identifier().rank(text)]


def _arabic_script(text: str, words: list[str]) -> str:
    if _URDU_ONLY.search(text):
        return "ur"
    if _PERSIAN_ONLY.search(text):
        return "fa"
    # Persian typed on an Arabic keyboard has ي and ك for ی and ک: its words still tell.
    voted, _, _ = _vote([w.translate(_PERSIAN_KEYBOARD) for w in words], _ARABIC_SCRIPT_STOPWORDS)
    if voted is not None:
        return voted
    for label, _ in _ranked(text):
        if label in _ARABIC_SCRIPT_LANGUAGES:
            return _ARABIC_SCRIPT_LANGUAGES[label]
    return "ar"


def _vote(words: list[str], stopwords: dict[str, frozenset[str]]) -> tuple[str | None, int, int]:
    """The language with the most distinct stopwords among the words, if it is alone there, its
    count and the runner-up's."""
    seen = set(words)
    hits = sorted(((len(seen & stop), lang) for lang, stop in stopwords.items()), reverse=True)
    (best_hits, best), (second_hits, _) = hits[0], hits[1]
    if best_hits == 0 or best_hits == second_hits:
        return None, 0, second_hits
    return best, best_hits, second_hits


def detect_language(text: str, languages: Collection[str] | None = None) -> str:
    """The language of text, or "und" when there is too little of it to tell (fewer than three
    letters, or a single word in a script that puts spaces between words, other than Hebrew and
    Arabic), when it mixes languages about evenly, when the model is unsure, or when the answer is
    not one of languages (None: any language)."""
    detected = _detect(PLACEHOLDER.sub(" ", text))
    if detected is None or (languages is not None and detected not in languages):
        return UNDETERMINED
    return detected


def _detect(text: str) -> str | None:
    words = [w.casefold().replace("\u2019", "'") for w in _WORD.findall(text)]
    letters = sum(len(w) for w in words)
    if letters < _MIN_LETTERS:
        return None
    hebrew = len(_HEBREW.findall(text))
    arabic = len(_ARABIC_SCRIPT.findall(text))
    if max(hebrew, arabic) > _SCRIPT_DECIDES * letters:
        return "he" if hebrew > arabic else _arabic_script(text, words)
    if max(hebrew, arabic) >= _SCRIPT_MIXES * letters:
        return None
    if len(words) < _MIN_WORDS and not _UNSPACED.search(text):
        return None
    voted, hits, second = _vote(words, STOPWORDS)
    if second >= _MIXED_VOTES and 2 * second >= hits:
        return None
    if voted is not None and hits >= 2:
        return voted
    label, p = _ranked(text)[0]
    if label != _NOT_A_LANGUAGE and p >= _CONFIDENT:
        return label
    if voted is not None:
        return voted
    return label if label != _NOT_A_LANGUAGE and p >= _PLAUSIBLE else None


_TAG = re.compile(r"[a-z]{2,3}")
# Deprecated codes, and three-letter codes of the languages with a lexicon, as clients send them.
_ALIASES = {
    "iw": "he",
    "heb": "he",
    "eng": "en",
    "swa": "sw",
    "swh": "sw",
    "fil": "tl",
    "tgl": "tl",
    "fas": "fa",
    "per": "fa",
    "pes": "fa",
    "in": "id",
    "ji": "yi",
}


def normalize_language(tag: str | None) -> str | None:
    """The primary subtag of a BCP-47 tag (or a POSIX locale such as en_US.UTF-8), lower-cased and
    with deprecated or three-letter codes of the same language folded: "EN-us" is "en", "iw" is
    "he", "fil" is "tl". None for an empty tag, "und", or anything that is not a language tag."""
    if tag is None:
        return None
    primary = re.split(r"[-_.@]", tag.strip(), maxsplit=1)[0].lower()
    if not _TAG.fullmatch(primary) or primary == "und":
        return None
    return _ALIASES.get(primary, primary)
