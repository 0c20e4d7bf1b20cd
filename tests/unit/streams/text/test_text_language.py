from __future__ import annotations

import pytest

from streams.text import detect_language, normalize_language
from streams.text.language import DEFAULT_LANGUAGES

# Short comments as customers write them (5 to 20 words), code-switching included. The theme
# tests check detection on another 118.
COMMENTS: dict[str, list[str]] = {
    "en": [
        "Nobody answered my emails, very poor support.",
        "The delivery guy was rude and threw the parcel at my door.",
        "Best support ever, thanks guys, you sorted it in minutes!",
        "Your app is useless now, it logs me out every day.",
        "Still waiting for my refund after two weeks.",
        "Excellent, fast and friendly, will definitely come back.",
        "I can't believe how long it took to get a reply.",
        "Login page does not load on my phone.",
        "Agent was very kind and explained everything clearly.",
        "Broken on arrival, I want a replacement not a voucher.",
        "Why do I have to call three times for the same issue?",
        "Prices went up again and the service got worse.",
    ],
    "sw": [
        "Asante sana kwa huduma nzuri, nimeridhika kabisa.",
        "Nilisubiri saa mbili bila msaada wowote kutoka kwenu.",
        "Programu haifanyi kazi tangu jana usiku.",
        "Mhudumu alikuwa na jeuri sana na hakunisikiliza.",
        "Nataka kurejeshewa pesa zangu haraka iwezekanavyo.",
        "Customer care yenu ni mbaya, hakuna anayejibu simu.",
        "Bado sijapata refund yangu hadi leo.",
        "Huduma mbaya, sitarudi tena kwenye duka hili.",
        "Wahudumu wenu ni wakarimu na wanajua kazi yao.",
        "Mbona mnanitoza mara mbili kwa huduma moja?",
        "Tafadhali nisaidieni, akaunti yangu imefungwa bila sababu.",
        "Simu niliyonunua imeharibika baada ya wiki moja tu.",
    ],
    "he": [
        "השירות היה מעולה, תודה רבה לנציגה",
        "אני מחכה כבר שלושה שבועות להחזר הכספי",
        "האתר שלכם מסורבל ולא ברור איפה משלמים",
        "לא ייתכן שאין מענה טלפוני במשך שעה",
        "קיבלתי מוצר פגום ואף אחד לא חוזר אליי",
        "ה-app נתקע בכל פעם שאני מנסה לשלם",
        "הנציג פתר לי את הבעיה בשיחה אחת",
        "המחירים עלו ואיכות השירות ירדה",
        "יחס מזלזל, לא אחזור לסניף הזה",
        "תודה על הטיפול המהיר והמקצועי",
        "חויבתי על מנוי שביטלתי לפני חודש",
        "המשלוח הגיע באיחור של שבוע",
    ],
    "tl": [
        "Salamat po sa mabilis na serbisyo ninyo.",
        "Ang tagal ko naghintay sa linya bago may sumagot.",
        "Hindi gumagana yung app niyo simula kahapon.",
        "Ang bait ng ahente, salamat po ulit.",
        "Sira yung item pagdating, paki-palitan po.",
        "Bakit ang laki ng bill ko ngayong buwan?",
        "Grabe ang bagal ng refund niyo, isang buwan na.",
        "Okay naman po ang serbisyo pero medyo matagal.",
        "Laging nag-crash yung app pag nagbabayad ako.",
        "Wala pa rin yung refund ko hanggang ngayon.",
        "Hindi ako makapag-login sa account ko, pakitulungan po.",
        "Sobrang sungit ng guard sa branch ninyo sa Makati.",
    ],
    "fa": [
        "از خدمات شما خیلی راضی هستم، ممنون",
        "سه روز است منتظر پاسخ پشتیبانی هستم",
        "پول را پرداخت کردم ولی سفارش ثبت نشد",
        "کارشناس تلفنی خیلی با حوصله راهنمایی کرد",
        "کالا آسیب دیده به دستم رسید",
        "اپلیکیشن بعد از آپدیت اصلا باز نمی‌شود",
        "چرا هزینه ارسال این قدر زیاد است؟",
        "مشکل من بعد از یک ماه هنوز پیگیری نشده",
        "رفتار فروشنده خیلی زننده بود",
        "بسته خیلی دیر رسید و جعبه پاره بود",
        "ممنون از پیگیری سریع شما",
        "چند بار تماس گرفتم ولی کسی جواب نداد",
    ],
}


@pytest.mark.parametrize(
    ("text", "language"),
    [(text, language) for language, texts in COMMENTS.items() for text in texts],
)
def test_short_comments(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Persian typed on an Arabic keyboard (ي, ك), and Persian without a Persian-only letter.
        ("كيفيت محصول خوب بود ولي ارسال دير شد", "fa"),
        ("ممنون از شما", "fa"),
        # Arabic is not Persian.
        ("الخدمة كانت سيئة جدا ولم يتم حل المشكلة", "ar"),
        ("انتظرت ساعة كاملة في الطابور", "ar"),
        ("شكرا على المساعدة، الموظف كان محترما", "ar"),
        # Urdu has letters of its own.
        ("میں نے ایک گھنٹہ انتظار کیا لیکن کوئی جواب نہیں ملا", "ur"),
        # Other languages are named too.
        ("El servicio fue muy malo y muy lento", "es"),
        ("Le service client est vraiment nul", "fr"),
        ("Der Kundenservice war sehr freundlich", "de"),
        ("Het is niet zo goed want de app was traag", "nl"),
        ("Pelayanan sangat lambat dan petugasnya kasar", "id"),
        ("Очень долго ждал ответа оператора", "ru"),
        ("Il servizio clienti non risponde mai", "it"),
        ("O atendimento foi péssimo, demorou muito", "pt"),
        ("Müşteri hizmetleri çok yavaş ve kaba", "tr"),
        # Scripts without spaces between words: one "word" is a whole comment.
        ("サポートの対応がとても遅かった", "ja"),
        ("客服态度很差等了一个小时", "zh"),
        ("บริการแย่มากรอนานเกินไป", "th"),
        # Mostly one script wins over a few words of another.
        ("האפליקציה של Touchstream לא עובדת", "he"),
        # Personal data placeholders are no English words.
        ("Nipigie <phone> au <email> tafadhali", "sw"),
    ],
)
def test_scripts_and_other_languages(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Two or three words: the word vote decides where the model would guess a neighbour.
        ("Too slow", "en"),
        ("Mbaya sana", "sw"),
        ("Salamat po", "tl"),
        ("Ang tagal po", "tl"),
        ("Huduma nzuri sana", "sw"),
        # One word is enough in Hebrew or Arabic script.
        ("תודה", "he"),
    ],
)
def test_very_short_comments(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text", ["", "   ", "ok", "!!!", "12345", "Asante", "xyzzy qwerty", "<phone>"]
)
def test_und_without_enough_text(text: str) -> None:
    assert detect_language(text) == "und"


@pytest.mark.parametrize(
    "text",
    [
        # Swahili and English clauses about evenly.
        "Huduma yenu ni mbaya sana, the agent was rude and hung up on me",
        "Salamat po sa tulong ninyo, but the app is still not working",
        # Hebrew and Latin letters about evenly, or English with a Persian clause.
        "The service was slow and השירות היה איטי",
        "The app is broken again and اپ خراب است",
    ],
)
def test_und_for_mixed_comments(text: str) -> None:
    assert detect_language(text) == "und"


@pytest.mark.parametrize(
    ("text", "unrestricted"),
    [
        ("El servicio fue muy malo y muy lento", "es"),
        ("Der Kundenservice war sehr freundlich", "de"),
        ("الخدمة كانت سيئة جدا ولم يتم حل المشكلة", "ar"),
        ("Очень долго ждал ответа оператора", "ru"),
    ],
)
def test_restricted_to_the_configured_languages(text: str, unrestricted: str) -> None:
    # Outside the configured languages the answer is "und", not the nearest configured one.
    assert detect_language(text) == unrestricted
    assert detect_language(text, DEFAULT_LANGUAGES) == "und"
    assert detect_language(text, (*DEFAULT_LANGUAGES, unrestricted)) == unrestricted


def test_configured_languages_are_still_detected() -> None:
    assert detect_language("Nilisubiri kwa muda mrefu sana", ("sw",)) == "sw"
    assert detect_language("Nilisubiri kwa muda mrefu sana", ("en", "he")) == "und"


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("en", "en"),
        ("EN-us", "en"),
        ("en_US.UTF-8", "en"),
        ("sw-KE", "sw"),
        ("iw", "he"),
        ("he-IL", "he"),
        ("fil", "tl"),
        ("tl-PH", "tl"),
        ("fa-IR", "fa"),
        ("pes", "fa"),
        ("zh-Hant-TW", "zh"),
        (" ar ", "ar"),
        ("und", None),
        ("", None),
        (None, None),
        ("english", None),
        ("e", None),
        ("12", None),
    ],
)
def test_normalize_language(tag: str | None, language: str | None) -> None:
    assert normalize_language(tag) == language
