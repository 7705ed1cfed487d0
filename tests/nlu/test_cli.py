"""The command line: classify keeps going after bad lines; train works on an operator's file."""

import io
import json
import sys
from pathlib import Path

import pytest

from awn.nlu.cli import main


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", FakeStdin(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_classify_stream_with_bad_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], core_model_dir: Path
) -> None:
    lines = [
        json.dumps({"text": "وين طلبي ٨١٢٣٤٥٦٧؟"}, ensure_ascii=False).encode(),
        b'{"text": "ok \xff\xfe broken"}',  # invalid UTF-8
        b"not json",
        b'{"message": "no text"}',
        b"",
        json.dumps({"id": "m-7", "text": "my parcel never came"}).encode(),
        json.dumps({"text": ""}).encode(),
        json.dumps({"text": "😡😡😡"}).encode(),
        json.dumps({"text": "٨١٢٣٤٥٦٧"}).encode(),
        json.dumps({"text": "x" * 100_000}).encode(),
    ]
    code, out, err = run(monkeypatch, capsys, ["classify", "--model", str(core_model_dir)], b"\n".join(lines) + b"\n")
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(lines)
    assert code == 2 and "4 line(s) rejected" in err
    first = results[0]
    assert first["intent"] == "track_order"
    assert first["language"] == "ar" and first["script"] == "arabic"
    assert first["entities"] == [{"type": "order_number", "value": "81234567", "start": 9, "end": 17}]
    assert set(first) == {"intent", "confidence", "language", "script", "entities"}
    assert results[1] == {"error": "invalid UTF-8 at byte 13", "line": 2}
    assert results[2]["error"].startswith("invalid JSON") and results[2]["line"] == 3
    assert results[3]["line"] == 4 and results[4] == {"error": "empty line", "line": 5}
    assert results[5]["id"] == "m-7" and results[5]["intent"] == "order_not_arrived"
    assert results[6]["intent"] == "out_of_scope" and results[6]["script"] == "none"
    assert "intent" in results[7] and "intent" in results[9]
    assert results[8]["entities"][0]["value"] == "81234567"


def test_train_eval_bench_on_an_operators_csv(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = ["label,text"]
    for i in range(12):
        rows += [f"balance,كم رصيدي رقم {i}", f"balance,what is my balance {i}", f"card,بطاقتي ضاعت {i}", f"card,I lost my card {i}"]
    data = tmp_path / "mine.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out_dir = tmp_path / "model"
    code, out, _ = run(monkeypatch, capsys, ["train", "--data", str(data), "--out", str(out_dir)])
    assert code == 0 and "trained 2 labels on 48 examples" in out
    code, out, _ = run(monkeypatch, capsys, ["eval", "--model", str(out_dir), "--data", str(data)])
    assert code == 0 and "macro-F1   1.0000" in out and "confusions" in out and "ECE" in out
    code, out, _ = run(
        monkeypatch, capsys, ["bench", "--model", str(out_dir), "--data", str(data), "--n", "50", "--batch", "8"]
    )
    assert code == 0 and "p99" in out and "messages/s" in out
    code, out, _ = run(
        monkeypatch, capsys, ["classify", "--model", str(out_dir)], json.dumps({"text": "lost card"}).encode()
    )
    assert json.loads(out)["intent"] == "card"


def test_train_on_jsonl(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = tmp_path / "mine.jsonl"
    lines = [json.dumps({"text": f"{w} {i}", "intent": label}) for i in range(6) for w, label in (("hello", "hi"), ("bye", "bye"))]
    data.write_text("\n".join(lines), encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, ["train", "--data", str(data), "--out", str(tmp_path / "m")])
    assert code == 0 and (tmp_path / "m" / "meta.json").is_file()


def test_clear_errors(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(monkeypatch, capsys, ["classify", "--model", str(tmp_path)])
    assert code == 1 and "not a model folder" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("label,text\nhello,\n", encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, ["train", "--data", str(bad), "--out", str(tmp_path / "m")])
    assert code == 1 and "bad.csv:2: empty text" in err
