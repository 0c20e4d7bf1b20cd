"""Personal data out of free text: emails, phone numbers and card-like numbers are replaced by
placeholders before a comment is stored, logged or shown."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 13-19 digits, optionally grouped by spaces or dashes: card-like when they pass Luhn.
_LONG_DIGITS = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
# A phone number: optional +country code, then at least 7 digits in groups separated by
# spaces, dots, dashes or parentheses. Shorter numbers ("3 days", "order 12345") stay.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{1,4}\)?[\s.-]?){2,5}\d{2,4}(?![\w])")
_DIGIT_TRANSLATION = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


@dataclass(frozen=True, slots=True)
class Redacted:
    text: str
    counts: dict[str, int]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def redact(text: str) -> Redacted:
    counts = {"email": 0, "phone": 0, "card": 0}
    # Persian and Arabic-Indic digits are digits too: a phone number written in them is one.
    text = text.translate(_DIGIT_TRANSLATION)

    def email(match: re.Match[str]) -> str:
        counts["email"] += 1
        return "[email]"

    def card(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        if not luhn_ok(digits):
            return match.group()  # left for the phone pattern to judge
        counts["card"] += 1
        return "[card]"

    def phone(match: re.Match[str]) -> str:
        if sum(ch.isdigit() for ch in match.group()) < 7:
            return match.group()
        counts["phone"] += 1
        return "[phone]"

    text = _EMAIL.sub(email, text)
    text = _LONG_DIGITS.sub(card, text)
    text = _PHONE.sub(phone, text)
    return Redacted(text, {k: v for k, v in counts.items() if v})
