import pytest

from awn.nlu import normalize
from awn.nlu.script import detect


@pytest.mark.parametrize(
    ("text", "language", "script"),
    [
        ("وين طلبي؟", "ar", "arabic"),
        ("الطرد موصلش لحد دلوقتي", "ar", "arabic"),
        ("bghit nlghi la commande", "ar", "arabizi"),
        ("fein el refund bta3i", "ar", "arabizi"),
        ("3ayez a3raf el order fein", "ar", "arabizi"),
        ("my parcel never came", "en", "latin"),
        ("where is my order 81234567?", "en", "latin"),
        ("الطلب تبعي order number wrong", "mixed", "mixed"),
        ("وين الـ refund تبعي؟", "ar", "mixed"),
        ("😡😡", "unknown", "none"),
        ("81234567", "unknown", "none"),
        ("", "unknown", "none"),
    ],
)
def test_detect(text: str, language: str, script: str) -> None:
    assert detect(normalize(text)) == (language, script)
