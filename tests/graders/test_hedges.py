"""Hedge-proof graders: every gaming shape scores 0 with HEDGED / CONFLICTING / NO_ANSWER, strict and lenient,
in-process and exported alike (hypothesis properties per family)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft.graders import Grader, LabelGrader, MoleculeGrader, NumericGrader, Reason, SetGrader
from biorft.graders._rt.extract import extract

GAMED = {Reason.HEDGED, Reason.CONFLICTING, Reason.NO_ANSWER}
MODES = ("strict", "lenient")
BBB_SYN = {"BBB+": ["permeable", "penetrant"], "BBB-": ["impermeable", "non-permeable"]}
GENE_SYN = {"dosage-sensitive": ["dosage sensitive", "sensitive"], "dosage-insensitive": ["insensitive"]}
TOX = ["NR-AR", "NR-AhR", "SR-p53", "SR-MMP"]
PREVALENCE = {"NR-AR": 0.05, "NR-AhR": 0.12, "SR-p53": 0.5, "SR-MMP": 0.7}
SMILES = ["CCO", "c1ccccc1O", "CC(=O)Oc1ccccc1C(=O)O", "CN1CCC[C@H]1c1cccnc1", "CCN(CC)CC"]


def exported(grader: Grader) -> Any:
    namespace: dict[str, Any] = {"__name__": "exported"}
    exec(compile(grader.to_source(), "grader.py", "exec"), namespace)
    return namespace["explain"]


_EXPORTED: dict[str, Any] = {}


def assert_gamed(grader: Grader, sample: Any, item: dict[str, Any]) -> None:
    """Score 0 with a hedge reason, and the exported source agrees exactly."""
    result = grader.explain(sample, item)
    assert result.score == 0.0, (sample, result)
    assert result.reason in GAMED, (sample, result)
    key = grader.to_source()
    if key not in _EXPORTED:
        _EXPORTED[key] = exported(grader)
    out = _EXPORTED[key](sample, item)
    assert (out["score"], out["reason"]) == (result.score, result.reason.value)


def labels(mode: str) -> LabelGrader:
    return LabelGrader(["BBB+", "BBB-"], BBB_SYN, mode=mode)


def genes(mode: str) -> LabelGrader:
    return LabelGrader(["dosage-sensitive", "dosage-insensitive"], GENE_SYN, mode=mode)


def numbers(mode: str, **kw: Any) -> NumericGrader:
    return NumericGrader(abs_tol=0.5, units=["log(mol/L)"], mode=mode, **kw)


mode = st.sampled_from(MODES)
bbb_spelling = st.sampled_from(["BBB+", "bbb+", "permeable", "Penetrant", "BBB-", "impermeable"])
wrap = st.sampled_from(["Answer: {}", "<answer>{}</answer>", "**Final answer:** {}", "\\boxed{{{}}}"])
retraction = st.sampled_from(
    [
        "Actually no, it is the other one.",
        "Wait, that is wrong.",
        "No, scratch that.",
        "On second thought, the opposite.",
        "Correction: the other label.",
        "I was wrong.",
        "Hmm, maybe not.",
    ]
)


# ---- conflicting duplicate JSON keys ---------------------------------------------------------------------------
@given(mode, bbb_spelling, bbb_spelling, st.sampled_from(["answer", "Answer", " answer", "\\u0061nswer"]))
def test_conflicting_duplicate_keys(m: str, a: str, b: str, key: str) -> None:
    g = labels(m)
    if g.explain(f"Answer: {a}", {"target": "BBB+"}).answer == g.explain(f"Answer: {b}", {"target": "BBB+"}).answer:
        return  # the same label twice is not a conflict
    for text in (f'{{"answer": "{a}", "{key}": "{b}"}}', f'Reasoning.\n{{"answer": "{a}", "{key}": "{b}"}}'):
        for target in ("BBB+", "BBB-"):
            assert_gamed(g, text, {"target": target})
            assert g.explain(text, {"target": target}).reason is Reason.CONFLICTING


@given(mode, st.floats(-10, 10), st.floats(-10, 10))
def test_conflicting_duplicate_keys_numbers(m: str, a: float, b: float) -> None:
    if a == b:
        return
    assert_gamed(numbers(m), f'{{"answer": {a!r}, "answer": {b!r}}}', {"target": b})


def test_repeated_equal_keys_and_confidence() -> None:
    g = labels("strict")
    assert g('{"answer": "BBB+", "answer": "BBB+"}', {"target": "BBB+"}) == 1.0
    r = g.explain('{"answer": "BBB+", "confidence": 0.1, "confidence": 0.9}', {"target": "BBB+"})
    assert (r.score, r.confidence) == (1.0, None)  # two confidences: none


# ---- retractions and corrections -------------------------------------------------------------------------------
@given(mode, bbb_spelling, wrap, retraction, st.sampled_from(["\n", "\n\n", " ", ". "]))
def test_answer_then_retraction(m: str, answer: str, form: str, retract: str, sep: str) -> None:
    text = "The molecule is small.\n" + form.format(answer) + sep + retract
    for target in ("BBB+", "BBB-"):
        assert_gamed(labels(m), text, {"target": target})


@given(mode, st.floats(-8, 2), retraction)
def test_number_then_retraction(m: str, value: float, retract: str) -> None:
    assert_gamed(numbers(m), f"Answer: {value:.2f}\n{retract}", {"target": round(value, 2)})
    assert_gamed(numbers(m), f"Answer: {value:.2f}, actually {value + 3:.2f}", {"target": round(value, 2)})


@given(mode, st.sampled_from(SMILES), retraction)
def test_molecule_then_retraction(m: str, smiles: str, retract: str) -> None:
    assert_gamed(MoleculeGrader(mode=m), f"Answer: {smiles}\n{retract}", {"target": smiles})


def test_retraction_inside_the_answer() -> None:
    for m in MODES:
        assert_gamed(labels(m), "Answer: BBB+ (actually no)", {"target": "BBB+"})
        assert_gamed(labels(m), "Answer: BBB+, wait, BBB-", {"target": "BBB-"})


def test_honest_outputs_still_pay() -> None:
    # Reasoning that corrects itself BEFORE the final answer is normal; so is a confidence line after it.
    g = labels("strict")
    assert g("Hmm, wait, actually it is small.\nAnswer: BBB+\nConfidence: 0.8", {"target": "BBB+"}) == 1.0
    assert labels("lenient")("Answer: BBB-\nWait.\nAnswer: BBB+", {"target": "BBB+"}) == 1.0
    assert numbers("strict")("Answer: -2.1 log(mol/L)", {"target": -2.0}) == 1.0
    assert numbers("strict")("Answer: -2.1 ± 0.2", {"target": -2.0}) == 1.0  # within the tolerance


# ---- negations -------------------------------------------------------------------------------------------------
negation = st.sampled_from(["not {}", "non {}", "non-{}", "Not a {} compound", "isn't {}", "never {}", "it is not {}"])


@given(mode, negation, st.sampled_from(["BBB+", "BBB-", "permeable", "impermeable"]), st.sampled_from(["BBB+", "BBB-"]))
def test_negated_label(m: str, shape: str, label: str, target: str) -> None:
    if shape.format(label).replace("-", " ") == "non permeable":
        return  # "non-permeable" is a spelling of BBB-
    assert_gamed(labels(m), "Answer: " + shape.format(label), {"target": target})


@given(mode, negation, st.sampled_from(["dosage-sensitive", "dosage sensitive", "sensitive", "insensitive"]))
def test_negated_multiword_label(m: str, shape: str, label: str) -> None:
    for target in ("dosage-sensitive", "dosage-insensitive"):
        assert_gamed(genes(m), "Answer: " + shape.format(label), {"target": target})


def test_label_spelled_with_a_negation_is_not_a_negation() -> None:
    g = LabelGrader(["bivalent", "non-methylated"], {"non-methylated": ["not methylated"]}, mode="lenient")
    assert g("Answer: it is non-methylated", {"target": "non-methylated"}) == 1.0
    assert g("Answer: not methylated", {"target": "non-methylated"}) == 1.0
    assert g.explain("Answer: not bivalent", {"target": "non-methylated"}).reason is Reason.NO_ANSWER


@given(mode, st.floats(-8, 2), st.sampled_from(["not {}", "≠ {}", "!= {}", "anything but {}", "isn't {}"]))
def test_negated_number(m: str, value: float, shape: str) -> None:
    target = round(value, 2)
    assert_gamed(numbers(m), "Answer: " + shape.format(f"{target:.2f}"), {"target": target})


@given(mode, st.sampled_from(SMILES), st.sampled_from(["not {}", "non {}", "{} is not it"]))
def test_negated_molecule(m: str, smiles: str, shape: str) -> None:
    assert_gamed(MoleculeGrader(mode=m), "Answer: " + shape.format(smiles), {"target": smiles})


@given(mode, st.sampled_from(TOX), st.sampled_from(["not {}", "non-{}", "{} or SR-MMP"]))
def test_negated_or_hedged_set_entry(m: str, label: str, shape: str) -> None:
    g = SetGrader(TOX, metric="balanced", prevalence=PREVALENCE, mode=m)
    assert_gamed(g, "Answer: " + shape.format(label), {"target": [label]})


# ---- intervals, +/-, bounds and lists --------------------------------------------------------------------------
@given(mode, st.floats(-8, 2), st.floats(0.51, 20), st.floats(0, 1))
def test_interval_wider_than_tolerance(m: str, target: float, width: float, where: float) -> None:
    low = target - where * width
    high = low + width
    g = numbers(m)
    for text in (f"{low:.3f} to {high:.3f}", f"between {low:.3f} and {high:.3f}", f"[{low:.3f}, {high:.3f}]"):
        assert_gamed(g, "Answer: " + text, {"target": target})
    mid = (low + high) / 2
    for pm in ("±", "+/-", "+-", "plus or minus "):
        assert_gamed(g, f"Answer: {mid:.3f} {pm}{width:.3f}", {"target": target})


@given(mode, st.floats(0.01, 100), st.floats(0.5, 0.99))
def test_plus_minus_on_a_log_scale(m: str, target: float, frac: float) -> None:
    g = NumericGrader(abs_tol=0.1, scale="log", mode=m)
    assert_gamed(g, f"Answer: {target:.4g} ± {target * frac:.4g}", {"target": target})


@given(
    mode, st.floats(-8, 2), st.sampled_from(["< {}", "> {}", "<= {}", "≥ {}", "at least {}", "up to {}", "below {}"])
)
def test_bounds(m: str, value: float, shape: str) -> None:
    assert_gamed(numbers(m), "Answer: " + shape.format(f"{value:.2f}"), {"target": round(value, 2)})


@given(mode, st.lists(st.floats(-8, 2).map(lambda x: round(x, 2)), min_size=2, max_size=6, unique=True))
def test_numeric_lists(m: str, values: list[float]) -> None:
    target = values[0]
    g = numbers(m)
    for answer in (json.dumps(values), ", ".join(map(str, values)), " or ".join(map(str, values))):
        assert_gamed(g, "Answer: " + answer, {"target": target})
    assert_gamed(g, json.dumps({"answer": values}), {"target": target})
    assert_gamed(g, {"output_json": {"answer": values}}, {"target": target})


# ---- molecule alternatives -------------------------------------------------------------------------------------
@given(
    mode, st.sampled_from(SMILES), st.sampled_from(SMILES), st.sampled_from(["{} or {}", "{} {}", "either {} or {}"])
)
def test_molecule_alternatives(m: str, gold: str, other: str, shape: str) -> None:
    if gold == other:
        return
    assert_gamed(MoleculeGrader(mode=m), "Answer: " + shape.format(gold, other), {"target": gold})
    assert_gamed(MoleculeGrader(mode=m), "Answer: " + shape.format(other, gold), {"target": gold})


def test_label_alternatives_both_modes() -> None:
    for m in MODES:
        for text in ("BBB+ or BBB-", "BBB+/BBB-", "either", "both", "permeable or impermeable"):
            assert_gamed(labels(m), "Answer: " + text, {"target": "BBB+"})


# ---- confidence ------------------------------------------------------------------------------------------------
@given(st.floats(0, 10, allow_nan=False), st.sampled_from(["{:e}", "{:.3g}", "{:.2%}", "{!r}", "{:.4f}"]))
def test_confidence_scientific_and_percent(value: float, fmt: str) -> None:
    shown = fmt.format(value)
    got = extract(f"Answer: BBB+\nConfidence: {shown}").confidence
    number = float(shown[:-1]) / 100 if shown.endswith("%") else float(shown)
    if 0.0 <= number <= 1.0:
        assert got is not None
        assert math.isclose(got, number)
    else:
        assert got is None


@pytest.mark.parametrize(
    ("shown", "expected"),
    [("1e-9", 1e-9), ("2.5E-1", 0.25), ("80%", 0.8), ("80 %", 0.8), ("150%", None), ("-0.1", None), ("1.5", None)],
)
def test_confidence_examples(shown: str, expected: float | None) -> None:
    assert labels("strict").explain(f"Answer: BBB+\nConfidence: {shown}", {"target": "BBB+"}).confidence == expected
    item = {"target": "BBB+"}
    assert labels("strict").explain(json.dumps({"answer": "BBB+", "confidence": shown}), item).confidence == expected


# ---- lone surrogates -------------------------------------------------------------------------------------------
@given(st.text(max_size=30), st.sampled_from(["\ud800", "\udc00", "\udfff"]), st.sampled_from(SMILES))
def test_lone_surrogate_is_never_a_grader_error(text: str, surrogate: str, smiles: str) -> None:
    graders = [labels("strict"), numbers("lenient"), MoleculeGrader(), MoleculeGrader(mode="lenient")]
    samples = [
        f"Answer: {text}{surrogate}",
        surrogate + text,
        json.dumps({"answer": surrogate + smiles}, ensure_ascii=False),
        {"output_json": {"answer": [surrogate]}},
        {"output_json": {"answer": smiles + surrogate}},
    ]
    for g in graders:
        for sample in samples:
            result = g.explain(sample, {"target": smiles if isinstance(g, MoleculeGrader) else "BBB+"})
            assert result.reason is not Reason.GRADER_ERROR, (sample, result)
