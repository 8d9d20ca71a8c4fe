"""Metrics of graded records by task kind, bootstrap intervals and paired differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from biorft.evaluation import EvalRecord
from biorft.evaluation._stats import compute_metrics, paired_differences
from tests.evaluation._helpers import binary_spec, multiclass_spec, multilabel_spec, regression_spec


def rec(
    i: int | str,
    answer,
    target,
    *,
    score: float | None = None,
    reason: str | None = None,
    sample: int = 0,
    confidence: float | None = None,
    known=None,
) -> EvalRecord:
    ok = answer == target
    return EvalRecord(
        id=str(i),
        sample=sample,
        output_text="",
        score=float(ok) if score is None else score,
        reason=reason or ("correct" if ok else "incorrect"),
        answer=answer,
        target=target,
        confidence=confidence,
        known_labels=known,
    )


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_binary_metrics_use_labels_and_confidence() -> None:
    spec = binary_spec()
    pos, neg = spec.labels
    rng = np.random.default_rng(0)
    targets = [pos if rng.random() < 0.3 else neg for _ in range(80)]
    answers = [t if rng.random() < 0.7 else (neg if t == pos else pos) for t in targets]
    answers[:5] = [None] * 5  # no answer
    confs = rng.uniform(0.5, 1.0, 80)
    recs = [rec(i, a, t, confidence=float(c)) for i, (a, t, c) in enumerate(zip(answers, targets, confs))]
    m = compute_metrics(spec, recs, n_boot=200, seed=1)
    code = {pos: 0, neg: 1, None: 2}
    yt = np.array([code[t] for t in targets])
    yp = np.array([code[a] for a in answers])
    assert m["accuracy"].value == pytest.approx(skm.accuracy_score(yt, yp))
    assert m["balanced_accuracy"].value == pytest.approx(skm.balanced_accuracy_score(yt, yp))
    assert m["mcc"].value == pytest.approx(skm.matthews_corrcoef(yt, yp))
    assert m["answered"].value == pytest.approx(75 / 80)
    # P(positive) = confidence for a positive answer, 1 - confidence for a negative one; unanswered left out
    has = yp < 2
    p_pos = np.where(yp == 0, confs, 1 - confs)[has]
    assert m["auroc"].value == pytest.approx(skm.roc_auc_score(yt[has] == 0, p_pos))
    assert m["auprc"].value == pytest.approx(skm.average_precision_score(yt[has] == 0, p_pos))
    assert m["auroc"].n == 75
    assert m["reason/correct"].value + m["reason/incorrect"].value == pytest.approx(1.0)
    for name, metric in m.items():
        assert metric.ci_low <= metric.value + 1e-12, name
        assert metric.value <= metric.ci_high + 1e-12, name


def test_auroc_absent_without_confidences_and_for_multiclass() -> None:
    spec = binary_spec()
    recs = [rec(i, "sensitive", "sensitive" if i % 2 else "insensitive") for i in range(10)]
    assert "auroc" not in compute_metrics(spec, recs, n_boot=0)
    mspec = multiclass_spec()
    recs = [rec(i, "a", "abc"[i % 3], confidence=0.9) for i in range(9)]
    m = compute_metrics(mspec, recs, n_boot=0)
    assert "auroc" not in m
    assert m["accuracy"].value == pytest.approx(1 / 3)


def test_unknown_or_hedged_answers_are_not_predictions() -> None:
    spec = binary_spec()
    recs = [
        rec(0, ["sensitive", "insensitive"], "sensitive", reason="hedged"),
        rec(1, "SENSITIVE", "sensitive", score=1.0),  # case differences still map onto the label
        rec(2, "maybe", "insensitive", reason="parse_error"),
    ]
    m = compute_metrics(spec, recs, n_boot=0)
    assert m["accuracy"].value == pytest.approx(1 / 3)
    assert m["answered"].value == pytest.approx(1 / 3)
    assert m["reason/hedged"].value == pytest.approx(1 / 3)


def test_multilabel_respects_known_labels() -> None:
    spec = multilabel_spec()
    recs = [
        rec(0, ["nr-ar"], ["nr-ar"], known=None),
        # sr-p53 predicted but not measured for this example: not a false positive
        rec(1, ["sr-are", "sr-p53"], ["sr-are"], known=("nr-ar", "sr-are"), score=1.0),
        rec(2, None, ["sr-p53"], reason="no_answer", score=0.0),
    ]
    m = compute_metrics(spec, recs, n_boot=0)
    # tp: nr-ar(0), sr-are(1); fn: sr-p53(2); fp: none
    assert m["micro_f1"].value == pytest.approx(2 * 2 / (2 * 2 + 0 + 1))
    assert m["macro_f1"].value == pytest.approx((1.0 + 1.0 + 0.0) / 3)
    assert m["answered"].value == pytest.approx(2 / 3)


def test_regression_metrics_over_answered_and_tolerance_over_all() -> None:
    spec = regression_spec()
    targets = [float(i) for i in range(10)]
    answers = [t + 0.3 for t in targets[:8]] + [None, "n/a"]
    recs = [rec(i, a, t) for i, (a, t) in enumerate(zip(answers, targets))]
    m = compute_metrics(spec, recs, n_boot=100)
    assert m["mae"].value == pytest.approx(0.3)
    assert m["mae"].n == 8
    assert m["rmse"].value == pytest.approx(0.3)
    assert m["spearman"].value == pytest.approx(1.0)
    assert m["within_tolerance"].value == pytest.approx(0.8)
    assert m["within_tolerance"].n == 10


def test_bootstrap_is_seeded_and_resamples_examples_not_samples() -> None:
    spec = binary_spec()
    # 30 examples x 4 samples; all samples of an example agree, so per-example clustering matters
    recs = [rec(i, "sensitive" if i % 3 else "insensitive", "sensitive", sample=s) for i in range(30) for s in range(4)]
    a = compute_metrics(spec, recs, n_boot=300, seed=7)
    b = compute_metrics(spec, recs, n_boot=300, seed=7)
    c = compute_metrics(spec, recs, n_boot=300, seed=8)
    assert a == b
    assert a["accuracy"] != c["accuracy"]
    # width must reflect 30 independent units, not 120: compare with a 30-example single-sample run
    single = compute_metrics(spec, [r for r in recs if r.sample == 0], n_boot=300, seed=7)
    width = a["accuracy"].ci_high - a["accuracy"].ci_low
    width_single = single["accuracy"].ci_high - single["accuracy"].ci_low
    assert width == pytest.approx(width_single, rel=0.35)


@given(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=2**31))
def test_ci_contains_the_point_estimate_for_means(n_right: int, seed: int) -> None:
    spec = binary_spec()
    recs = [rec(i, "sensitive" if i < n_right else "insensitive", "sensitive") for i in range(40)]
    m = compute_metrics(spec, recs, n_boot=50, seed=seed)["mean_reward"]
    assert m.value == pytest.approx(n_right / 40)
    assert m.ci_low <= m.value <= m.ci_high


def test_paired_differences_on_shared_examples() -> None:
    spec = binary_spec()
    ref = [rec(i, "sensitive" if i % 4 == 0 else "insensitive", "sensitive") for i in range(60)]
    better = [rec(i, "sensitive" if i % 4 != 3 else "insensitive", "sensitive") for i in range(10, 70)]
    diffs, shared = paired_differences(spec, ref, better, n_boot=300, seed=0)
    assert shared == 50
    shared_ids = {str(i) for i in range(10, 60)}
    acc_ref = np.mean([r.answer == r.target for r in ref if r.id in shared_ids])
    acc_new = np.mean([r.answer == r.target for r in better if r.id in shared_ids])
    assert diffs["accuracy"].value == pytest.approx(acc_new - acc_ref)
    assert diffs["accuracy"].excludes(0.0)
    same, _ = paired_differences(spec, ref, ref, n_boot=100, seed=0)
    assert same["accuracy"].value == 0.0
    assert (same["accuracy"].ci_low, same["accuracy"].ci_high) == (0.0, 0.0)
    assert paired_differences(spec, ref, [rec("x", "sensitive", "sensitive")], n_boot=10) == ({}, 0)


def test_reason_present_in_one_run_only_has_zero_share_in_the_other() -> None:
    spec = binary_spec()
    a = [rec(i, "sensitive", "sensitive") for i in range(10)]
    b = [rec(i, None, "sensitive", reason="no_answer", score=0.0) for i in range(10)]
    diffs, _ = paired_differences(spec, a, b, n_boot=20)
    assert diffs["reason/no_answer"].value == 1.0
    assert diffs["reason/correct"].value == -1.0


def test_empty_records_give_nan_metrics() -> None:
    m = compute_metrics(binary_spec(), [], n_boot=10)
    assert math.isnan(m["mean_reward"].value)
    assert math.isnan(m["accuracy"].value)


def test_outputs_the_grader_could_not_score_are_no_predictions() -> None:
    spec = regression_spec()
    recs = [rec(0, 1.0, 1.0), rec(1, 1e300, 2.0, reason="out_of_range", score=0.0)]
    m = compute_metrics(spec, recs, n_boot=0)
    assert m["mae"].value == 0.0
    assert m["mae"].n == 1
    assert m["answered"].value == 0.5
    bspec = binary_spec()
    recs = [rec(0, "sensitive", "sensitive", reason="format_error", score=0.0)]
    assert compute_metrics(bspec, recs, n_boot=0)["accuracy"].value == 0.0
