from __future__ import annotations

import math

import pytest

from biorft.errors import GraderError
from biorft.graders import NumericGrader, Reason
from biorft.graders._rt.numbers import parse_number, units_pattern


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("-3.2", -3.2),
        ("\u22123.2", -3.2),
        ("\u20133.2", -3.2),
        ("+4", 4.0),
        (".5", 0.5),
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567.0),
        ("12'500", 12500.0),
        ("1,5", 1.5),
        ("3.2e-4", 3.2e-4),
        ("3.2E+2", 320.0),
        ("3.2 x 10^-4", 3.2e-4),
        ("3.2×10^4", 3.2e4),
        ("3.2·10⁻⁴", 3.2e-4),
        ("~ -2.1 log(mol/L)", -2.1),
        ("-2.1 ± 0.3", -2.1),
        ("-2.1 +/- 0.3", -2.1),
        ("logS = -2.5", -2.5),
        ("pIC50: 6.5", 6.5),
        ("about 12 nM", 12.0),
        ("５.５", 5.5),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    parsed, reason, _ = parse_number(text, units_pattern(["log(mol/L)"]), lenient=False)
    assert reason == ""
    assert parsed == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("nan", "parse_error"),
        ("NaN", "parse_error"),
        ("inf", "out_of_range"),
        ("-Infinity", "out_of_range"),
        ("1e999", "out_of_range"),
        ("1" * 400, "out_of_range"),
        ("abc", "parse_error"),
        ("", "parse_error"),
        ("1-2", "hedged"),
        ("between 1 and 2", "hedged"),
        ("1 to 2", "hedged"),
        ("x" * 20000, "parse_error"),
    ],
)
def test_parse_failures(text: str, reason: str) -> None:
    assert parse_number(text, None, lenient=False)[1] == reason


def test_units_with_digits_are_stripped() -> None:
    caco = units_pattern(["10^-6 cm/s"])
    assert parse_number("15 10^-6 cm/s", caco, lenient=False)[0] == 15.0
    assert parse_number("15 10^-6 cm/s", None, lenient=False)[1] == "hedged"
    assert parse_number("1-2", None, lenient=True)[1] == "hedged"  # a range is a hedge in both modes


def test_json_numbers() -> None:
    g = NumericGrader(abs_tol=0.5)
    assert g('{"answer": -2.2}', {"target": -2.0}) == 1.0
    assert g('{"answer": "-2.2"}', {"target": -2.0}) == 1.0
    assert g.explain('{"answer": true}', {"target": 1.0}).reason is Reason.PARSE_ERROR
    assert g.explain('{"answer": [1, 2]}', {"target": 1.0}).reason is Reason.HEDGED
    assert g.explain('{"answer": NaN}', {"target": 1.0}).reason is Reason.PARSE_ERROR
    assert g.explain('{"answer": 1e999}', {"target": 1.0}).reason is Reason.OUT_OF_RANGE
    assert g.explain({"output_json": {"answer": 10**400}}, {"target": 1.0}).reason is Reason.OUT_OF_RANGE


def test_tolerance_and_decays() -> None:
    item = {"target": 10.0}
    assert NumericGrader(abs_tol=1.0)("Answer: 11", item) == 1.0
    assert NumericGrader(rel_tol=0.1)("Answer: 11", item) == 1.0
    assert NumericGrader(abs_tol=1.0, decay="exponential", width=2.0)("Answer: 13", item) == pytest.approx(math.exp(-1))
    assert NumericGrader(abs_tol=1.0, decay="linear", width=2.0)("Answer: 12", item) == pytest.approx(0.5)
    assert NumericGrader(abs_tol=1.0, decay="linear", width=2.0)("Answer: 14", item) == 0.0
    assert NumericGrader(abs_tol=1.0, decay="gaussian", width=2.0)("Answer: 13", item) == pytest.approx(math.exp(-0.5))
    assert NumericGrader(abs_tol=1.0, decay="none")("Answer: 11.5", item) == 0.0
    result = NumericGrader(abs_tol=1.0, decay="linear", width=2.0).explain("Answer: 12", item)
    assert (result.reason, result.answer) == (Reason.PARTIAL, 12.0)


def test_log_scale() -> None:
    g = NumericGrader(abs_tol=0.3, scale="log")
    assert g("Answer: 19 nM", {"target": 10.0}) == 1.0
    assert g("Answer: 100", {"target": 10.0}) == pytest.approx(math.exp(-0.7 / 0.3))
    assert g.explain("Answer: -5", {"target": 10.0}).reason is Reason.OUT_OF_RANGE
    assert g.explain("Answer: 5", {"target": 0.0}).reason is Reason.BAD_ITEM


def test_bounds() -> None:
    g = NumericGrader(abs_tol=1.0, bounds=(-10, 2))
    assert g.explain("Answer: 3", {"target": 2.0}).reason is Reason.OUT_OF_RANGE
    assert g("Answer: 1.5", {"target": 2.0}) == 1.0


def test_bad_items() -> None:
    g = NumericGrader()
    for item in ({}, {"target": "1"}, {"target": True}, {"target": math.nan}, {"target": math.inf}, []):
        assert g.explain("Answer: 1", item).reason is Reason.BAD_ITEM


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"abs_tol": -0.1}, "abs_tol"),
        ({"abs_tol": math.inf}, "abs_tol"),
        ({"rel_tol": -1}, "rel_tol"),
        ({"width": 0}, "width"),
        ({"decay": "cubic"}, "decay"),
        ({"scale": "ln"}, "scale"),
        ({"scale": "log", "rel_tol": 0.1}, "rel_tol"),
        ({"bounds": (2, 1)}, "bounds"),
        ({"bounds": (1,)}, "bounds"),
        ({"units": [3]}, "units"),
        ({"abs_tol": True}, "abs_tol"),
    ],
)
def test_bad_configuration(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(GraderError, match=param):
        NumericGrader(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["strict", "lenient"])
@pytest.mark.parametrize(
    ("text", "score", "reason"),
    [
        ("-3.2", 1.0, Reason.CORRECT),  # a bare number is the answer
        ("-3.2 log(mol/L)", 1.0, Reason.CORRECT),
        ("3.2e3", 0.0, Reason.INCORRECT),
        ("I cannot tell.", 0.0, Reason.NO_ANSWER),
        ("unknown", 0.0, Reason.NO_ANSWER),
        ("I think it is around -3", 0.0, Reason.NO_ANSWER),  # unmarked prose, not just a number
        ("Answer: unknown", 0.0, Reason.NO_ANSWER),  # a refusal after a marker
        ("Answer: not sure, maybe -3", 0.0, Reason.NO_ANSWER),
        ("Answer: about -3.2", 1.0, Reason.CORRECT),  # a marked answer may carry words
        ("Answer: banana", 0.0, Reason.PARSE_ERROR),
    ],
)
def test_unscorable_is_not_wrong(text: str, score: float, reason: Reason, mode: str) -> None:
    grader = NumericGrader(abs_tol=0.5, decay="none", units=["log(mol/L)"], mode=mode)
    result = grader.explain(text, {"target": -3.2})
    assert (result.score, result.reason) == (score, reason), result


def test_boxed_numbers() -> None:
    grader = NumericGrader(abs_tol=0.01, units=["mol/L"])
    assert grader("Hence the solubility is $\\boxed{-3.2}$.", {"target": -3.2}) == 1.0
    assert grader("\\boxed{3.2 \\times 10^{-4}\\,\\text{mol/L}}", {"target": 3.2e-4}) == 1.0
    assert grader.explain("\\boxed{-3.2} or maybe \\boxed{-1}", {"target": -3.2}).reason is Reason.CONFLICTING
