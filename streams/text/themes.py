"""Themes of a comment, for BI to group by: keyword stems per language and theme. A stem matches
at the start of a word (Hebrew words may carry up to two one-letter prefixes, _HEBREW_PREFIX)."""

from __future__ import annotations

import re
import unicodedata

THEMES = ("waiting_time", "billing", "staff_attitude", "product_quality", "resolution", "usability")
LEXICON: dict[str, dict[str, tuple[str, ...]]] = {
    "waiting_time": {
        "en": ("wait", "queue", "hold", "slow", "forever", "hours", "took long", "delay"),
        "sw": ("kusubiri", "nilisubiri", "subiri", "foleni", "muda mrefu", "polepole", "kuchelewa"),
        "he": ("המתנה", "חיכיתי", "חיכינו", "תור", "לאט", "שעות", "עיכוב"),
        "tl": ("naghintay", "paghihintay", "hintay", "pila", "matagal", "bagal"),
        "fa": ("انتظار", "منتظر", "صف", "طول کشید", "معطل", "تاخیر", "ساعت"),
    },
    "billing": {
        "en": ("bill", "charge", "refund", "invoice", "price", "fee", "payment", "overcharg"),
        "sw": ("bili", "malipo", "pesa", "gharama", "kurejeshewa", "ada", "ankara"),
        "he": ("חשבון", "חיוב", "תשלום", "החזר", "מחיר", "עמלה"),
        "tl": ("bayad", "singil", "bill", "refund", "presyo", "sinisingil"),
        "fa": ("صورتحساب", "پرداخت", "هزینه", "قبض", "بازپرداخت", "قیمت", "پول"),
    },
    "staff_attitude": {
        "en": ("rude", "polite", "friendly", "helpful", "attitude", "unprofessional", "kind"),
        "sw": ("mhudumu", "wafanyakazi", "mkarimu", "jeuri", "adabu", "dharau"),
        "he": ("נציג", "אדיב", "גס", "חצוף", "יחס", "מנומס"),
        "tl": ("ahente", "bastos", "mabait", "magalang", "suplado"),
        "fa": ("کارمند", "پشتیبان", "مودب", "بی‌ادب", "بی ادب", "برخورد", "رفتار"),
    },
    "product_quality": {
        "en": ("broken", "defective", "quality", "damaged", "faulty", "stopped working"),
        "sw": ("ubora", "mbovu", "imeharibika", "kuharibika", "bidhaa"),
        "he": ("איכות", "פגום", "שבור", "מקולקל", "מוצר"),
        "tl": ("kalidad", "sira", "depektibo", "produkto"),
        "fa": ("کیفیت", "خراب", "معیوب", "محصول"),
    },
    "resolution": {
        "en": ("resolved", "fixed", "solved", "not solved", "still", "unresolved", "sorted"),
        "sw": ("limetatuliwa", "imetatuliwa", "haijatatuliwa", "kutatua", "tatizo"),
        "he": ("נפתר", "פתרו", "לא נפתר", "טופל", "בעיה"),
        "tl": ("naayos", "nalutas", "hindi naayos", "problema", "solusyon"),
        "fa": ("حل شد", "حل نشد", "برطرف", "مشکل"),
    },
    "usability": {
        "en": ("website", "app", "login", "log in", "page", "crash", "confusing", "button"),
        "sw": ("tovuti", "programu", "app", "kuingia", "ukurasa"),
        "he": ("אתר", "אפליקציה", "התחברות", "דף", "קורס"),
        "tl": ("website", "app", "mag-login", "login", "pahina"),
        "fa": ("سایت", "وب‌سایت", "اپلیکیشن", "برنامه", "ورود", "صفحه"),
    },
}
_HEBREW_PREFIX = "[והבלמשכ]{0,2}"


def normalize(text: str) -> str:
    """NFKC, case-folded, Arabic-script variants unified and zero-width joiners as spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u200c", " ").replace("ي", "ی").replace("ك", "ک")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def _pattern(stem: str, language: str) -> re.Pattern[str]:
    prefix = _HEBREW_PREFIX if language == "he" else ""
    return re.compile(rf"(?<!\w){prefix}{re.escape(normalize(stem))}")


_PATTERNS = {
    (theme, language): [_pattern(stem, language) for stem in stems]
    for theme, by_language in LEXICON.items()
    for language, stems in by_language.items()
}


def tag_themes(text: str, language: str | None) -> tuple[str, ...]:
    """Themes found with the comment's language's lexicon, or every lexicon when unknown."""
    normalized = normalize(text)
    languages = [language] if language in LEXICON["billing"] else list(LEXICON["billing"])
    found = {
        theme
        for theme in THEMES
        for lang in languages
        if any(p.search(normalized) for p in _PATTERNS[(theme, lang)])
    }
    return tuple(sorted(found))
