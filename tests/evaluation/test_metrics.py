"""The numpy metrics equal scikit-learn / scipy on generated inputs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats
from sklearn import metrics as skm

from biorft.evaluation import _metrics as mf

labels_k = st.integers(min_value=2, max_value=5)


@st.composite
def classification(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    k = draw(labels_k)
    n = draw(st.integers(min_value=1, max_value=60))
    y_true = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)), dtype=np.int64)
    # predictions may be the "no answer" code k
    y_pred = np.array(draw(st.lists(st.integers(0, k), min_size=n, max_size=n)), dtype=np.int64)
    return y_true, y_pred, k


@given(classification())
def test_accuracy_balanced_mcc_match_sklearn(data: tuple[np.ndarray, np.ndarray, int]) -> None:
    y_true, y_pred, _k = data
    assert mf.accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected_bal = skm.balanced_accuracy_score(y_true, y_pred)
        expected_mcc = skm.matthews_corrcoef(y_true, y_pred)
    assert mf.balanced_accuracy(y_true, y_pred) == pytest.approx(expected_bal)
    assert mf.mcc(y_true, y_pred) == pytest.approx(expected_mcc, abs=1e-12)


@given(classification())
def test_macro_f1_matches_sklearn_on_present_task_labels(data: tuple[np.ndarray, np.ndarray, int]) -> None:
    y_true, y_pred, k = data
    present = sorted(set(y_true.tolist()) | (set(y_pred.tolist()) - {k}))
    expected = skm.f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)
    assert mf.macro_f1(y_true, y_pred, k) == pytest.approx(expected)


def test_no_answer_is_a_miss_not_a_label() -> None:
    # all answers missing: nothing is right, and the missing code is not averaged as a class of its own
    y_true = np.array([0, 1, 1])
    y_pred = np.array([2, 2, 2])
    assert mf.accuracy(y_true, y_pred) == 0.0
    assert mf.balanced_accuracy(y_true, y_pred) == 0.0
    assert mf.macro_f1(y_true, y_pred, 2) == 0.0


scores = st.floats(min_value=0.0, max_value=1.0, allow_nan=False).map(lambda x: round(x, 2))  # ties on purpose


@st.composite
def binary_scores(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(min_value=2, max_value=80))
    y = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    s = np.array(draw(st.lists(scores, min_size=n, max_size=n)), dtype=np.float64)
    return y, s


@given(binary_scores())
def test_auroc_and_average_precision_match_sklearn(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, s = data
    if y.all() or not y.any():
        assert math.isnan(mf.auroc(y, s))
        return
    assert mf.auroc(y, s) == pytest.approx(skm.roc_auc_score(y, s))
    assert mf.average_precision(y, s) == pytest.approx(skm.average_precision_score(y, s))


def test_average_precision_without_positives_is_nan() -> None:
    assert math.isnan(mf.average_precision(np.array([False, False]), np.array([0.1, 0.2])))


@st.composite
def multilabel(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(min_value=1, max_value=40))
    k = draw(st.integers(min_value=2, max_value=5))  # sklearn reads a single column as binary, not multilabel
    t = np.array(draw(st.lists(st.lists(st.booleans(), min_size=k, max_size=k), min_size=n, max_size=n)))
    p = np.array(draw(st.lists(st.lists(st.booleans(), min_size=k, max_size=k), min_size=n, max_size=n)))
    return t.astype(bool), p.astype(bool)


@given(multilabel())
def test_multilabel_f1_matches_sklearn_when_all_labels_known(data: tuple[np.ndarray, np.ndarray]) -> None:
    t, p = data
    micro, macro = mf.multilabel_f1(t, p, np.ones_like(t))
    present = [j for j in range(t.shape[1]) if t[:, j].any() or p[:, j].any()]
    assume(present)
    assert micro == pytest.approx(skm.f1_score(t, p, average="micro", zero_division=0))
    assert macro == pytest.approx(skm.f1_score(t, p, labels=present, average="macro", zero_division=0))


def test_multilabel_unknown_cells_count_neither_way() -> None:
    t = np.array([[True, False], [False, False]])
    p = np.array([[True, True], [False, True]])
    known = np.array([[True, False], [True, False]])  # label 1 never measured
    micro, macro = mf.multilabel_f1(t, p, known)
    assert (micro, macro) == (1.0, 1.0)
    micro_all, _ = mf.multilabel_f1(t, p, np.ones_like(t))
    assert micro_all < 1.0


finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False).map(lambda x: round(x, 1))


@st.composite
def pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(min_value=2, max_value=60))
    x = np.array(draw(st.lists(finite, min_size=n, max_size=n)), dtype=np.float64)
    y = np.array(draw(st.lists(finite, min_size=n, max_size=n)), dtype=np.float64)
    return x, y


@given(pairs())
def test_regression_metrics_match_sklearn_and_scipy(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = data
    assert mf.mae(x, y) == pytest.approx(skm.mean_absolute_error(x, y))
    assert mf.rmse(x, y) == pytest.approx(math.sqrt(skm.mean_squared_error(x, y)))
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        assert math.isnan(mf.pearson(x, y))
        assert math.isnan(mf.spearman(x, y))
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected_r = stats.pearsonr(x, y).statistic
        expected_rho = stats.spearmanr(x, y).statistic
    assert mf.pearson(x, y) == pytest.approx(expected_r, abs=1e-9)
    assert mf.spearman(x, y) == pytest.approx(expected_rho, abs=1e-9)


@given(st.lists(finite, min_size=1, max_size=50))
def test_rankdata_matches_scipy(values: list[float]) -> None:
    x = np.array(values)
    assert mf.rankdata(x).tolist() == pytest.approx(stats.rankdata(x, method="average").tolist())


def test_within_tolerance_counts_missing_as_outside() -> None:
    y = np.array([0.0, 0.0, 0.0, 0.0])
    yhat = np.array([0.5, -0.5, 0.51, np.nan])
    assert mf.within_tolerance(y, yhat, 0.5) == 0.5


def test_empty_inputs_are_nan() -> None:
    e = np.array([], dtype=np.int64)
    f = np.array([], dtype=np.float64)
    assert math.isnan(mf.accuracy(e, e))
    assert math.isnan(mf.mae(f, f))
    assert math.isnan(mf.spearman(f, f))


def test_percentile_ci_needs_most_replicates_defined() -> None:
    reps = np.array([0.1, 0.2, np.nan, np.nan, np.nan])
    assert all(math.isnan(v) for v in mf.percentile_ci(reps))
    low, high = mf.percentile_ci(np.linspace(0, 1, 1001))
    assert low == pytest.approx(0.025)
    assert high == pytest.approx(0.975)


def test_metric_json_round_trip_keeps_nan() -> None:
    m = mf.Metric(float("nan"), float("nan"), float("nan"), n=3)
    back = mf.Metric.from_dict(m.to_dict())
    assert math.isnan(back.value)
    assert back.n == 3
    assert m.to_dict()["value"] is None
