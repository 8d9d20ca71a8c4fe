"""Metric functions (numpy only) and seeded bootstrap confidence intervals.

Every function here takes plain numpy arrays and matches the scikit-learn / scipy definition named in its
docstring (the tests compare them on generated inputs), without making either a runtime dependency.

Conventions:

- Classification labels are integer codes ``0 .. K-1``; a prediction of ``K`` means *no usable answer* (no answer,
  parse error, hedge, unknown label). It is never correct and counts as a miss for the true class.
- Undefined values (an AUROC with one class, a correlation of a constant) are ``nan``, never an exception.

Examples:
    >>> import numpy as np
    >>> accuracy(np.array([0, 1, 1]), np.array([0, 1, 2]))
    0.6666666666666666
    >>> round(auroc(np.array([False, True, True]), np.array([0.1, 0.9, 0.4])), 3)
    1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "Metric",
    "accuracy",
    "auroc",
    "average_precision",
    "balanced_accuracy",
    "macro_f1",
    "mae",
    "mcc",
    "multilabel_f1",
    "pearson",
    "percentile_ci",
    "rankdata",
    "rmse",
    "spearman",
    "within_tolerance",
]

_NAN = float("nan")


@dataclass(frozen=True)
class Metric:
    """A metric value with its bootstrap 95% confidence interval.

    Attributes:
        value: The metric on the full evaluation set (``nan`` when undefined).
        ci_low: Lower end of the percentile bootstrap interval (``nan`` when it cannot be estimated).
        ci_high: Upper end of the interval.
        n: How many samples the value was computed from (e.g. only answered samples for MAE).

    Examples:
        >>> m = Metric(0.8, 0.7, 0.9, n=100)
        >>> m.format()
        '0.800 [0.700, 0.900]'
        >>> Metric.from_dict(m.to_dict()) == m
        True
    """

    value: float
    ci_low: float = _NAN
    ci_high: float = _NAN
    n: int | None = None

    def format(self, digits: int = 3) -> str:
        """``value [low, high]`` with ``digits`` decimals; ``n/a`` for undefined values."""
        if not math.isfinite(self.value):
            return "n/a"
        text = f"{self.value:.{digits}f}"
        if math.isfinite(self.ci_low) and math.isfinite(self.ci_high):
            text += f" [{self.ci_low:.{digits}f}, {self.ci_high:.{digits}f}]"
        return text

    def excludes(self, value: float = 0.0) -> bool:
        """True when the confidence interval lies entirely above or below ``value``.

        Examples:
            >>> Metric(0.2, 0.05, 0.3).excludes(0.0)
            True
        """
        return bool(
            math.isfinite(self.ci_low) and math.isfinite(self.ci_high) and (self.ci_low > value or self.ci_high < value)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``nan`` becomes ``None``."""
        return {
            "value": _json_float(self.value),
            "ci_low": _json_float(self.ci_low),
            "ci_high": _json_float(self.ci_high),
            "n": self.n,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metric:
        """Inverse of [`to_dict`][biorft.evaluation.Metric.to_dict]."""
        return cls(
            value=_from_json_float(data.get("value")),
            ci_low=_from_json_float(data.get("ci_low")),
            ci_high=_from_json_float(data.get("ci_high")),
            n=None if data.get("n") is None else int(data["n"]),
        )


def _json_float(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _from_json_float(x: Any) -> float:
    return _NAN if x is None else float(x)


# -- classification ------------------------------------------------------------------------------------------


def accuracy(y_true: IntArray, y_pred: IntArray) -> float:
    """Share of exact matches (``sklearn.metrics.accuracy_score``); ``nan`` on empty input.

    Examples:
        >>> import numpy as np
        >>> accuracy(np.array([1, 1]), np.array([1, 0]))
        0.5
    """
    if len(y_true) == 0:
        return _NAN
    return float((y_true == y_pred).mean())


def balanced_accuracy(y_true: IntArray, y_pred: IntArray) -> float:
    """Mean recall over the classes present in ``y_true`` (``sklearn.metrics.balanced_accuracy_score``).

    Examples:
        >>> import numpy as np
        >>> balanced_accuracy(np.array([0, 0, 0, 1]), np.array([0, 0, 0, 0]))
        0.5
    """
    if len(y_true) == 0:
        return _NAN
    classes, true_counts = np.unique(y_true, return_counts=True)
    hits = np.bincount(y_true[y_true == y_pred], minlength=int(classes.max()) + 1)[classes]
    return float((hits / true_counts).mean())


def macro_f1(y_true: IntArray, y_pred: IntArray, n_labels: int) -> float:
    """Unweighted mean F1 over the task labels ``0 .. n_labels-1`` present in ``y_true`` or ``y_pred``.

    Matches ``sklearn.metrics.f1_score(y_true, y_pred, labels=<those labels>, average="macro")``; the
    *no answer* code ``n_labels`` is not a label of its own, so it only counts as a miss.

    Examples:
        >>> import numpy as np
        >>> round(macro_f1(np.array([0, 1, 1]), np.array([0, 1, 2]), 2), 4)
        0.8333
    """
    if len(y_true) == 0:
        return _NAN
    size = n_labels + 1
    tp = np.bincount(y_true[y_true == y_pred], minlength=size)[:n_labels]
    true_n = np.bincount(y_true, minlength=size)[:n_labels]
    pred_n = np.bincount(y_pred, minlength=size)[:n_labels]
    present = (true_n + pred_n) > 0
    if not present.any():
        return _NAN
    f1 = 2 * tp[present] / (true_n[present] + pred_n[present])
    return float(f1.mean())


def mcc(y_true: IntArray, y_pred: IntArray) -> float:
    """Matthews correlation coefficient, multiclass (``sklearn.metrics.matthews_corrcoef``).

    Returns 0.0 when it is undefined (a constant truth or prediction), as scikit-learn does.

    Examples:
        >>> import numpy as np
        >>> mcc(np.array([0, 1, 0, 1]), np.array([0, 1, 0, 1]))
        1.0
    """
    n = len(y_true)
    if n == 0:
        return _NAN
    size = int(max(y_true.max(), y_pred.max())) + 1
    t_sum = np.bincount(y_true, minlength=size).astype(np.float64)
    p_sum = np.bincount(y_pred, minlength=size).astype(np.float64)
    n_correct = float((y_true == y_pred).sum())
    cov_tp = n_correct * n - float(t_sum @ p_sum)
    cov_pp = float(n) ** 2 - float(p_sum @ p_sum)
    cov_tt = float(n) ** 2 - float(t_sum @ t_sum)
    if cov_pp * cov_tt == 0:
        return 0.0
    return float(cov_tp / math.sqrt(cov_tt * cov_pp))


def _doubled_ranks(x: FloatArray) -> IntArray:
    """Twice the average ranks of ``x`` (ranks start at 1; ties share their mean rank): integers, so sums are exact."""
    n = len(x)
    sorter = np.argsort(x, kind="mergesort")
    inv = np.empty(n, dtype=np.intp)
    inv[sorter] = np.arange(n, dtype=np.intp)
    xs = x[sorter]
    obs = np.r_[True, xs[1:] != xs[:-1]]
    dense = obs.cumsum()[inv]
    count = np.r_[np.nonzero(obs)[0], n]
    return np.asarray(count[dense] + count[dense - 1] + 1, dtype=np.int64)


def rankdata(x: FloatArray) -> FloatArray:
    """Ranks starting at 1 with ties given their average rank (``scipy.stats.rankdata(method="average")``).

    Examples:
        >>> import numpy as np
        >>> rankdata(np.array([10.0, 20.0, 10.0])).tolist()
        [1.5, 3.0, 1.5]
    """
    return np.asarray(_doubled_ranks(x) / 2, dtype=np.float64)


def auroc(y_true: BoolArray, score: FloatArray) -> float:
    """Area under the ROC curve (``sklearn.metrics.roc_auc_score``); ``nan`` unless both classes occur.

    Exact under ties: the Mann-Whitney count is summed in integers (a tied positive-negative pair counts one half)
    and divided once, so the result depends only on the order of the scores and on which of them are equal. A
    constant score gives exactly 0.5.

    Examples:
        >>> import numpy as np
        >>> auroc(np.array([False, True]), np.array([0.7, 0.7]))
        0.5
        >>> auroc(np.array([False, True, True]), np.array([0.1, 0.7, 0.7]))
        1.0
    """
    n_pos = int(y_true.sum())
    n_neg = len(y_true) - n_pos
    if n_pos == 0 or n_neg == 0:
        return _NAN
    twice_u = int(_doubled_ranks(score)[y_true].sum()) - n_pos * (n_pos + 1)
    return twice_u / (2 * n_pos * n_neg)


def average_precision(y_true: BoolArray, score: FloatArray) -> float:
    """Area under the precision-recall curve, step-wise (``sklearn.metrics.average_precision_score``).

    ``nan`` when there is no positive. Tied scores form one threshold (one step of the curve), so the result
    depends only on the order of the scores and on which of them are equal; a constant score gives the
    prevalence.

    Examples:
        >>> import numpy as np
        >>> average_precision(np.array([True, False, True]), np.array([0.9, 0.8, 0.1]))
        0.8333333333333333
    """
    n_pos = int(y_true.sum())
    if n_pos == 0:
        return _NAN
    order = np.argsort(-score, kind="mergesort")
    s = score[order]
    y = y_true[order]
    thresholds = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tps = np.cumsum(y)[thresholds].astype(np.float64)
    fps = (thresholds + 1) - tps
    precision = tps / (tps + fps)
    recall = tps / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def multilabel_f1(y_true: BoolArray, y_pred: BoolArray, known: BoolArray) -> tuple[float, float]:
    """Micro and macro F1 over a samples x labels matrix, counting only measured (``known``) cells.

    Missing labels are not negatives: a cell whose label was not measured for that sample counts neither way.
    Macro F1 averages over the labels with at least one measured true or predicted positive. With every cell
    known this is ``sklearn.metrics.f1_score(y_true, y_pred, average="micro" | "macro", labels=<those labels>)``.

    Examples:
        >>> import numpy as np
        >>> t = np.array([[True, False], [True, True]])
        >>> p = np.array([[True, True], [False, True]])
        >>> multilabel_f1(t, p, np.ones_like(t))
        (0.6666666666666666, 0.6666666666666666)
    """
    tp = (known & y_true & y_pred).sum(axis=0).astype(np.float64)
    fp = (known & ~y_true & y_pred).sum(axis=0).astype(np.float64)
    fn = (known & y_true & ~y_pred).sum(axis=0).astype(np.float64)
    denom = 2 * tp + fp + fn
    micro = float(2 * tp.sum() / denom.sum()) if denom.sum() > 0 else _NAN
    present = denom > 0
    macro = float((2 * tp[present] / denom[present]).mean()) if present.any() else _NAN
    return micro, macro


# -- regression ----------------------------------------------------------------------------------------------


def mae(y_true: FloatArray, y_pred: FloatArray) -> float:
    """Mean absolute error (``sklearn.metrics.mean_absolute_error``); ``nan`` on empty input.

    Examples:
        >>> import numpy as np
        >>> mae(np.array([1.0, 2.0]), np.array([2.0, 2.0]))
        0.5
    """
    if len(y_true) == 0:
        return _NAN
    return float(abs(y_true - y_pred).mean())


def rmse(y_true: FloatArray, y_pred: FloatArray) -> float:
    """Root mean squared error (``sklearn.metrics.root_mean_squared_error``); ``nan`` on empty input.

    Examples:
        >>> import numpy as np
        >>> rmse(np.array([0.0, 0.0]), np.array([3.0, 4.0]))
        3.5355339059327378
    """
    if len(y_true) == 0:
        return _NAN
    return float(math.sqrt(((y_true - y_pred) ** 2).mean()))


def pearson(x: FloatArray, y: FloatArray) -> float:
    """Pearson correlation (``scipy.stats.pearsonr``); ``nan`` for fewer than 2 points or a constant input.

    Examples:
        >>> import numpy as np
        >>> pearson(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.5]))  # doctest: +ELLIPSIS
        0.99...
    """
    if len(x) < 2:
        return _NAN
    dx = x - x.mean()
    dy = y - y.mean()
    sxx = float(dx @ dx)
    syy = float(dy @ dy)
    # a (numerically) constant input has no correlation; compare with the data's scale, not with zero
    tiny = 1e-24
    if sxx <= tiny * max(1.0, float(x @ x)) or syy <= tiny * max(1.0, float(y @ y)):
        return _NAN
    r = float(dx @ dy) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def spearman(x: FloatArray, y: FloatArray) -> float:
    """Spearman rank correlation (``scipy.stats.spearmanr``): Pearson on average ranks.

    Examples:
        >>> import numpy as np
        >>> spearman(np.array([1.0, 2.0, 3.0]), np.array([1.0, 10.0, 100.0]))
        1.0
    """
    if len(x) < 2:
        return _NAN
    return pearson(rankdata(x), rankdata(y))


def within_tolerance(y_true: FloatArray, y_pred: FloatArray, tolerance: float) -> float:
    """Share of predictions within ``tolerance`` of the truth; a missing prediction (``nan``) is outside.

    Examples:
        >>> import numpy as np
        >>> within_tolerance(np.array([1.0, 1.0, 1.0]), np.array([1.4, 2.0, np.nan]), 0.5)
        0.3333333333333333
    """
    if len(y_true) == 0:
        return _NAN
    with np.errstate(invalid="ignore"):
        inside = np.abs(y_true - y_pred) <= tolerance + 1e-12
    return float(inside.mean())


# -- bootstrap -----------------------------------------------------------------------------------------------


def percentile_ci(replicates: FloatArray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates, ignoring undefined (``nan``) ones.

    Returns ``(nan, nan)`` when fewer than half of the replicates are defined: such an interval would describe
    only the resamples where the metric happens to exist.

    Examples:
        >>> import numpy as np
        >>> [round(x, 6) for x in percentile_ci(np.arange(101.0))]
        [2.5, 97.5]
    """
    finite = replicates[np.isfinite(replicates)]
    if len(finite) == 0 or len(finite) < 0.5 * len(replicates):
        return _NAN, _NAN
    alpha = (1 - level) / 2
    low, high = np.quantile(finite, [alpha, 1 - alpha])
    return float(low), float(high)
