"""Personal data out of free text: emails, phone numbers and card-like numbers become placeholders
before a comment is stored, logged or shown.

Numbers are found by one pattern (digit groups joined by spaces, dashes, dots or parentheses, maybe
after a "+") and then judged by their digit count and shape:

- fewer than 7 digits, a date such as 12.03.2026 or 2026-03-12, an amount, or the number of an
  order, ticket or parcel (a word for one right before it, "#" included): kept;
- 7 to 12 digits: a phone number;
- 13 to 19 digits: a card number when it passes the Luhn check. One that fails is a phone number
  when it is short enough for one (E.164 allows 15 digits), a mistyped card otherwise. A number
  written with "+" or a leading 0 is always a phone number: no card number starts with either;
- more than 19 digits: several numbers run together; kept out all the same, as a phone number.

So a 13-15 digit phone number that happens to pass Luhn (about one in ten) is called a card: both
are redacted, only the label differs. Persian and Arabic-Indic digits are digits like 0-9.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ASCII, Arabic-Indic, Persian, Devanagari and fullwidth digits.
_D = "0-9\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\uff10-\uff19"
# Spaces (a tab, no-break and thin ones included) or one of - . / and dashes between digit
# groups; a comma is none, as it groups the thousands of amounts and counts.
_SPACE = "[ \t\u00a0\u2009\u202f]"
_SEP = rf"(?:{_SPACE}?[-./\u2010-\u2013]{_SPACE}?|{_SPACE}{{1,3}})"
_GROUP = rf"(?:\([{_D}]{{1,5}}\)|[{_D}]++)"
# Letters may touch a number: Hebrew writes a preposition in front of it (ל054...), and a number
# glued to a word ("tel0712345678", "ACC12345678") is as personal as a spaced one. Possessive
# groups keep the scan from ever backtracking into the digits.
_NUMBER = re.compile(rf"(?<![{_D}+])(?:\+{_SPACE}?)?{_GROUP}(?:(?:{_SEP}|(?<=\))){_GROUP})*+")
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DATE = re.compile(
    rf"{_DAY}([./-]){_MONTH}\1(?:19|20)?[0-9]{{2}}"
    rf"|{_MONTH}([./-]){_DAY}\2(?:19|20)[0-9]{{2}}"
    rf"|(?:19|20|13|14)[0-9]{{2}}([./-]){_MONTH}\3{_DAY}"
)
# Starting only where a run of address characters starts keeps the scan linear. Letters of any
# script but Hebrew and Arabic, which glue a preposition to the address (ל + jane@...), every
# character RFC 5322 allows unquoted in the local part, and the fullwidth at sign.
_LOCAL = r"(?:(?![\u0590-\u06ff])[\w.%+'!#$&*/=?^`{|}~-])"
_AT = "[@\uff20]"
_EMAIL = re.compile(
    rf"(?<!{_LOCAL}){_LOCAL}++{_AT}[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{{2,}}(?![\w-])"
)
_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९０１２３４５６７８９", "0123456789" * 4
)
_NON_DIGIT = re.compile(r"[^0-9]")
# An amount is no phone number, however long ("۱۲۰۰۰۰۰ تومان", "KES 1 250 000"): a currency
# right before or after a number of at most 12 digits that starts with neither 0 nor "+" keeps it.
# "$" and "₱" only count in front, where they are written, so "0712345678 $50" loses the number.
_UNIT = (
    r"(?:€|£|₪|﷼|usd|eur|kes|ksh|tzs|tsh|ugx|php|ils|nis|dollars?|shillings?|shilingi|pesos?"
    r"|tomans?|rials?|تومان|ریال|شيكل|שקל|שקלים|ש\"ח|ש״ח)"
)
_CURRENCY_AFTER = re.compile(rf"[ \u00a0]?{_UNIT}(?!\w)", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(rf"(?:\$|₱|(?<!\w){_UNIT}\.?)[ \u00a0]?$", re.IGNORECASE)
_MAX_AMOUNT_DIGITS = 12
# "order 100234567", "oda namba 4567890", "הזמנה מס' 7654321", "شماره سفارش ۱۲۳۴۵۶۷۸": such a
# word, then at most a few of the words that name a number, right before it. Nothing looser: in
# "my order, call 5551234567" the number must go.
_REFERENCE_BEFORE = re.compile(
    r"(?:(?<![a-z])(?:order|oda|ticket|tiket|ref|reference|invoice|receipt|tracking|case|sku)"
    r"|הזמנה|פנייה|משלוח|קריאה|سفارش|رهگیری|پیگیری|فاکتور|#)"
    r"(?:[\s:.'\u05f3#-]{0,3}(?:number|no|nr|num|id|namba|nambari|ya|yangu|ko|ay|is|מס|מספר|שלי"
    r"|شماره|من|کد))*[\s:.'\u05f3#-]{0,3}$",
    re.IGNORECASE,
)
# What redact() leaves behind, for other steps that must not read the placeholders as words.
PLACEHOLDER = re.compile(r"<(?:email|phone|card)>")
_MIN_PHONE_DIGITS = 7
_CARD_DIGITS = range(13, 20)
_MAX_PHONE_DIGITS = 15


@dataclass(frozen=True, slots=True)
class Redacted:
    """The text with placeholders, and how many of each kind were replaced (kinds with none are
    left out)."""

    text: str
    counts: dict[str, int]


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a string of ASCII digits, as every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _is_amount_or_reference(text: str, start: int, end: int) -> bool:
    return bool(
        _CURRENCY_AFTER.match(text, end)
        or _CURRENCY_BEFORE.search(text[max(0, start - 8) : start])
        or _REFERENCE_BEFORE.search(text[max(0, start - 40) : start])
    )


def _kind(match: re.Match[str]) -> str | None:
    number = match.group().translate(_DIGITS)
    digits = _NON_DIGIT.sub("", number)
    n = len(digits)
    if n < _MIN_PHONE_DIGITS or _DATE.fullmatch(number):
        return None
    if number[0] == "+" or digits[0] == "0":
        return "phone"
    if n <= _MAX_AMOUNT_DIGITS and _is_amount_or_reference(
        match.string, match.start(), match.end()
    ):
        return None
    if n not in _CARD_DIGITS:
        return "phone"
    if luhn_ok(digits):
        return "card"
    return "phone" if n <= _MAX_PHONE_DIGITS else "card"


def redact_emails(text: str) -> str:
    """text with its email addresses replaced by <email>, numbers left as they are."""
    if "@" not in text and "\uff20" not in text:
        return text
    return _EMAIL.sub("<email>", text)


def redact(text: str) -> Redacted:
    """text with emails, phone numbers and card-like numbers replaced by <email>, <phone> and
    <card>; the rest of it, spacing included, as it was."""
    counts: dict[str, int] = {}

    def email(_: re.Match[str]) -> str:
        counts["email"] = counts.get("email", 0) + 1
        return "<email>"

    def number(match: re.Match[str]) -> str:
        kind = _kind(match)
        if kind is None:
            return match.group()
        counts[kind] = counts.get(kind, 0) + 1
        return f"<{kind}>"

    if "@" in text or "\uff20" in text:
        text = _EMAIL.sub(email, text)
    text = _NUMBER.sub(number, text)
    return Redacted(text, counts)
