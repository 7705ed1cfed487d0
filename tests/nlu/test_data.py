from collections import Counter
from pathlib import Path

import pytest

from awn.nlu.data import (
    INTENTS,
    MIN_TEST_PER_INTENT,
    MIN_TRAIN_PER_INTENT,
    VARIETIES,
    DataError,
    load_intents,
    load_labelled,
    overlap,
    read_intent_file,
)


def write(tmp_path: Path, name: str, body: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("track_order.tsv", "variety\ttext\nmsa\tوين طلبي\nxx\tطلبي\n", "track_order.tsv:3: unknown variety 'xx'"),
        ("track_order.tsv", "variety\ttext\nmsa\t   \n", "track_order.tsv:2: empty text"),
        ("track_order.tsv", "variety\ttext\nmsa\tوين\tطلبي\n", "track_order.tsv:2: tab in text"),
        ("track_order.tsv", "variety\ttext\nmsa\tوين طلبي\negy\tوين طلبي\n", "track_order.tsv:3: duplicate line"),
        ("track_orders.tsv", "variety\ttext\nmsa\tوين طلبي\n", "track_orders.tsv:1: intent 'track_orders'"),
        ("track_order.tsv", "text\tvariety\n", "track_order.tsv:1: header"),
        ("track_order.tsv", b"variety\ttext\nmsa\t\xff\xfe\n", "track_order.tsv:2: invalid UTF-8"),
        ("track_order.tsv", "variety\ttext\nmsa وين طلبي\n", "track_order.tsv:2: expected"),
    ],
)
def test_intent_file_errors_name_file_and_line(tmp_path: Path, name: str, body: str | bytes, message: str) -> None:
    path = write(tmp_path, name, body)
    with pytest.raises(DataError) as info:
        read_intent_file(path)
    assert message in str(info.value)


def test_intent_file_ok_with_crlf_bom_and_trailing_blank(tmp_path: Path) -> None:
    path = write(tmp_path, "greeting.tsv", "\ufeffvariety\ttext\r\nmsa\tمرحبا\r\nen\thello\r\n\r\n")
    examples = read_intent_file(path)
    assert [(e.variety, e.text) for e in examples] == [("msa", "مرحبا"), ("en", "hello")]
    assert examples[0].source.endswith("greeting.tsv:2")


def test_errors_can_be_collected(tmp_path: Path) -> None:
    path = write(tmp_path, "deny.tsv", "variety\ttext\nmsa\tلا\nzz\tno\nen\tnope\n")
    problems: list[DataError] = []
    examples = read_intent_file(path, errors=problems)
    assert [e.text for e in examples] == ["لا", "nope"]
    assert len(problems) == 1 and "deny.tsv:3" in str(problems[0])


def test_operator_csv_and_jsonl(tmp_path: Path) -> None:
    csv_path = write(tmp_path, "mine.csv", 'label,text\nwhere,"وين طلبي، لو سمحت"\nhello,hi\n')
    assert [(e.intent, e.text) for e in load_labelled(csv_path)] == [("where", "وين طلبي، لو سمحت"), ("hello", "hi")]
    jl = write(tmp_path, "mine.jsonl", '{"text": "hi", "intent": "hello"}\n\n{"text": "bye", "intent": "bye", "variety": "en"}\n')
    assert [(e.intent, e.variety) for e in load_labelled(jl)] == [("hello", None), ("bye", "en")]
    bad = write(tmp_path, "bad.jsonl", '{"text": "hi", "intent": "hello"}\n{"text": ""}\n')
    with pytest.raises(DataError, match=r"bad.jsonl:2: empty or missing 'text'"):
        load_labelled(bad)
    bad_csv = write(tmp_path, "bad.csv", "label,text\nhello,\n")
    with pytest.raises(DataError, match=r"bad.csv:2: empty text"):
        load_labelled(bad_csv)


# --- Awn's own data -----------------------------------------------------------------------------------
def test_intent_files_follow_the_contract() -> None:
    problems: list[DataError] = []
    train = load_intents("train", errors=problems)
    test = load_intents("test", errors=problems)
    assert not problems, "\n".join(str(p) for p in problems)
    for split, examples, minimum in (("train", train, MIN_TRAIN_PER_INTENT), ("test", test, MIN_TEST_PER_INTENT)):
        counts = Counter(e.intent for e in examples)
        assert set(counts) == set(INTENTS), f"{split}: missing intents {set(INTENTS) - set(counts)}"
        short = {i: c for i, c in counts.items() if c < minimum}
        assert not short, f"{split}: fewer than {minimum} examples: {short}"
        assert set(e.variety for e in examples) == set(VARIETIES)


def test_frozen_test_split_is_disjoint_from_training_data() -> None:
    train = load_intents("train", errors=[])
    test = load_intents("test", errors=[])
    leaks = overlap(train, test)
    assert not leaks, "\n".join(f"{o.test.source} == {o.train.source}: {o.test.text}" for o in leaks)


def test_overlap_ignores_spelling_variants() -> None:
    from awn.nlu.data import Example

    train = [Example("أين طلبي؟", "track_order")]
    test = [Example("اين طلبي", "track_order"), Example("وين طلبي", "track_order")]
    assert [o.test.text for o in overlap(train, test)] == ["اين طلبي"]
