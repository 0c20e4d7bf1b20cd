# Hebrew and Arabic letters look like Latin ones to RUF001; they are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from streams.text import THEMES, analyse_comment, tag_themes
from streams.text.lexicon import LANGUAGES, LEXICON
from streams.text.themes import normalize

W, B, S, Q, R, U, D = (
    "waiting_time",
    "billing",
    "staff_attitude",
    "product_quality",
    "resolution",
    "usability",
    "delivery",
)

# (language, comment, themes): at least three comments per theme and language, comments with
# several themes, and comments with none.
COMMENTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("en", "I waited over an hour on hold before anyone picked up.", (W,)),
    ("en", "Took forever to get through, terrible experience.", (W,)),
    ("en", "The queue at the branch was ridiculous today.", (W,)),
    ("en", "Delivery was delayed by a week with no explanation.", (D, W)),
    ("en", "I was charged twice this month and still have no refund.", (B,)),
    ("en", "Why is my bill so high this month?", (B,)),
    ("en", "Hidden fees everywhere, the price is not what you advertised.", (B,)),
    ("en", "The agent was rude and hung up on me twice.", (S,)),
    ("en", "Staff were friendly and helpful, very happy with the visit.", (S,)),
    ("en", "Your representative was unprofessional and arrogant.", (S,)),
    ("en", "My order arrived damaged and the box was soaking wet.", (D, Q)),
    ("en", "Quality of the product has gone down a lot lately.", (Q,)),
    ("en", "The kettle is defective, it stopped working after two days.", (Q,)),
    ("en", "Great service, the issue was fixed in minutes, thank you!", (R,)),
    ("en", "Still not resolved after three calls, really disappointed.", (R,)),
    ("en", "They solved my problem on the first call.", (R,)),
    ("en", "The app keeps crashing every time I try to log in.", (U,)),
    ("en", "The website is so confusing, I couldn't find the payment page.", (B, U)),
    ("en", "Password reset button does nothing on your site.", (U,)),
    (
        "en",
        "Waited 40 minutes, the agent was rude and my refund is still not processed.",
        (B, S, W),
    ),
    # "user-friendly" is about the app, not the staff.
    ("en", "The app is very user-friendly and checkout was quick.", (U,)),
    # A late fee is billing, not waiting.
    ("en", "Thanks for waiving the late fee on my account.", (B,)),
    ("en", "Lovely day, nothing more to add from my side.", ()),
    ("en", "Nobody answered my emails, very poor support.", ()),
    ("sw", "Nilisubiri kwa muda mrefu sana kabla ya kuhudumiwa.", (W,)),
    ("sw", "Foleni ilikuwa ndefu sana na huduma ilikuwa polepole.", (W,)),
    ("sw", "Mzigo wangu umechelewa kwa wiki mbili sasa.", (D, W)),
    ("sw", "Tulingoja masaa matatu bila msaada wowote.", (W,)),
    ("sw", "Gharama za malipo haya ni kubwa mno.", (B,)),
    ("sw", "Huduma kwa wateja ni nzuri lakini bei iko juu.", (B,)),
    ("sw", "Nimetozwa ada mara mbili kwenye bili ya mwezi huu.", (B,)),
    ("sw", "Nimekatwa pesa mara mbili na bado sijarejeshewa.", (B,)),
    ("sw", "Mhudumu alikuwa mkarimu na alinisaidia haraka.", (S,)),
    ("sw", "Wafanyakazi hawana adabu, walinijibu kwa jeuri.", (S,)),
    ("sw", "Karani wa tawi hili alinidharau mbele ya wateja wengine.", (S,)),
    ("sw", "Bidhaa niliyopokea ni mbovu na imeharibika kabisa.", (Q,)),
    ("sw", "Ubora wa bidhaa zenu umeshuka sana mwaka huu.", (Q,)),
    ("sw", "Simu ilivunjika siku ya pili baada ya kununua.", (Q,)),
    ("sw", "Tatizo langu limetatuliwa, asante sana kwa huduma nzuri.", (R,)),
    ("sw", "Bado tatizo halijatatuliwa baada ya wiki mbili.", (R,)),
    ("sw", "Fundi alirekebisha router yangu siku hiyo hiyo.", (R,)),
    ("sw", "Changamoto yangu haijatatuliwa hadi leo.", (R,)),
    ("sw", "Programu inakataa kuingia kila ninapojaribu.", (U,)),
    ("sw", "Tovuti yenu haifunguki kwenye simu yangu.", (U,)),
    ("sw", "Nimesahau nenosiri na ukurasa wa kubadilisha haufanyi kazi.", (U,)),
    ("sw", "App yenu inakwama kila mara ninapolipa.", (B, U)),
    ("sw", "Nilisubiri saa nzima, mhudumu alikuwa na jeuri na tatizo halijatatuliwa.", (R, S, W)),
    ("sw", "Asante kwa kunitembelea, nimefurahi sana.", ()),
    ("he", "חיכיתי שעה וחצי בתור עד שמישהו ענה לי", (W,)),
    ("he", "השירות היה איטי וההמתנה ארוכה מדי", (W,)),
    ("he", "המשלוח התעכב שבועיים בלי שום הודעה", (D, W)),
    ("he", "חייבו אותי פעמיים ועדיין לא קיבלתי החזר", (B,)),
    ("he", "המחיר בחשבונית לא תואם את מה שסוכם", (B,)),
    ("he", "העמלות החודשיות גבוהות ולא מוצדקות", (B,)),
    ("he", "שילמתי על שירות שלא קיבלתי בכלל", (B,)),
    ("he", "הנציגה הייתה אדיבה מאוד ועזרה לי מהר", (S,)),
    ("he", "הנציג היה גס רוח וחסר סבלנות", (S,)),
    ("he", "הצוות בסניף מקצועי ונעים מאוד", (S,)),
    # "בתור לקוח" is "as a customer": no queue.
    ("he", "בתור לקוח ותיק אני מאוכזב מהיחס שקיבלתי", (S,)),
    ("he", "המוצר הגיע שבור והאריזה הייתה פגומה", (D, Q)),
    ("he", "איכות המוצר ירדה מאוד בשנה האחרונה", (Q,)),
    ("he", "המכשיר התקלקל אחרי שבוע אחד בלבד", (Q,)),
    ("he", "הבעיה נפתרה תוך כמה דקות, תודה רבה", (R,)),
    ("he", "כבר שבועיים והבעיה עדיין לא נפתרה", (R,)),
    ("he", "הטכנאי תיקן את התקלה כבר בביקור הראשון", (R,)),
    ("he", "האפליקציה קורסת כל פעם שאני מנסה להתחבר", (U,)),
    ("he", "האתר לא נטען ואי אפשר לבצע הזמנה", (U,)),
    ("he", "שכחתי סיסמה ואין דרך לשחזר אותה", (U,)),
    ("he", "חיכיתי שעה, הנציג היה חצוף והבעיה לא נפתרה", (R, S, W)),
    # "ביחס ל" is "relative to".
    ("he", "ביחס למחיר המוצר בסדר גמור", (B,)),
    ("he", "תודה רבה לכם, הכל היה מצוין", ()),
    ("tl", "Matagal akong naghintay sa pila bago ako naasikaso.", (W,)),
    ("tl", "Ang tagal ng delivery, tapos ang bagal pa ng app.", (D, U, W)),
    ("tl", "Naantala ang order ko nang isang linggo.", (W,)),
    ("tl", "Dalawang oras kaming pinaghintay sa branch ninyo.", (W,)),
    ("tl", "Dalawang beses akong siningil pero wala pa ring refund.", (B,)),
    ("tl", "Sobrang mahal ng presyo at may dagdag na bayad pa.", (B,)),
    ("tl", "Mali ang halaga sa resibo na ibinigay sa akin.", (B,)),
    ("tl", "Napakabait ng ahente at mabilis niya akong tinulungan.", (S,)),
    ("tl", "Ang bastos ng staff sa branch ninyo.", (S,)),
    ("tl", "Magalang at maalaga ang mga empleyado dito.", (S,)),
    ("tl", "Ang sungit ng cashier kanina, parang galit sa amin.", (S,)),
    ("tl", "Sira na ang produkto pagdating sa bahay namin.", (Q,)),
    ("tl", "Mababa ang kalidad ng mga bagong produkto ninyo.", (Q,)),
    ("tl", "Basag ang screen ng cellphone pagbukas ko ng kahon.", (Q,)),
    ("tl", "Naayos na ang problema ko, salamat po sa tulong.", (R,)),
    ("tl", "Hindi pa rin naaayos ang koneksyon ko hanggang ngayon.", (R,)),
    ("tl", "Nalutas agad ng technician ang isyu namin.", (R,)),
    ("tl", "Ayaw gumana ng app, hindi ako makapag-login.", (U,)),
    ("tl", "Nakakalito gamitin ang website ninyo.", (U,)),
    ("tl", "Hindi ma-click yung button sa pahina ng bayaran.", (B, U)),
    (
        "tl",
        "Naghintay ako ng isang oras, bastos pa ang ahente at hindi naayos ang problema.",
        (R, S, W),
    ),
    ("tl", "Salamat po, babalik ulit kami dito.", ()),
    ("fa", "یک ساعت پشت خط منتظر ماندم تا کسی جواب داد", (W,)),
    ("fa", "صف خیلی طولانی بود و کارها کند پیش می‌رفت", (W,)),
    ("fa", "ارسال سفارش یک هفته تاخیر داشت", (D, W)),
    ("fa", "خیلی طول کشید تا جواب بدهند", (W,)),
    ("fa", "مبلغ صورتحساب این ماه اشتباه محاسبه شده است", (B,)),
    ("fa", "دو بار از حسابم پول کم شد و هنوز بازپرداخت نکردید", (B,)),
    ("fa", "قیمت‌ها نسبت به ماه قبل خیلی گران شده", (B,)),
    ("fa", "کارمند شما خیلی مودب و با حوصله بود", (S,)),
    ("fa", "برخورد پشتیبان بسیار بد و بی‌ادبانه بود", (S,)),
    ("fa", "اپراتور تلفن را قطع کرد و رفتار زشتی داشت", (S,)),
    ("fa", "کیفیت محصول خیلی پایین است و زود خراب شد", (Q,)),
    ("fa", "دستگاه معیوب بود و باید تعویض می‌شد", (Q,)),
    ("fa", "بسته رسید ولی لیوان‌ها شکسته بودند", (D, Q)),
    ("fa", "مشکلم خیلی سریع حل شد، ممنون از شما", (R,)),
    ("fa", "بعد از دو هفته هنوز مشکل من حل نشده است", (R,)),
    ("fa", "قطعی اینترنت من همان روز برطرف شد", (R,)),
    ("fa", "اپلیکیشن موقع ورود مدام بسته می‌شود", (U,)),
    ("fa", "سایت شما خیلی کند است و صفحه پرداخت باز نمی‌شود", (B, U)),
    ("fa", "رمز عبور را عوض کردم ولی باز هم نمی‌توانم وارد شوم", (U,)),
    ("fa", "وبسایت‌تان خیلی گیج‌کننده است", (U,)),
    ("fa", "نیم ساعت منتظر ماندم، کارمند بی ادب بود و مشکلم حل نشد", (R, S, W)),
    # Typed on an Arabic keyboard: ك and ي for ک and ی.
    ("fa", "كيفيت محصول خوب نبود و خراب شد", (Q,)),
    # Planning ("برنامه‌ریزی") of a delivery is no app ("برنامه").
    ("fa", "برنامه‌ریزی تحویل عالی بود", (D,)),
    ("fa", "از خرید راضی هستم، ممنون", ()),
]


@pytest.mark.parametrize(("language", "text", "themes"), COMMENTS)
def test_themes(language: str, text: str, themes: tuple[str, ...]) -> None:
    assert tag_themes(text, language) == themes


@pytest.mark.parametrize(("language", "text", "themes"), COMMENTS)
def test_analysis_detects_the_language_then_tags(
    language: str, text: str, themes: tuple[str, ...]
) -> None:
    analysis = analyse_comment(text, None)
    assert (analysis.language, analysis.themes) == (language, themes)


def test_every_theme_has_a_lexicon_in_every_language() -> None:
    assert set(LEXICON) == set(THEMES)
    for by_language in LEXICON.values():
        assert set(by_language) == set(LANGUAGES)


@pytest.mark.parametrize(
    ("language", "text", "themes"),
    [
        # English words count in every language: loanwords and code-switching.
        ("tl", "Grabe, the agent was so rude sa akin", (S,)),
        ("tl", "na-charge ako ng dalawang beses", (B,)),
        ("sw", "Nimeomba refund mara tatu", (B,)),
        ("he", "ה-app לא עובד", (U,)),
    ],
)
def test_english_applies_to_other_languages(
    language: str, text: str, themes: tuple[str, ...]
) -> None:
    assert tag_themes(text, language) == themes


@pytest.mark.parametrize("language", [None, "es", "xx"])
def test_without_a_known_language_every_lexicon_is_tried(language: str | None) -> None:
    assert tag_themes("חיכיתי שעה והנציג היה גס", language) == (S, W)
    assert tag_themes("پرداخت انجام نشد", language) == (B,)
    assert tag_themes("Naghintay ako", language) == (W,)


@pytest.mark.parametrize(
    "text",
    [
        "הַמְתָּנָה אֲרֻכָּה",  # with niqqud
        "ההמתנה ארוכה",  # one prefix letter
        "וההמתנה ארוכה",  # two prefix letters
    ],
)
def test_hebrew_niqqud_and_prefixes(text: str) -> None:
    assert tag_themes(text, "he") == (W,)


@pytest.mark.parametrize("text", ["کارمند بی‌ادب بود", "کارمند بی ادب بود", "کارمند بیادب بود"])
def test_persian_compounds_with_zwnj_space_or_joined(text: str) -> None:
    assert tag_themes(text, "fa") == (S,)


def test_stems_match_word_starts_not_the_middle_of_other_words() -> None:
    # "app" is not in "happy" or "apply", "bill" not in "billion".
    assert tag_themes("Happy to apply for a billion things", "en") == ()
    # Hebrew: "זמן" (time) is not in "הזמנה" (order).
    assert tag_themes("ההזמנה הגיעה", "he") == ()


def test_placeholders_are_no_theme_words() -> None:
    assert tag_themes("<email> <phone> <card>", None) == ()


def test_normalize() -> None:
    assert normalize("Café  LOG-IN") == "cafe  log in"
    assert normalize("חשבון") == "חשבונ"
    assert normalize("كيفيت\u200cها") == "کیفیت ها"
    assert normalize("تأخیر") == "تاخیر"
