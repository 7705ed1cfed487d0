from awn.nlu import normalize
from awn.nlu.normalize import fold_digits


def test_diacritics_tatweel_and_letter_forms() -> None:
    assert normalize("أُرِيدُ إلغاءَ الطلـــب") == "اريد الغاء الطلب"
    assert normalize("آمنة مستشفى") == "امنه مستشفي"
    assert normalize("سؤال مسئول") == "سوال مسيول"


def test_arabic_indic_and_persian_digits() -> None:
    assert normalize("الطلب ٨١٢٣٤٥٦٧") == "الطلب 81234567"
    assert normalize("۱۲۳۴۵") == "12345"


def test_arabic_punctuation() -> None:
    assert normalize("وين طلبي؟ الرقم، ١٢؛") == "وين طلبي? الرقم, 12;"


def test_elongation_collapsed_but_digits_and_doubles_kept() -> None:
    assert normalize("طلبيييييي فيييين؟؟؟") == "طلبي فين?"
    assert normalize("sooooo goood") == "soo good"
    assert normalize("للتواصل 1111122") == "للتواصل 1111122"


def test_bidi_and_zero_width_removed() -> None:
    assert normalize("\u200fرقم\u200e الطلب\u200b\u2066١٢\u2069") == "رقم الطلب12"


def test_emoji_kept_as_signal() -> None:
    assert normalize("وين طلبي 😡😡😡") == "وين طلبي 😡"
    assert normalize("👍") == "👍"


def test_nfkc_and_case() -> None:
    assert normalize("ﻻ ORDER １２") == "لا order 12"


def test_idempotent() -> None:
    for text in ["أُرِيدُ إلغاءَ الطلـــب ٨١٢", "WHERE is my ORDER??", "fein el refund bta3i 😡😡"]:
        once = normalize(text)
        assert normalize(once) == once


def test_empty() -> None:
    assert normalize("") == ""
    assert normalize("   \u200f ") == ""


def test_fold_digits_keeps_length() -> None:
    text = "طلب ٨١٢٣؟ ۴۵ ١٫٥"
    folded = fold_digits(text)
    assert len(folded) == len(text)
    assert folded == "طلب 8123? 45 1.5"
