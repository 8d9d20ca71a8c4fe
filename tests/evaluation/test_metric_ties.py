"""AUROC and AUPRC are exact under ties: only the order of the scores and which of them are equal count."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sklearn import metrics as skm

from biorft.baselines import LabelPrior
from biorft.evaluation import EvalRecord
from biorft.evaluation import _metrics as mf
from biorft.evaluation._stats import _complement, compute_metrics
from biorft.schema import Example
from tests.evaluation._helpers import TinyDataset, binary_spec

# Confidences as a model writes them: a short decimal, from a small pool so that ties are common.
DECIMALS = st.integers(0, 10_000).map(lambda k: str(Decimal(k) / 10_000))
LABELS = st.lists(st.booleans(), min_size=2, max_size=60).filter(lambda y: 0 < sum(y) < len(y))


def _both_classes(n: int) -> st.SearchStrategy[np.ndarray]:
    return st.lists(st.booleans(), min_size=n, max_size=n).filter(lambda y: 0 < sum(y) < n).map(np.array)


@st.composite
def labelled_scores(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 60))
    y = draw(_both_classes(n))
    pool = draw(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=8))
    s = np.array(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n)), dtype=np.float64)
    return y, s


TRANSFORMS = {
    "1 - (1 - s)": lambda s, a, b: 1.0 - (1.0 - s),
    "affine": lambda s, a, b: a * s + b,
    "affine of the complement, reversed": lambda s, a, b: -(a * (1.0 - s) + b),
    "exp": lambda s, a, b: np.exp(a * s),
    "cube": lambda s, a, b: (s - 0.5) ** 3,
    "log1p": lambda s, a, b: np.log1p(s),
    "logit": lambda s, a, b: np.log((s + 1e-3) / (1.0 + 1e-3 - s)),
}


def _keeps_order_and_ties(s: np.ndarray, t: np.ndarray) -> bool:
    """``t`` orders the elements as ``s`` does, with the same ties (float rounding can merge two close values)."""
    order = np.argsort(s, kind="mergesort")
    ds, dt = np.diff(s[order]), np.diff(t[order])
    return bool(np.all((ds == 0) == (dt == 0)) and np.all(dt >= 0))


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@given(data=labelled_scores(), a=st.floats(0.01, 100.0), b=st.floats(-100.0, 100.0))
def test_order_preserving_transforms_leave_auroc_and_auprc_unchanged(
    name: str, data: tuple[np.ndarray, np.ndarray], a: float, b: float
) -> None:
    y, s = data
    t = TRANSFORMS[name](s, a, b)
    assume(_keeps_order_and_ties(s, t))
    assert mf.auroc(y, t) == mf.auroc(y, s)
    assert mf.average_precision(y, t) == mf.average_precision(y, s)


@given(data=labelled_scores())
def test_tied_scores_match_sklearn(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, s = data
    assert mf.auroc(y, s) == pytest.approx(skm.roc_auc_score(y, s), rel=1e-12, abs=1e-12)
    assert mf.average_precision(y, s) == pytest.approx(skm.average_precision_score(y, s), rel=1e-12, abs=1e-12)


@given(y=LABELS, c=st.floats(0.0, 1.0, allow_nan=False))
def test_a_constant_score_is_chance(y: list[bool], c: float) -> None:
    labels = np.array(y)
    assert mf.auroc(labels, np.full(len(y), c)) == 0.5
    assert mf.average_precision(labels, np.full(len(y), c)) == sum(y) / len(y)


@given(digits=st.integers(0, 10**17 - 1), places=st.integers(1, 17), c=st.floats(0.0, 1.0))
def test_the_complement_is_exact_on_the_written_decimal(digits: int, places: int, c: float) -> None:
    written = float(Decimal(digits % 10**places) / 10**places)  # a confidence as a model writes it
    assert _complement(written) == float(Decimal(1) - Decimal(repr(written)))
    assert _complement(c) == float(1 - Fraction(repr(c)))


def _records(targets: list[bool], answers: list[bool], confidences: list[str]) -> list[EvalRecord]:
    pos, neg = binary_spec().labels
    return [
        EvalRecord(
            id=str(i),
            sample=0,
            output_text=f"Answer: {pos if a else neg} (confidence {c})",
            score=float(a == t),
            reason="correct" if a == t else "incorrect",
            answer=pos if a else neg,
            target=pos if t else neg,
            confidence=float(c),
        )
        for i, (t, a, c) in enumerate(zip(targets, answers, confidences, strict=True))
    ]


@st.composite
def stated_answers(draw: st.DrawFn) -> tuple[list[bool], list[bool], list[str], list[bool]]:
    n = draw(st.integers(2, 40))
    targets = draw(_both_classes(n)).tolist()
    answers = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    pool = draw(st.lists(DECIMALS, min_size=1, max_size=5))
    confidences = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    flip = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return targets, answers, confidences, flip


@given(stated_answers())
def test_stating_the_other_label_with_one_minus_c_changes_nothing(
    case: tuple[list[bool], list[bool], list[str], list[bool]],
) -> None:
    # "sensitive, 0.6667" and "insensitive, 0.3333" are the same prediction: P(sensitive) = 0.6667.
    targets, answers, confidences, flip = case
    flipped_answers = [a != f for a, f in zip(answers, flip, strict=True)]
    flipped_conf = [str(1 - Decimal(c)) if f else c for c, f in zip(confidences, flip, strict=True)]
    spec = binary_spec()
    before = compute_metrics(spec, _records(targets, answers, confidences), n_boot=0)
    after = compute_metrics(spec, _records(targets, flipped_answers, flipped_conf), n_boot=0)
    assert after["auroc"].value == before["auroc"].value
    assert after["auprc"].value == before["auprc"].value


@given(stated_answers())
def test_one_probability_stated_two_ways_is_chance(case: tuple[list[bool], list[bool], list[str], list[bool]]) -> None:
    targets, answers, _, _ = case
    p = "0.6667"
    confidences = [p if a else str(1 - Decimal(p)) for a in answers]  # P(positive) = 0.6667 for every example
    m = compute_metrics(binary_spec(), _records(targets, answers, confidences), n_boot=0)
    assert m["auroc"].value == 0.5
    assert m["auprc"].value == sum(targets) / len(targets)


@pytest.mark.parametrize(("n_train", "n_positive"), [(160, 1), (320, 2), (3, 2), (49, 15)])
def test_the_label_prior_baseline_scores_chance(n_train: int, n_positive: int) -> None:
    # 1/160 and 159/160 both round up at 4 decimals: stated on their own they would not add up to 1.
    spec = binary_spec()
    pos, neg = spec.labels
    train = TinyDataset(
        spec, [Example(id=f"r{i}", entity="G", target=pos if i < n_positive else neg) for i in range(n_train)]
    )
    test = TinyDataset(spec, [Example(id=f"t{i}", entity="G", target=pos if i % 3 == 0 else neg) for i in range(300)])
    report = LabelPrior(seed=1).fit(train).evaluate(test, n_boot=0)
    answered = {r.answer for r in report.records}
    assert answered == {pos, neg}  # both labels drawn, so the two stated confidences meet in the scores
    assert report.metrics["auroc"].value == 0.5
    assert report.metrics["auprc"].value == 100 / 300
