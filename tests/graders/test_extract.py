from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft.errors import GraderError
from biorft.graders import Reason, extract_answer
from biorft.graders._rt.extract import MAX_CANDIDATES, as_confidence, extract


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Answer: BBB+", "BBB+"),
        ("I think so.\nAnswer: BBB+", "BBB+"),
        ("Reasoning... Answer: BBB+", "BBB+"),
        ("**Answer:** BBB+", "BBB+"),
        ("**Final Answer**: BBB+", "BBB+"),
        ("## Final answer: BBB+", "BBB+"),
        ("ANSWER\uff1a BBB+", "BBB+"),
        ("Answer:\nBBB+", "BBB+"),
        ("blah\n<answer>BBB+</answer>", "BBB+"),
        ("<ANSWER> BBB+ </ANSWER>", "BBB+"),
        ('{"answer": "BBB+"}', "BBB+"),
        ('  {"Answer": "BBB+", "reasoning": "x"}  ', "BBB+"),
        ('```json\n{"answer": "BBB+"}\n```', "BBB+"),
        ('Let me think.\n```json\n{"answer": "BBB+"}\n```\nDone.', "BBB+"),
        ('Thinking {not json} then {"reasoning": {"a": 1}, "answer": "BBB+"}', "BBB+"),
        ('{"result": {"answer": "BBB+"}}', "BBB+"),
        ('<answer>{"answer": "BBB+"}</answer>', "BBB+"),
        ('Answer: {"answer": "BBB+"}', "BBB+"),
        ("BBB+", "BBB+"),
        ("So the molecule crosses: $\\boxed{BBB+}$.", "BBB+"),
        ("\\boxed{\\text{BBB+}}", "BBB+"),
        ("**Final Answer**: \\boxed{\\textbf{BBB+}}", "BBB+"),
        ("Answer:\n\\[\\boxed{BBB+}\\]", "BBB+"),
        ("<answer>\\boxed{BBB+}</answer>", "BBB+"),
        ('{"answer": "\\\\boxed{BBB+}"}', "BBB+"),
        ("We get \\fbox{BBB+} after all.", "BBB+"),
    ],
)
def test_forms(text: str, answer: str) -> None:
    got = extract_answer(text)
    assert got.answer == answer, got
    assert got.reason is None


def test_json_values_keep_their_type() -> None:
    assert extract_answer('{"answer": ["a", "b"]}').answer == ["a", "b"]
    assert extract_answer('{"answer": -2.5}').answer == -2.5


def test_reasoning_mentions_are_not_answers() -> None:
    text = "The answer depends on polarity; to answer this, consider logP.\nAnswer: BBB-"
    assert extract_answer(text).candidates == (("line", "BBB-"),)


def test_strict_conflict_and_lenient_last() -> None:
    text = "Answer: BBB+\nOn reflection...\nAnswer: BBB-"
    assert extract_answer(text).reason is Reason.CONFLICTING
    assert extract_answer(text, mode="lenient").answer == "BBB-"
    assert extract_answer("Answer: BBB+\n<answer> bbb+ </answer>").answer == "bbb+"  # agreeing: the last is kept


def test_lenient_falls_back_to_last_line() -> None:
    text = "Reasoning line one.\nSo it crosses: BBB+"
    assert extract_answer(text).reason is Reason.NO_ANSWER
    assert extract_answer(text, mode="lenient").answer == "So it crosses: BBB+"


@pytest.mark.parametrize("sample", ["", "   \n", {}, {"output_text": None}, 42, None, ["Answer: x"]])
def test_nothing_to_extract(sample: object) -> None:
    got = extract_answer(sample)
    assert got.answer is None
    assert got.reason is Reason.NO_ANSWER
    assert got.detail


def test_output_json_wins_over_text() -> None:
    sample = {"output_text": "Answer: BBB-", "output_json": {"answer": "BBB+", "confidence": "80%"}}
    got = extract_answer(sample)
    assert (got.answer, got.confidence, got.candidates) == ("BBB+", 0.8, (("output_json", "BBB+"),))
    assert extract_answer({"output_text": "Answer: x", "output_json": '{"answer": "y"}'}).answer == "y"
    assert extract_answer({"output_text": "Answer: x", "output_json": {"other": 1}}).answer == "x"


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ('{"answer": "BBB+", "confidence": 0.8}', 0.8),
        ('{"answer": "BBB+", "probability": "0.25"}', 0.25),
        ("Answer: BBB+\nConfidence: 0.7", 0.7),
        ("Answer: BBB+\n**Confidence:** 65%", 0.65),
        ("Answer: BBB+\nConfidence: 7", None),
        ('{"answer": "BBB+", "confidence": true}', None),
        ("Answer: BBB+", None),
    ],
)
def test_confidence(text: str, confidence: float | None) -> None:
    assert extract_answer(text).confidence == confidence


def test_as_confidence() -> None:
    assert [as_confidence(v) for v in (0, 1, 0.5, "50%", "x", float("nan"), 2, -0.1, None, "9" * 40)] == [
        0.0,
        1.0,
        0.5,
        0.5,
        None,
        None,
        None,
        None,
        None,
        None,
    ]


def test_too_many_answers_overflow() -> None:
    text = "\n".join(f"Answer: {i}" for i in range(MAX_CANDIDATES + 5))
    ext = extract(text)
    assert ext.overflow
    assert len(ext.candidates) == MAX_CANDIDATES
    assert ext.candidates[-1].value == str(MAX_CANDIDATES + 4)
    assert extract_answer(text).reason is Reason.CONFLICTING


def test_bad_mode() -> None:
    with pytest.raises(GraderError, match="mode"):
        extract_answer("x", mode="loose")


@given(st.text(max_size=400), st.sampled_from(["strict", "lenient"]))
def test_never_raises_on_any_text(text: str, mode: str) -> None:
    got = extract_answer(text, mode=mode)
    assert (got.answer is None) == (got.reason is not None)


@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=10),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=5), c),
        max_leaves=10,
    )
)
def test_never_raises_on_any_output_json(value: object) -> None:
    extract_answer({"output_text": "Answer: x", "output_json": value})


ADVERSARIAL = {
    "spaces_after_marker": "Answer:" + " " * 1_000_000 + "x",
    "sentence_then_spaces": "." + " " * 1_000_000 + "y",
    "open_tags": "<answer>" * 125_000,
    "open_braces": "{" * 1_000_000,
    "answer_keys": '{"answer":' * 100_000,
    "nested_json": '{"a": [' * 140_000 + '"answer": 1',
    "long_string": '{"answer": "' + "a" * 1_000_000,
    "markdown": "*" * 1_000_000 + "Answer",
    "final_spaces": "final" + " " * 1_000_000,
    "many_lines": "Answer: 1\n" * 100_000,
    "confidence_lines": "Confidence: 0.5\n" * 60_000,
    "numbers": "Answer: " + "1-" * 500_000,
    "label_words": "Answer: " + "BBB+ or " * 120_000,
    "boxed_unclosed": "\\boxed{" * 140_000,
    "boxed_deep": "\\boxed{" + "{" * 1_000_000,
    "boxed_many": "\\boxed{BBB+}" * 80_000,
    "boxed_in_line": "Answer: " + "\\boxed{" * 140_000,
    "boxed_in_json": '{"answer": "' + "\\\\boxed{a}" * 80_000,
}


def test_one_megabyte_adversarial_outputs_finish() -> None:
    # Linear-time extraction: a catastrophic regex would take hours on these, not seconds. Run in a subprocess so a
    # regression fails this test (by its watchdog) instead of hanging the suite; the speed itself is benchmarked.
    code = textwrap.dedent(
        """
        import json, sys
        from biorft.graders import LabelGrader, NumericGrader, SetGrader
        cases = json.loads(sys.stdin.read())
        graders = [LabelGrader(["BBB+", "BBB-"]), NumericGrader(abs_tol=1), SetGrader(["BBB+", "BBB-"], mode="lenient")]
        for name, text in cases.items():
            for g in graders:
                r = g.explain(text, {"target": "BBB+"} if not isinstance(g, NumericGrader) else {"target": 1.0})
                assert 0.0 <= r.score <= 1.0 and r.reason.value != "grader_error", (name, r)
        print("ok", len(cases))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(ADVERSARIAL), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == f"ok {len(ADVERSARIAL)}"


def test_boxed_answers() -> None:
    assert extract_answer("Thus \\boxed{-3.2} (log units).").candidates == (("boxed", "-3.2"),)
    assert extract_answer("\\boxed{3.2 \\times 10^{-4}}").answer == "3.2 \u00d7 10^-4"
    assert extract_answer("\\boxed{\\{a, b\\}}").answer == "\\a, b\\"  # braces are structure, not content
    assert extract_answer("First \\boxed{A}, then \\boxed{B}").reason is Reason.CONFLICTING
    assert extract_answer("First \\boxed{A}, then \\boxed{B}", mode="lenient").answer == "B"
    assert extract_answer("\\boxed{A}\nAnswer: A").candidates == (("boxed", "A"), ("line", "A"))
    assert [form for form, _ in extract_answer("unclosed \\boxed{A").candidates] == ["bare"]
    assert extract_answer("\\boxed{" + "x" * 2000 + "}").reason is Reason.NO_ANSWER  # over the length bound
