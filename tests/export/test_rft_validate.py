"""validate_rft_jsonl: every RFT rule, with line numbers, and nothing missed or invented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft.errors import DatasetError, GraderError
from biorft.export._validate import RFTProblem, grader_item_fields, validate_rft_jsonl

PYTHON_GRADER = {
    "type": "python",
    "name": "g",
    "source": "def grade(sample, item):\n    ok = item['target'] in sample['output_text']\n"
    "    return float(ok) if item.get('known_labels') is None else 0.5\n",
}


def good(i: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "messages": [{"role": "developer", "content": "Answer briefly."}, {"role": "user", "content": f"Q{i}?"}],
        "id": f"x{i}",
        "target": "yes",
        **extra,
    }


def write(tmp_path: Path, lines: list[Any], name: str = "train.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def fields_of(report_problems: tuple[RFTProblem, ...]) -> list[tuple[int, str]]:
    return [(p.line, p.field) for p in report_problems]


def test_valid_file(tmp_path: Path) -> None:
    report = validate_rft_jsonl(write(tmp_path, [good(i) for i in range(5)]), PYTHON_GRADER)
    assert report.ok
    assert report.n_lines == 5
    assert report.problems == ()
    assert report.warnings == ()
    assert report.referenced_fields == {"target"}  # known_labels is read with .get: optional
    report.raise_for_problems()
    assert "5 line(s), 0 problem(s)" in str(report)


def test_message_rules(tmp_path: Path) -> None:
    lines = [
        good(0),
        {**good(1), "messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]},
        {**good(2), "messages": []},
        {**good(3), "messages": "Q?"},
        {**good(4), "messages": ["Q?"]},
        {**good(5), "messages": [{"content": "Q"}]},
        {**good(6), "messages": [{"role": "user", "content": "  "}]},
        {**good(7), "messages": [{"role": "tool", "content": "x"}, {"role": "user", "content": "Q"}]},
        {**good(8), "messages": [{"role": "user", "content": [{"type": "text", "text": "Q"}]}]},
        {**good(9), "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
        {**good(10), "messages": [{"role": "user"}]},
        {**good(11), "messages": [{"role": "system", "content": "S"}]},
    ]
    report = validate_rft_jsonl(write(tmp_path, lines))
    assert fields_of(report.problems) == [
        (2, "messages[1].role"),
        (2, "messages"),
        (3, "messages"),
        (4, "messages"),
        (5, "messages[0]"),
        (6, "messages[0].role"),
        (7, "messages[0].content"),
        (8, "messages[0].role"),
        (10, "messages[0].content"),
        (11, "messages[0].content"),
        (12, "messages"),
    ]
    assert "no assistant turns" in report.problems[0].message
    assert "last message must have role 'user', got 'assistant'" in report.problems[1].message


def test_line_level_rules(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    raw = b"\n".join(
        [
            json.dumps(good(0)).encode(),
            b"",
            b"{not json",
            b"[1, 2]",
            b'{"messages": [{"role": "user", "content": "\xff"}]}',
            json.dumps(good(5)).encode() + b"\r",
        ]
    )
    path.write_bytes(raw)  # no final newline: the last line still counts
    report = validate_rft_jsonl(path)
    assert [p.line for p in report.problems] == [2, 3, 4, 5]
    assert "blank line" in report.problems[0].message
    assert "not valid JSON" in report.problems[1].message
    assert "column 2" in report.problems[1].message
    assert "must be a JSON object, got list" in report.problems[2].message
    assert "UTF-8" in report.problems[3].message
    assert report.n_lines == 5


def test_grader_fields_must_be_on_every_line(tmp_path: Path) -> None:
    no_target = good(1)
    del no_target["target"]
    report = validate_rft_jsonl(write(tmp_path, [good(0), no_target, good(2, target=None)]), PYTHON_GRADER)
    assert fields_of(report.problems) == [(2, "target")]
    assert fields_of(report.warnings) == [(3, "target")]
    assert "is null" in report.warnings[0].message
    # without a grader nothing is required
    assert validate_rft_jsonl(tmp_path / "train.jsonl").ok


def test_duplicates_are_warnings(tmp_path: Path) -> None:
    report = validate_rft_jsonl(write(tmp_path, [good(0), good(0), {**good(1), "id": "x0"}]))
    assert report.ok
    assert fields_of(report.warnings) == [(2, "id"), (2, "messages"), (3, "id")]
    assert "first on line 1" in report.warnings[0].message


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    report = validate_rft_jsonl(empty)
    assert fields_of(report.problems) == [(0, "")]
    assert str(report.problems[0]).startswith("file: no examples")
    with pytest.raises(DatasetError, match="cannot read"):
        validate_rft_jsonl(tmp_path / "nope.jsonl")


def test_raise_for_problems_lists_lines(tmp_path: Path) -> None:
    lines = [{**good(i), "messages": [{"role": "assistant", "content": "A"}]} for i in range(4)]
    report = validate_rft_jsonl(write(tmp_path, lines))
    with pytest.raises(DatasetError) as info:
        report.raise_for_problems(limit=3)
    message = str(info.value)
    assert "8 problem(s) in 4 line(s)" in message
    assert "line 1: messages[0].role" in message
    assert "(and 5 more)" in message
    assert "biorft validate" in message


def test_grader_item_fields_from_every_grader_shape(tmp_path: Path) -> None:
    check = {
        "type": "string_check",
        "name": "s",
        "operation": "eq",
        "input": "{{ sample.output_text }}",
        "reference": "{{item.ground_truth.date}}",
    }
    similarity = {
        "type": "text_similarity",
        "name": "t",
        "input": "{{ sample.output_text }}",
        "reference": "{{ item.summary }}",
        "evaluation_metric": "bleu",
    }
    model = {
        "type": "score_model",
        "name": "m",
        "model": "o3-mini",
        "input": [{"role": "user", "content": "Grade against {{ item.rubric }}"}],
    }
    multi = {
        "type": "multi",
        "name": "all",
        "graders": {"a": check, "b": similarity, "c": model, "d": PYTHON_GRADER},
        "calculate_output": "a + b + c + d",
    }
    assert grader_item_fields(check) == {"ground_truth"}
    assert grader_item_fields(multi) == {"ground_truth", "summary", "rubric", "target"}
    path = tmp_path / "grader.json"
    path.write_text(json.dumps(multi))
    assert grader_item_fields(path) == grader_item_fields(str(path)) == grader_item_fields(multi)
    assert grader_item_fields(None) == frozenset()

    class Declared:
        referenced_fields = frozenset({"target", "known_labels"})

    assert grader_item_fields(Declared()) == {"target", "known_labels"}
    with pytest.raises(GraderError, match="does not parse"):
        grader_item_fields({"type": "python", "name": "g", "source": "def grade(:"})
    with pytest.raises(GraderError, match="cannot tell"):
        grader_item_fields(3.5)
    with pytest.raises(GraderError, match="cannot read"):
        grader_item_fields(tmp_path / "missing.json")


LINE_KINDS = st.sampled_from(["good", "assistant", "no_target", "bad_json", "not_object", "blank"])


@given(kinds=st.lists(LINE_KINDS, max_size=25))
def test_every_bad_line_is_reported_and_no_good_line_is(
    tmp_path_factory: pytest.TempPathFactory, kinds: list[str]
) -> None:
    make = {
        "good": lambda i: json.dumps(good(i)),
        "assistant": lambda i: json.dumps({**good(i), "messages": [{"role": "assistant", "content": "A"}]}),
        "no_target": lambda i: json.dumps({k: v for k, v in good(i).items() if k != "target"}),
        "bad_json": lambda i: '{"messages": [',
        "not_object": lambda i: "42",
        "blank": lambda i: "",
    }
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "f.jsonl"
    path.write_text("".join(make[k](i) + "\n" for i, k in enumerate(kinds)), encoding="utf-8")
    report = validate_rft_jsonl(path, PYTHON_GRADER)
    bad_lines = {p.line for p in report.problems}
    expected_bad = {i + 1 for i, k in enumerate(kinds) if k != "good"}
    if not kinds:
        expected_bad = {0}
    assert bad_lines == expected_bad
    assert report.n_lines == sum(1 for k in kinds if k != "blank")
    assert report.ok == (bool(kinds) and all(k == "good" for k in kinds))


def test_exported_biorft_graders_declare_their_item_fields(tmp_path: Path) -> None:
    from biorft.cli import main
    from biorft.graders import FormatGrader, Gate, LabelGrader, NumericGrader, SetGrader

    label = LabelGrader(["yes", "no"])
    (tmp_path / "grader.json").write_text(json.dumps(label.to_openai()))
    lines = [good(0), {k: v for k, v in good(1).items() if k != "target"}, good(2), {**good(3), "target": None}]
    path = write(tmp_path, lines)
    for grader in (tmp_path / "grader.json", str(tmp_path / "grader.json"), label.to_openai(), label):
        report = validate_rft_jsonl(path, grader=grader)
        assert report.referenced_fields == {"target"}
        assert fields_of(report.problems) == [(2, "target")]
        assert fields_of(report.warnings) == [(4, "target")]
    assert main(["validate", str(path), "--grader", str(tmp_path / "grader.json")]) == 1

    numeric = NumericGrader(abs_tol=0.5, target_field="logS")
    assert grader_item_fields(numeric.to_openai()) == grader_item_fields(numeric) == {"logS"}
    # the measured labels of a multilabel grader are optional: lines without them are fine
    tox = SetGrader(["NR-AR", "SR-p53"])
    assert tox.referenced_fields == {"target", "known_labels"}
    assert grader_item_fields(tox.to_openai()) == grader_item_fields(tox) == {"target"}
    assert validate_rft_jsonl(write(tmp_path, [good(0, target=["NR-AR"])], "tox.jsonl"), tox).ok
    gated = Gate(FormatGrader(), label, name="gated")
    assert grader_item_fields(gated.to_openai()) == {"target"}
    assert grader_item_fields(FormatGrader().to_openai()) == frozenset()  # declared empty: no heuristics


def test_foreign_declarations_and_fallback() -> None:
    declared = "REFERENCED_FIELDS = ['label', 'alias']\n\ndef grade(sample, item):\n    return float(_f(item))\n"
    assert grader_item_fields({"type": "python", "name": "g", "source": declared}) == {"label", "alias"}
    both = "REQUIRED_FIELDS = ('label',)\n" + declared
    assert grader_item_fields({"type": "python", "name": "g", "source": both}) == {"label"}
    not_literal = "REQUIRED_FIELDS = make()\ndef grade(sample, item):\n    return float(item['target'] == 1)\n"
    assert grader_item_fields({"type": "python", "name": "g", "source": not_literal}) == {"target"}
