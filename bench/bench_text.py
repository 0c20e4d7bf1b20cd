"""Feedback text speed: analyse_comment (redact, detect the language, tag themes) on short comments
in English, Swahili, Hebrew, Tagalog and Persian, a third of them carrying personal data; once with
the language detected, once with it given, and each step alone.

Run: .venv/bin/python -m bench.bench_text [--comments 20000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from streams.text import analyse_comment, detect_language, redact, tag_themes

SAMPLES = [
    ("en", "I waited over an hour on hold and the agent was rude, call me on +1 555 123 4567"),
    ("en", "The app keeps crashing every time I try to log in."),
    ("en", "Charged twice on card 4111 1111 1111 1111 and still no refund."),
    ("sw", "Nilisubiri kwa muda mrefu sana kabla ya kuhudumiwa."),
    ("sw", "Nimekatwa pesa mara mbili, nipigie 0712 345 678 tafadhali."),
    ("sw", "Mhudumu alikuwa mkarimu na tatizo limetatuliwa haraka."),
    ("he", "חיכיתי שעה וחצי בתור והנציג היה גס רוח"),
    ("he", "חייבו אותי פעמיים, כתבו לי ל-dana@example.co.il"),
    ("he", "האפליקציה קורסת כל פעם שאני מנסה להתחבר"),
    ("tl", "Matagal akong naghintay sa pila bago ako naasikaso."),
    ("tl", "Dalawang beses akong siningil, tawagan niyo ako sa 0917 123 4567 po."),
    ("tl", "Sira na ang produkto pagdating sa bahay namin."),
    ("fa", "یک ساعت منتظر ماندم و مشکل حل نشد"),
    ("fa", "پول کم شد ولی سفارش ثبت نشد، شماره من ۰۹۱۲۳۴۵۶۷۸۹"),
    ("fa", "سایت شما خیلی کند است و صفحه پرداخت باز نمی‌شود"),
    ("en", "The courier left my parcel at the wrong address, order 100234567"),
    ("he", "השליח השאיר את החבילה בחוץ, הזמנה מס' 7654321"),
]


def rate(n: int, run: Callable[[], object]) -> str:
    started = time.perf_counter()
    run()
    return f"{n / (time.perf_counter() - started):>9,.0f} comments/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=20_000)
    n = parser.parse_args().comments
    comments = [SAMPLES[i % len(SAMPLES)] for i in range(n)]
    # Suffixes make every comment distinct, so that no cache anywhere flatters the numbers.
    comments = [(lang, f"{text} #{i}") for i, (lang, text) in enumerate(comments)]

    started = time.perf_counter()
    detect_language("loads the language model")
    print(f"language model loaded in {time.perf_counter() - started:.2f} s")
    print(f"{n} comments, {sum(len(t) for _, t in comments) / n:.0f} characters each")
    languages = ("en", "sw", "he", "tl", "fa")
    print(
        "analyse_comment, language detected: "
        + rate(n, lambda: [analyse_comment(text, None, languages) for _, text in comments])
    )
    print(
        "analyse_comment, language given:    "
        + rate(n, lambda: [analyse_comment(text, lang) for lang, text in comments])
    )
    print(
        "redact:                             "
        + rate(n, lambda: [redact(text) for _, text in comments])
    )
    print(
        "detect_language:                    "
        + rate(n, lambda: [detect_language(text) for _, text in comments])
    )
    print(
        "tag_themes:                         "
        + rate(n, lambda: [tag_themes(text, lang) for lang, text in comments])
    )


if __name__ == "__main__":
    main()
