from __future__ import annotations

import pytest

from biorft.errors import GraderError
from biorft.graders import FormatGrader, Gate, LabelGrader, MaxOf, MinOf, NumericGrader, Reason, WeightedSum

LABEL = LabelGrader(["yes", "no"], name="label")
JSON_FORMAT = FormatGrader(["json"], name="json_format")


def test_weighted_sum() -> None:
    g = WeightedSum([(3, LABEL), (1, JSON_FORMAT)])
    item = {"target": "yes"}
    assert g('{"answer": "yes"}', item) == 1.0
    assert g("Answer: yes", item) == 0.75
    assert g('{"answer": "no"}', item) == 0.25
    result = g.explain("Answer: no", item)
    assert (result.score, result.reason) == (0.0, Reason.INCORRECT)
    assert "label=0" in result.detail
    assert "json_format=0" in result.detail
    assert g.explain("Answer: yes", item).reason is Reason.PARTIAL
    assert g.referenced_fields == frozenset({"target"})


def test_gate() -> None:
    g = Gate(JSON_FORMAT, LABEL)
    item = {"target": "yes"}
    assert g('{"answer": "yes"}', item) == 1.0
    blocked = g.explain("Answer: yes", item)
    assert (blocked.score, blocked.reason) == (0.0, Reason.FORMAT_ERROR)
    assert "gate json_format" in blocked.detail
    assert Gate(NumericGrader(decay="linear", width=1), LABEL, threshold=0.5)("Answer: yes", {"target": 0.6}) == 0.0


def test_min_max() -> None:
    near = NumericGrader(abs_tol=0.1, decay="linear", width=1.0, name="near")
    loose = NumericGrader(abs_tol=1.0, name="loose")
    item = {"target": 0.0}
    assert MinOf([near, loose])("Answer: 0.6", item) == pytest.approx(0.5)
    assert MaxOf([near, loose])("Answer: 0.6", item) == 1.0
    assert MinOf([near, loose]).explain("Answer: 0.6", item).reason is Reason.PARTIAL


def test_composition_exports_one_python_grader() -> None:
    d = WeightedSum([(1, LABEL), (1, Gate(JSON_FORMAT, LABEL))]).to_openai()
    assert d["type"] == "python"
    assert '"type": "gate"' in d["source"]


@pytest.mark.parametrize(
    ("build", "param"),
    [
        (lambda: WeightedSum([]), "parts"),
        (lambda: WeightedSum([(0, LABEL)]), "weight"),
        (lambda: WeightedSum([(-1, LABEL)]), "weight"),
        (lambda: WeightedSum([(1, "label")]), "grader"),
        (lambda: WeightedSum([LABEL]), "pair"),
        (lambda: Gate(LABEL, LABEL, threshold=0), "threshold"),
        (lambda: Gate("x", LABEL), "gate"),
        (lambda: MinOf([]), "graders"),
        (lambda: MaxOf([LABEL, 3]), r"graders\[1\]"),
    ],
)
def test_bad_configuration(build: object, param: str) -> None:
    with pytest.raises(GraderError, match=param):
        build()  # type: ignore[operator]
