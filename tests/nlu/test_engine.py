"""The engine as the assistant uses it: intents (with the hard near-misses), confidence,
language, entities, and inputs that must never crash it."""

import pytest

from awn.nlu import INTENTS, MAX_CHARS, Engine

# Near neighbours that DOMAIN.md separates. Written for this test; none is in the data files.
NEAR_MISSES = [
    # track_order asks where an order is; order_not_arrived complains it is late or never came.
    ("وين طلبي؟", "track_order"),
    ("where is my order 81234567?", "track_order"),
    ("fein el order bta3i?", "track_order"),
    ("شو وضع الطلب تبعي هلق؟", "track_order"),
    ("الطرد موصلش لحد دلوقتي", "order_not_arrived"),
    ("my parcel never came", "order_not_arrived"),
    ("بقالي أسبوعين مستني الطلب وما وصل", "order_not_arrived"),
    ("it says delivered but I never got anything", "order_not_arrived"),
    # refund_status: where is the refund; partial_refund: why is it short;
    # return_parcel_status: the parcel sent back.
    ("fein el refund bta3i", "refund_status"),
    ("متى ترجع فلوسي؟ الطلب انلغى من أسبوع", "refund_status"),
    ("when will I get my refund?", "refund_status"),
    ("رجعولي 150 ريال بس بدل 200، وين الباقي؟", "partial_refund"),
    ("why is my refund less than what I paid?", "partial_refund"),
    ("الطرد اللي رجعته للبائع وصل ولا لسه؟", "return_parcel_status"),
    ("has the seller received the parcel I sent back?", "return_parcel_status"),
    # cancel_order ends an order; modify_order changes it.
    ("ابي الغي الطلب", "cancel_order"),
    ("bghit nlghi la commande", "cancel_order"),
    ("please cancel my order", "cancel_order"),
    ("ابي اغير عنوان التوصيل للطلب", "modify_order"),
    ("can I change the size to XL before it ships?", "modify_order"),
    ("بدي غير لون الطلب للأسود", "modify_order"),
    # human_agent asks for a person; contact_channels for a number/address or whether it is official.
    ("ابي اكلم موظف", "human_agent"),
    ("I want to talk to a real person", "human_agent"),
    ("حولني على انسان مش روبوت", "human_agent"),
    ("هل هذا رقم الواتساب الرسمي؟ +966501234567", "contact_channels"),
    ("what is your customer service phone number?", "contact_channels"),
    ("عندكم ايميل للتواصل؟", "contact_channels"),
]


@pytest.mark.parametrize(("text", "intent"), NEAR_MISSES)
def test_near_misses(engine: Engine, text: str, intent: str) -> None:
    u = engine.understand(text)
    assert u.intent == intent, f"{text!r}: {u.ranking}"


def test_understanding_shape(engine: Engine) -> None:
    u = engine.understand("وين طلبي ٨١٢٣٤٥٦٧؟ بقالي يومين 😡")
    assert u.intent in INTENTS
    assert 0.0 <= u.confidence <= 1.0
    assert u.ranking[0] == (u.intent, u.confidence)
    assert len(u.ranking) == 3 and all(a[1] >= b[1] for a, b in zip(u.ranking, u.ranking[1:], strict=False))
    assert (u.language, u.script) == ("ar", "arabic")
    assert u.normalized == "وين طلبي 81234567? بقالي يومين 😡"
    kinds = {e.type: e for e in u.entities}
    assert kinds["order_number"].value == "81234567"
    assert u.text[kinds["order_number"].start : kinds["order_number"].end] == "٨١٢٣٤٥٦٧"
    assert kinds["duration"].value == {"hours": 48}
    assert u.to_dict().keys() == {"intent", "confidence", "language", "script", "entities"}


def test_batch_equals_single(engine: Engine) -> None:
    texts = [t for t, _ in NEAR_MISSES[:8]] + ["", "👍"]
    batch = engine.understand_batch(texts)
    for text, u in zip(texts, batch, strict=True):
        single = engine.understand(text)
        assert (single.intent, single.entities) == (u.intent, u.entities)
        assert abs(single.confidence - u.confidence) < 1e-5


@pytest.mark.parametrize("text", ["", "   ", "؟؟؟", "\u200f\u200e"])
def test_empty_is_out_of_scope(engine: Engine, text: str) -> None:
    u = engine.understand(text)
    assert (u.intent, u.confidence, u.script, u.entities) == ("out_of_scope", 1.0, "none", [])


def test_only_emoji_and_only_digits(engine: Engine) -> None:
    u = engine.understand("👍")
    assert u.intent == "affirm"
    u = engine.understand("😡😡😡")
    assert u.intent in INTENTS and u.script == "none"
    u = engine.understand("٨١٢٣٤٥٦٧")
    assert u.intent in INTENTS
    assert [(e.type, e.value) for e in u.entities] == [("order_number", "81234567")]


def test_huge_text_is_truncated_not_fatal(engine: Engine) -> None:
    text = "وين طلبي " * 12_000  # about 100 KB
    u = engine.understand(text)
    assert u.truncated and len(u.text) == MAX_CHARS
    assert u.intent == "track_order"


def test_lone_surrogates_and_control_characters(engine: Engine) -> None:
    u = engine.understand("وين\ud800 طلبي\x00\x07")
    assert "\ud800" not in u.text
    assert u.intent in INTENTS


def test_non_string_is_a_type_error(engine: Engine) -> None:
    with pytest.raises(TypeError):
        engine.understand(None)  # type: ignore[arg-type]


def test_calibration_is_sane_on_the_frozen_split(engine: Engine) -> None:
    """Not a tuning target: a guard that confidences stay meaningful (ECE small)."""
    from awn.nlu.data import load_intents
    from awn.nlu.evaluation import Prediction, calibration

    examples = load_intents("test", errors=[])
    results = engine.understand_batch([e.text for e in examples])
    preds = [Prediction(e.intent, u.intent, u.confidence) for e, u in zip(examples, results, strict=True)]
    ece, _ = calibration(preds)
    assert ece < 0.08

