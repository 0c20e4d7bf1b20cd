"""Words that tag a comment with a theme, per theme and language.

An entry is one word or a phrase of consecutive words, matched after the normalisation in
streams.text.themes (so case, accents, niqqud, hamza, Hebrew final letters and ZWNJ do not matter):

- "word" matches that whole word only;
- "stem*" matches words that start with stem, "*stem" words that end with it, "*stem*" words that
  contain it (Swahili and Tagalog put tense, person and focus affixes before and inside the root);
- "!phrase" is an exception: text it matches does not count for the theme ("user friendly" is not
  about staff);
- Hebrew entries also match after one or two of the prefix letters ו ה ב ל מ ש כ ("וההמתנה");
- the words of a Persian phrase may be written apart, with a ZWNJ or joined ("بی‌ادب", "بی ادب",
  "بیادب").

English also applies to comments in the other languages: English loanwords and whole English
clauses are everyday in Swahili and Tagalog comments ("app", "refund", "na-charge ako"), so those
lexicons hold native words only.

Generic words that do not say what a comment is about stay out, even where they would often fit:
"service", "product", "problem", "שירות", "bidhaa", "محصول". So do words with a common unrelated
sense: "kind" ("what kind of"), "waiter", "charger", "maayos" ("fine" besides "fixed"), "sana"
("very" in Swahili, "hopefully" in Tagalog), "کند" ("slow", but also "does").
"""

# Hebrew and Arabic letters look like Latin ones to RUF001 and RUF002; they are meant.
# ruff: noqa: RUF001, RUF002

from __future__ import annotations

THEMES = ("waiting_time", "billing", "staff_attitude", "product_quality", "resolution", "usability")
LANGUAGES = ("en", "sw", "he", "tl", "fa")

# A table, not one entry a line.
# fmt: off
LEXICON: dict[str, dict[str, tuple[str, ...]]] = {
    "waiting_time": {
        "en": (
            "wait", "waits", "waited", "waiting", "await*", "queue*", "on hold", "hold time",
            "hold music", "slow*", "forever", "hours", "ages", "delay*", "late", "too long",
            "so long", "long time", "took long", "takes long", "response time", "!late fee*",
        ),
        "sw": (
            "*subiri*", "*ngojea*", "nilingoja", "tulingoja", "kungoja", "foleni", "muda mrefu",
            "*chelew*", "*kawia",
            "polepole", "pole pole", "masaa", "siku nyingi",
        ),
        "he": (
            "המתנ*", "המתינ*", "ממתינ*", "ממתין", "חיכ*", "מחכה", "מחכים", "לחכות", "תור",
            "תורים", "זמן", "איטי*", "לאט", "שעות", "עיכוב*", "מתעכב*", "התעכב*", "עוכב*",
            # "בתור לקוח" is "as a customer", not "in the queue".
            "!בתור לקוח*",
        ),
        "tl": (
            "*hintay*", "antay*", "naantay*", "inantay*", "pila", "nakapila", "pumila", "pumipila",
            "*tagal", "*bagal", "*antala*", "ilang oras",
        ),
        "fa": (
            "انتظار*", "منتظر*", "صف", "صف‌ها", "طول کشید*", "طول می‌کش*", "معطل*", "تاخیر*",
            "دیر", "طولانی", "ساعت‌ها",
        ),
    },
    "billing": {
        "en": (
            "bill", "bills", "billed", "billing", "charge", "charges", "charged", "charging",
            "overcharg*", "surcharge*", "refund*", "invoice*", "price*", "pricing", "pricey", "fee",
            "fees", "payment*", "pay", "paid", "paying", "cost", "costs", "costly", "expensive",
            "money", "debit*", "receipt*",
        ),
        "sw": (
            "bili", "malipo", "*lipa", "*lipwa", "*lipishw*", "*toza*", "*tozwa", "pesa", "fedha",
            "gharama", "*rejeshew*", "*rudishiw*", "bei", "ada", "ankara", "salio", "makato",
        ),
        "he": (
            "חשבון", "חשבונות", "חשבונית*", "חיוב*", "חייבו", "חויב*", "תשלום*", "תשלומים",
            "שילמתי", "שילמנו", "לשלם", "החזר", "החזרים", "זיכוי", "זיכו", "מחיר*", "עמלה",
            "עמלות", "כסף", "כספי*", "יקר מדי", "הוראת קבע",
        ),
        "tl": (
            "*bayad*", "*bayar*", "*singil*", "*ningil*", "ang mahal", "sobrang mahal",
            "napakamahal", "sukli", "resibo",
        ),
        "fa": (
            "صورت‌حساب*", "پرداخت*", "بازپرداخت*", "هزینه*", "قبض*", "بازگشت پول", "استرداد*",
            "قیمت*", "پول*", "شارژ*", "مبلغ*", "فاکتور*", "گران*", "کسر شد*", "تراکنش*",
        ),
    },
    "staff_attitude": {
        "en": (
            "rude*", "impolite", "polite*", "friendly", "unfriendly", "helpful", "unhelpful",
            "attitude", "unprofessional", "professional*", "manners", "courteous", "disrespect*",
            "respectful", "arrogant", "agent", "agents", "staff", "employee*", "cashier*",
            "representative*", "rep", "reps", "operator*", "hung up", "!user friendly",
            "!eco friendly",
        ),
        "sw": (
            "mhudumu", "wahudumu", "mfanyakazi", "wafanyakazi", "*karimu", "jeuri", "*adabu",
            "*dharau", "wakala", "karani", "mpole", "wapole", "*staarabu", "lugha chafu",
        ),
        "he": (
            "נציג*", "אדיב*", "גס", "גסה", "גסות", "חצוף*", "חוצפה", "יחס", "מנומס*", "צוות",
            "מקצועי*", "סבלנ*", "אדיש*", "התעלמ*", "טרק", "טרקה", "טרקו",
            # "ביחס ל" is "relative to".
            "!ביחס",
        ),
        "tl": (
            "ahente", "empleyado", "kawani", "*bastos*", "kabastusan", "*bait*", "*galang*",
            "*sungit*", "suplado", "suplada", "maasikaso", "matulungin", "walang modo",
            "walang pakialam", "tindera", "tindero",
        ),
        "fa": (
            "کارمند*", "کارکن*", "پشتیبان*", "اپراتور*", "کارشناس*", "مودب*", "بی‌ادب*", "با ادب",
            "برخورد*", "خوش‌برخورد", "رفتار*", "گستاخ*", "بداخلاق*", "بی‌احترامی",
        ),
    },
    "product_quality": {
        "en": (
            "broken", "broke", "breaks", "defect*", "quality", "damage*", "faulty",
            "stopped working", "cracked", "torn", "leak*", "expired", "fake", "counterfeit",
            "poorly made", "cheaply made", "malfunction*",
        ),
        "sw": (
            "ubora", "*bovu", "*haribik*", "*haribiw*", "*vunjik*", "feki", "hafifu", "kasoro",
            "duni",
        ),
        "he": (
            "איכות*", "פגום*", "פגם", "פגמים", "שבור*", "נשבר*", "מקולקל*", "התקלקל*", "תקול*",
            "קלקול*", "מזויף*", "פג תוקף",
        ),
        "tl": ("kalidad", "*sira*", "depektibo", "depekto", "*basag*", "peke", "punit"),
        "fa": (
            "کیفیت*", "بی‌کیفیت", "خراب*", "معیوب*", "شکسته*", "نقص*", "ایراد*", "تقلبی",
        ),
    },
    "resolution": {
        "en": (
            "resolv*", "unresolved", "fix", "fixed", "fixes", "fixing", "solve", "solved",
            "solves", "unsolved", "sorted out", "still", "solution*", "follow up",
        ),
        "sw": (
            "*tatuliw*", "*tatua*", "*rekebish*", "suluhisho", "*suluhish*", "*shughulikiw*",
            "bado",
        ),
        "he": (
            "נפתר*", "פתרו", "פתרתם", "פתרון*", "טופל*", "טיפלו", "תוקן*", "תיקן", "תיקנה", "תיקנו",
            "עדיין",
        ),
        "tl": (
            "naayos", "naaayos", "inayos", "inaayos", "aayusin", "ayusin", "*lutas*", "solusyon",
            "*resolba*", "pa rin", "pa ring", "hanggang ngayon",
        ),
        "fa": (
            "حل", "حلش", "راه‌حل", "برطرف*", "رفع", "درست شد*", "درست نشد*", "هنوز", "پیگیری*",
        ),
    },
    "usability": {
        "en": (
            "website*", "site", "web site", "webpage*", "app", "apps", "login*", "log in",
            "logged in", "sign in", "signin", "password*", "page", "pages", "crash*", "confusing",
            "button*", "checkout", "navigat*", "interface", "ui", "buggy", "glitch*", "freez*",
            "frozen", "user friendly",
        ),
        "sw": ("tovuti", "programu", "kuingia", "ukurasa", "kurasa", "nenosiri"),
        "he": (
            "אתר", "אתרים", "אפליקצי*", "התחבר*", "סיסמ*", "דף", "דפים", "קורסת", "קורס", "קרס",
            "קרסה", "קריס*", "ממשק*", "נתקע*", "מסורבל*", "באג*", "ניווט",
        ),
        "tl": ("pahina", "*lito"),
        "fa": (
            "سایت*", "وب‌سایت*", "اپلیکیشن*", "اپ", "برنامه*", "نرم‌افزار*", "ورود", "لاگین",
            "رمز عبور", "صفحه*", "هنگ", "کرش", "گیج‌کننده", "!برنامه‌ریزی*",
        ),
    },
}
# fmt: on
