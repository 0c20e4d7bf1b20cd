from __future__ import annotations

import pytest

from streams.text import analyse_comment, detect_language, redact, tag_themes
from streams.text.redact import luhn_ok


@pytest.mark.parametrize(
    ("text", "expected", "counts"),
    [
        ("mail me: jane.doe+cx@example.co.uk!", "mail me: [email]!", {"email": 1}),
        ("call +1 (555) 123-4567 today", "call [phone] today", {"phone": 1}),
        ("nipigie 0712 345 678 tafadhali", "nipigie [phone] tafadhali", {"phone": 1}),
        ("שלחו ל-054-123-4567", "שלחו ל-[phone]", {"phone": 1}),
        ("شماره ۰۹۱۲۳۴۵۶۷۸۹ من", "شماره [phone] من", {"phone": 1}),
        ("card 4111 1111 1111 1111 charged", "card [card] charged", {"card": 1}),
        ("ang card ko 5500-0000-0000-0004", "ang card ko [card]", {"card": 1}),
    ],
)
def test_personal_data_is_redacted(text: str, expected: str, counts: dict[str, int]) -> None:
    result = redact(text)
    assert (result.text, result.counts) == (expected, counts)


@pytest.mark.parametrize(
    "text", ["order 12345 came in 3 days", "9/10 would recommend", "waited 45 minutes in 2026"]
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert redact(text).text == text


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The agent was very helpful and fixed my bill", "en"),
        ("I waited two hours on the phone, not good", "en"),
        ("Nilisubiri muda mrefu sana kwa huduma", "sw"),
        ("Asante, tatizo limetatuliwa haraka", "sw"),
        ("חיכיתי שעה בתור והנציג היה אדיב", "he"),
        ("Matagal akong naghintay sa pila", "tl"),
        ("Salamat po, mabait ang ahente", "tl"),
        ("خیلی منتظر ماندم و مشکل حل نشد", "fa"),
        ("کیفیت محصول خوب بود", "fa"),
    ],
)
def test_language_of_short_comments(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_no_guess_without_evidence() -> None:
    assert detect_language("") is None
    assert detect_language("xyzzy qwerty") is None


@pytest.mark.parametrize(
    ("text", "language", "themes"),
    [
        ("Waited forever on hold and was charged twice", "en", ("billing", "waiting_time")),
        ("The app keeps crashing at login", "en", ("usability",)),
        ("Mhudumu alikuwa mkarimu, tatizo limetatuliwa", "sw", ("resolution", "staff_attitude")),
        ("המוצר הגיע שבור והחיוב כפול", "he", ("billing", "product_quality")),
        ("Sira ang produkto, hindi naayos", "tl", ("product_quality", "resolution")),
        ("پرداخت در سایت کار نمی‌کند", "fa", ("billing", "usability")),
        ("Lovely day", "en", ()),
    ],
)
def test_themes(text: str, language: str, themes: tuple[str, ...]) -> None:
    assert tag_themes(text, language) == themes


def test_analysis_works_on_the_redacted_text_only() -> None:
    result = analyse_comment("Refund to jane@example.com please, call 0712 345 678", None)
    assert result.redacted_text == "Refund to [email] please, call [phone]"
    assert "jane" not in repr(result)
    assert result.themes == ("billing",)
    assert result.redactions == {"email": 1, "phone": 1}
