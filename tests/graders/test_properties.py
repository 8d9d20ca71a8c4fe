"""Invariants every grader keeps (hypothesis)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from biorft.graders import (
    FormatGrader,
    Gate,
    LabelGrader,
    MaxOf,
    MinOf,
    MoleculeGrader,
    NumericGrader,
    Reason,
    SetGrader,
    WeightedSum,
)
from tests.graders.catalogue import BBB, GENE_SYNONYMS, GENES, KIND_OF, TOX, catalogue, items, reasoning, samples

GRADERS = catalogue()


@pytest.mark.parametrize("key", sorted(GRADERS))
def test_score_in_unit_interval_and_no_internal_error(key: str) -> None:
    grader = GRADERS[key]

    @given(samples(KIND_OF[key]), items(KIND_OF[key]))
    def check(sample: Any, item: Any) -> None:
        result = grader.explain(sample, item)
        assert isinstance(result.score, float)
        assert math.isfinite(result.score)
        assert 0.0 <= result.score <= 1.0
        assert result.reason is not Reason.GRADER_ERROR, result
        assert grader(sample, item) == result.score
        assert (result.score == 1.0) == (result.reason is Reason.CORRECT)
        if result.reason not in (Reason.PARTIAL, Reason.CORRECT):
            assert result.score == 0.0

    check()


@given(st.sampled_from(sorted(GRADERS)), st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_never_raises_on_any_text(key: str, text: str) -> None:
    result = GRADERS[key].explain({"output_text": text}, {"target": "BBB+", "alt": 1.0})
    assert 0.0 <= result.score <= 1.0
    assert result.reason is not Reason.GRADER_ERROR


FORMS = ["Answer: {}", "**Final answer:** {}", "<answer>{}</answer>", "JSON", "FENCE"]


def _state(answer: Any, form: str) -> str:
    if form == "JSON":
        return json.dumps({"answer": answer})
    if form == "FENCE":
        return "```json\n" + json.dumps({"answer": answer}) + "\n```"
    return form.format(answer if isinstance(answer, str) else json.dumps(answer))


def _invariance_case(key: str) -> st.SearchStrategy[tuple[Any, dict[str, Any]]]:
    kind = KIND_OF[key]
    if kind in ("bbb",):
        return st.tuples(st.sampled_from([*BBB, "permeable", "BBB+ or BBB-", "BBB"]), st.just({"target": "BBB+"}))
    if kind == "genes":
        return st.tuples(st.sampled_from([*GENES, "Dosage-Sensitive", "both"]), st.just({"target": "sensitive"}))
    if kind == "multiclass":
        return st.tuples(st.sampled_from(["low", "Very High", "high or low"]), st.just({"target": "very high"}))
    if kind == "set":
        return st.tuples(st.lists(st.sampled_from(TOX), max_size=3), st.just({"target": ["NR-AR", "SR-p53"]}))
    if kind == "number":
        return st.tuples(st.floats(-100, 100).map(repr), st.just({"target": 1.5, "alt": 1.2}))
    if kind == "positive":
        return st.tuples(st.floats(0.001, 1000).map(repr), st.just({"target": 3.0}))
    return st.tuples(st.sampled_from(["CCO", "OCC", "c1ccccc1O", "C1CC"]), st.just({"target": "CCO"}))


@pytest.mark.parametrize("key", sorted(GRADERS))
def test_invariant_to_whitespace_and_reasoning(key: str) -> None:
    grader = GRADERS[key]

    @given(_invariance_case(key), st.sampled_from(FORMS), reasoning, st.sampled_from(["", " ", "\n\n", "\t \n"]))
    def check(case: tuple[Any, dict[str, Any]], form: str, thoughts: str, pad: str) -> None:
        answer, item = case
        stated = _state(answer, form)
        base = grader.explain(stated, item)
        wrapped = f"{pad}{thoughts}\n{stated}{pad}"
        assume(thoughts.strip() or not wrapped.strip().count("\n"))  # a lone reasoning line must not be blank
        assert grader.explain(wrapped, item) == base
        assert grader.explain({"output_text": f"{pad}{stated}{pad}"}, item) == base

    check()


@given(st.sampled_from(BBB), st.sampled_from(["line", "tag", "json", "boxed"]), reasoning)
def test_correct_label_scores_one_and_hedge_zero(label: str, form: str, thoughts: str) -> None:
    grader = GRADERS["label_strict"]
    other = BBB[1 - BBB.index(label)]
    fmt = {"line": "Answer: {}", "tag": "<answer>{}</answer>", "json": "JSON", "boxed": "So $\\boxed{{{}}}$."}[form]
    assert grader(f"{thoughts}\n{_state(label, fmt)}", {"target": label}) == 1.0
    assert grader(f"{thoughts}\n{_state(other, fmt)}", {"target": label}) == 0.0
    for hedge in (f"{label} or {other}", f"{other}/{label}", "both", f"either {label}", [label, other]):
        result = grader.explain(f"{thoughts}\n{_state(hedge, fmt)}", {"target": label})
        assert (result.score, result.reason) == (0.0, Reason.HEDGED), hedge


@given(st.sampled_from(GENES), st.data())
def test_synonyms_and_spellings_score_one(label: str, data: st.DataObject) -> None:
    grader = GRADERS["label_synonyms"]
    spelling = data.draw(st.sampled_from([label, *GENE_SYNONYMS.get(label, ())]))
    variant = data.draw(
        st.sampled_from([spelling.upper(), spelling.title(), spelling.replace(" ", "-"), spelling.replace(" ", "_")])
    )
    assert grader(f"Answer: {variant}", {"target": label}) == 1.0


DECAYS = ["exponential", "linear", "gaussian", "none"]
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(
    st.sampled_from(DECAYS),
    st.floats(0, 5),
    st.floats(0, 0.5),
    st.floats(0.01, 10),
    finite,
    finite,
    finite,
)
def test_numeric_monotone_in_error(
    decay: str, abs_tol: float, rel_tol: float, width: float, target: float, a: float, b: float
) -> None:
    grader = NumericGrader(abs_tol=abs_tol, rel_tol=rel_tol, decay=decay, width=width)
    if abs(a - target) > abs(b - target):
        a, b = b, a
    item = {"target": target}
    sa, sb = grader(f"Answer: {a!r}", item), grader(f"Answer: {b!r}", item)
    assert sa >= sb
    if abs(a - target) <= max(abs_tol, rel_tol * abs(target)):
        assert sa == 1.0


@given(st.sampled_from(DECAYS), st.floats(0, 2), st.floats(1e-4, 1e4), st.floats(1e-4, 1e4), st.floats(1e-4, 1e4))
def test_numeric_monotone_in_log_error(decay: str, abs_tol: float, target: float, a: float, b: float) -> None:
    grader = NumericGrader(abs_tol=abs_tol, decay=decay, scale="log")
    err = lambda x: abs(math.log10(x) - math.log10(target))  # noqa: E731
    if err(a) > err(b):
        a, b = b, a
    assert grader(f"Answer: {a!r}", {"target": target}) >= grader(f"Answer: {b!r}", {"target": target})


@given(st.lists(st.sampled_from(TOX), unique=True), st.lists(st.sampled_from(TOX), unique=True), st.booleans())
def test_set_scores(predicted: list[str], gold: list[str], jaccard: bool) -> None:
    grader = SetGrader(TOX, metric="jaccard" if jaccard else "f1")
    score = grader(json.dumps({"answer": predicted}), {"target": gold})
    assert 0.0 <= score <= 1.0
    assert (score == 1.0) == (set(predicted) == set(gold))
    if set(predicted) and set(gold) and not set(predicted) & set(gold):
        assert score == 0.0


unit = st.floats(0, 1)


@given(st.lists(st.tuples(st.floats(0.01, 10), unit, unit), min_size=1, max_size=4), st.floats(0.01, 1))
def test_composition_bounded_and_monotone(parts: list[tuple[float, float, float]], threshold: float) -> None:
    # Part i is a linear numeric grader on field fi whose score is exactly 1 - |answer - target_i| for answer 0:
    # scores s (low) and t (high = max(s, t)) give two items; every composition must not decrease from low to high.
    graders = [NumericGrader(decay="linear", width=1.0, target_field=f"f{i}") for i in range(len(parts))]
    low = {f"f{i}": 1.0 - min(s, t) for i, (_, s, t) in enumerate(parts)}
    high = {f"f{i}": 1.0 - max(s, t) for i, (_, s, t) in enumerate(parts)}
    weights = [w for w, _, _ in parts]
    composed = [
        WeightedSum(list(zip(weights, graders))),
        MinOf(graders),
        MaxOf(graders),
        Gate(graders[0], graders[-1], threshold=threshold),
    ]
    for grader in composed:
        s_low, s_high = grader("Answer: 0", low), grader("Answer: 0", high)
        assert 0.0 <= s_low <= s_high <= 1.0, grader
    part_high = [g("Answer: 0", high) for g in graders]
    assert math.isclose(composed[0]("Answer: 0", high), sum(w * s for w, s in zip(weights, part_high)) / sum(weights))
    assert composed[1]("Answer: 0", high) == min(part_high)
    assert composed[2]("Answer: 0", high) == max(part_high)
    assert composed[3]("Answer: 0", high) == (part_high[-1] if part_high[0] >= threshold else 0.0)


@given(reasoning)
def test_molecule_correct_scores_one(thoughts: str) -> None:
    grader = MoleculeGrader()
    for answer, target in [("OCC", "CCO"), ("[O-]C(=O)c1ccccc1.[Na+]", "OC(=O)c1ccccc1")]:
        assert grader(f"{thoughts}\nAnswer: {answer}", {"target": target}) == 1.0


def test_format_grader_reads_no_item() -> None:
    assert FormatGrader().referenced_fields == frozenset()
    assert LabelGrader(BBB).referenced_fields == frozenset({"target"})
