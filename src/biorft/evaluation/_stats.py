"""Metrics of a set of graded records by task kind, with seeded (paired) bootstrap confidence intervals.

The bootstrap resamples *examples* (all samples of an example move together), so intervals stay honest when a run
draws several samples per prompt. Paired differences resample the examples two runs share, with the same draws
for both runs.

Which metrics a report has:

- every task: ``mean_reward`` (the grader's mean score), ``answered`` (share of samples with a usable answer: one
  the grader could read, i.e. whose reason is not in `UNSCORED_REASONS`, and that is a task label, a list of
  labels or a number as the kind requires), and ``reason/<reason>`` (share of samples per grader reason, e.g.
  ``reason/no_answer``, ``reason/hedged``);
- binary / multiclass: ``accuracy``, ``balanced_accuracy``, ``macro_f1``, ``mcc``; binary tasks also ``auroc`` and
  ``auprc`` when answers carry a confidence (computed over the samples that have one; a confidence ``c`` stated for
  the negative label scores ``1 - c``, computed exactly, so equal stated probabilities stay tied);
- multilabel: ``micro_f1``, ``macro_f1`` over the measured labels (``known_labels``);
- regression: ``mae``, ``rmse``, ``spearman``, ``pearson`` over answered samples, and ``within_tolerance`` (share of
  all samples within the task's tolerance) when the task sets one.

Examples:
    >>> from biorft.schema import TaskSpec
    >>> from biorft.evaluation._records import EvalRecord
    >>> spec = TaskSpec(name="t", domain="other", kind="binary", labels=("yes", "no"), instructions="x")
    >>> recs = [EvalRecord(id=str(i), sample=0, output_text="", score=float(i % 2), reason="r",
    ...                    answer="yes" if i % 2 else "no", target="yes") for i in range(10)]
    >>> m = compute_metrics(spec, recs, n_boot=200, seed=0)
    >>> m["accuracy"].value, m["mean_reward"].value
    (0.5, 0.5)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from biorft.evaluation import _metrics as mf
from biorft.evaluation._metrics import BoolArray, FloatArray, IntArray, Metric
from biorft.evaluation._records import EvalRecord
from biorft.schema import TaskKind, TaskSpec

__all__ = ["PRIMARY_METRIC", "UNSCORED_REASONS", "compute_metrics", "paired_differences", "prediction_codes"]

PRIMARY_METRIC: dict[TaskKind, str] = {
    TaskKind.BINARY: "balanced_accuracy",
    TaskKind.MULTICLASS: "balanced_accuracy",
    TaskKind.MULTILABEL: "macro_f1",
    TaskKind.REGRESSION: "spearman",
}
"""The metric summaries lead with, per task kind."""


UNSCORED_REASONS = frozenset(
    {
        "no_answer",
        "parse_error",
        "hedged",
        "conflicting",
        "format_error",
        "invalid_molecule",
        "out_of_range",
        "bad_item",
        "grader_error",
    }
)
"""Grader reasons that say no answer could be graded: such an output is no prediction, whatever was extracted."""


def _answer(record: EvalRecord) -> Any:
    return None if record.reason in UNSCORED_REASONS else record.answer


def _label_index(spec: TaskSpec) -> dict[str, int]:
    index = {label: i for i, label in enumerate(spec.labels)}
    for label, i in list(index.items()):
        index.setdefault(label.casefold(), i)
    return index


def _as_label(value: Any, index: dict[str, int]) -> int | None:
    if isinstance(value, str):
        hit = index.get(value)
        if hit is None:
            hit = index.get(value.strip().casefold())
        return hit
    return None


def _as_number(value: Any) -> float:
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else math.nan
    return math.nan


def prediction_codes(spec: TaskSpec, records: Sequence[EvalRecord]) -> tuple[IntArray, IntArray]:
    """Integer codes of targets and predicted labels for a classification task.

    Labels are coded by their position in ``spec.labels``; a prediction that is not exactly one task label (no
    answer, a hedge, an unknown label, or any output whose reason is in `UNSCORED_REASONS`) gets the code
    ``len(spec.labels)``.

    Args:
        spec: A binary or multiclass task.
        records: Graded records.

    Returns:
        ``(y_true, y_pred)``.

    Examples:
        >>> from biorft.schema import TaskSpec
        >>> spec = TaskSpec(name="t", domain="other", kind="binary", labels=("a", "b"), instructions="x")
        >>> recs = [EvalRecord(id="1", sample=0, output_text="", score=0, reason="r", answer=None, target="b")]
        >>> [c.tolist() for c in prediction_codes(spec, recs)]
        [[1], [2]]
    """
    index = _label_index(spec)
    k = len(spec.labels)
    y_true = np.empty(len(records), dtype=np.int64)
    y_pred = np.empty(len(records), dtype=np.int64)
    for i, r in enumerate(records):
        t = _as_label(r.target, index)
        if t is None:
            raise ValueError(f"example {r.id!r}: target {r.target!r} is not one of the task labels {spec.labels}")
        y_true[i] = t
        p = _as_label(_answer(r), index)
        y_pred[i] = k if p is None else p
    return y_true, y_pred


@dataclass
class _Inputs:
    """Per-sample arrays of one report, grouped by example (rows of an example are contiguous)."""

    kind: TaskKind
    ids: list[str]
    starts: IntArray
    counts: IntArray
    reward: FloatArray
    reason_codes: IntArray
    reason_names: list[str]
    answered: BoolArray
    n_labels: int = 0
    positive: int = 0
    y_true: IntArray | None = None
    y_pred: IntArray | None = None
    p_pos: FloatArray | None = None
    ml_true: BoolArray | None = None
    ml_pred: BoolArray | None = None
    ml_known: BoolArray | None = None
    y: FloatArray | None = None
    yhat: FloatArray | None = None
    tolerance: float | None = None

    def rows(self, idx: IntArray) -> IntArray:
        """Row indices of the examples ``idx`` (with repeats), all samples of each."""
        counts = self.counts[idx]
        total = int(counts.sum())
        offsets = np.repeat(np.cumsum(counts) - counts, counts)
        return np.repeat(self.starts[idx], counts) + (np.arange(total) - offsets)


def _group(records: Sequence[EvalRecord], order: Sequence[str] | None) -> tuple[list[EvalRecord], list[str]]:
    by_id: dict[str, list[EvalRecord]] = {}
    for r in records:
        by_id.setdefault(r.id, []).append(r)
    ids = list(by_id) if order is None else [i for i in order if i in by_id]
    out: list[EvalRecord] = []
    for i in ids:
        out.extend(sorted(by_id[i], key=lambda r: r.sample))
    return out, ids


def _inputs(spec: TaskSpec, records: Sequence[EvalRecord], order: Sequence[str] | None = None) -> _Inputs:
    recs, ids = _group(records, order)
    counts = np.array([0] * len(ids), dtype=np.int64)
    pos = {i: k for k, i in enumerate(ids)}
    for r in recs:
        counts[pos[r.id]] += 1
    starts = np.cumsum(counts) - counts
    reason_names = sorted({r.reason for r in recs})
    reason_pos = {name: i for i, name in enumerate(reason_names)}
    inp = _Inputs(
        kind=spec.kind,
        ids=ids,
        starts=starts.astype(np.int64),
        counts=counts,
        reward=np.array([r.score for r in recs], dtype=np.float64),
        reason_codes=np.array([reason_pos[r.reason] for r in recs], dtype=np.int64),
        reason_names=reason_names,
        answered=np.zeros(len(recs), dtype=bool),
    )
    if spec.kind in (TaskKind.BINARY, TaskKind.MULTICLASS):
        y_true, y_pred = prediction_codes(spec, recs)
        k = len(spec.labels)
        inp.n_labels, inp.y_true, inp.y_pred = k, y_true, y_pred
        inp.answered = y_pred < k
        if spec.kind is TaskKind.BINARY:
            positive = spec.labels.index(spec.positive_label) if spec.positive_label else 0
            inp.positive = positive
            p_pos = np.full(len(recs), np.nan)
            for i, r in enumerate(recs):
                c = r.confidence
                if c is not None and 0.0 <= c <= 1.0 and y_pred[i] < k:
                    p_pos[i] = c if y_pred[i] == positive else _complement(c)
            inp.p_pos = p_pos
    elif spec.kind is TaskKind.MULTILABEL:
        index = _label_index(spec)
        n, k = len(recs), len(spec.labels)
        t = np.zeros((n, k), dtype=bool)
        p = np.zeros((n, k), dtype=bool)
        known = np.zeros((n, k), dtype=bool)
        for i, r in enumerate(recs):
            for lab in _labels_of(r.target):
                j = _as_label(lab, index)
                if j is not None:
                    t[i, j] = True
            if r.known_labels is None:
                known[i, :] = True
            else:
                for lab in r.known_labels:
                    j = _as_label(lab, index)
                    if j is not None:
                        known[i, j] = True
            answer = _answer(r)
            if isinstance(answer, list | str):
                inp.answered[i] = True
                for lab in _labels_of(answer):
                    j = _as_label(lab, index)
                    if j is not None:
                        p[i, j] = True
        inp.ml_true, inp.ml_pred, inp.ml_known = t, p, known
    else:
        inp.y = np.array([_as_number(r.target) for r in recs], dtype=np.float64)
        inp.yhat = np.array([_as_number(_answer(r)) for r in recs], dtype=np.float64)
        inp.answered = np.isfinite(inp.yhat)
        inp.tolerance = spec.tolerance
    return inp


@functools.lru_cache(maxsize=1 << 16)  # stated confidences repeat: a few distinct values per report
def _complement(confidence: float) -> float:
    """``1 - confidence``, exact on the decimal the confidence was written as.

    A confidence ``c`` stated for the negative label is a probability ``1 - c`` for the positive one. Float
    subtraction is not exact (``1.0 - 0.3333 != 0.6667``), and the difference of one ulp breaks ties between
    answers that state the same probability in two ways (``yes, 0.6667`` and ``no, 0.3333``), which moves AUROC
    and AUPRC away from their tie values (a constant predictor would score above or below 0.5). Confidences are
    parsed from decimal text, and ``repr`` gives back that decimal; its complement is computed exactly and rounded
    once, so it is the same float as the complement written out (``float("0.6667")``).

    Examples:
        >>> 1.0 - 0.3333 == 0.6667, _complement(0.3333) == 0.6667, _complement(0.2) == 0.8
        (False, True, True)
        >>> _complement(1e-20), _complement(0.12345678901234567) == float(1 - Fraction("0.12345678901234567"))
        (1.0, True)
    """
    text = repr(confidence)
    dot = text.find(".")
    places = len(text) - dot - 1
    if dot < 0 or "e" in text or places > 15:
        return float(1 - Fraction(text))
    # Same float as the exact path, faster: 1.0 - c is within 3e-16 of the complement, which has ``places`` decimals.
    return round(1.0 - confidence, places)


def _labels_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _values(inp: _Inputs, rows: IntArray | None) -> dict[str, float]:
    """Every metric of ``inp`` on ``rows`` (all rows when None)."""

    def take(a: Any) -> Any:
        return a if rows is None else a[rows]

    out: dict[str, float] = {}
    reward = take(inp.reward)
    n = len(reward)
    out["mean_reward"] = float(reward.mean()) if n else math.nan
    answered = take(inp.answered)
    out["answered"] = float(answered.mean()) if n else math.nan
    if inp.kind in (TaskKind.BINARY, TaskKind.MULTICLASS):
        assert inp.y_true is not None
        assert inp.y_pred is not None
        yt, yp = take(inp.y_true), take(inp.y_pred)
        out["accuracy"] = mf.accuracy(yt, yp)
        out["balanced_accuracy"] = mf.balanced_accuracy(yt, yp)
        out["macro_f1"] = mf.macro_f1(yt, yp, inp.n_labels)
        out["mcc"] = mf.mcc(yt, yp)
        if inp.p_pos is not None and bool(np.isfinite(inp.p_pos).any()):
            p = take(inp.p_pos)
            has = np.isfinite(p)
            y_bin = yt[has] == inp.positive
            out["auroc"] = mf.auroc(y_bin, p[has])
            out["auprc"] = mf.average_precision(y_bin, p[has])
    elif inp.kind is TaskKind.MULTILABEL:
        assert inp.ml_true is not None
        assert inp.ml_pred is not None
        assert inp.ml_known is not None
        micro, macro = mf.multilabel_f1(take(inp.ml_true), take(inp.ml_pred), take(inp.ml_known))
        out["micro_f1"] = micro
        out["macro_f1"] = macro
    else:
        assert inp.y is not None
        assert inp.yhat is not None
        y, yhat = take(inp.y), take(inp.yhat)
        has = np.isfinite(yhat)
        out["mae"] = mf.mae(y[has], yhat[has])
        out["rmse"] = mf.rmse(y[has], yhat[has])
        out["spearman"] = mf.spearman(y[has], yhat[has])
        out["pearson"] = mf.pearson(y[has], yhat[has])
        if inp.tolerance is not None:
            out["within_tolerance"] = mf.within_tolerance(y, yhat, inp.tolerance)
    codes = take(inp.reason_codes)
    shares = np.bincount(codes, minlength=len(inp.reason_names)) / n if n else np.full(len(inp.reason_names), np.nan)
    for name, share in zip(inp.reason_names, shares, strict=True):
        out[f"reason/{name}"] = float(share)
    return out


def _counts(inp: _Inputs, names: Sequence[str]) -> dict[str, int]:
    n = len(inp.reward)
    out = {name: n for name in names}
    if inp.kind is TaskKind.REGRESSION:
        answered = int(inp.answered.sum())
        for name in ("mae", "rmse", "spearman", "pearson"):
            out[name] = answered
    if "auroc" in out and inp.p_pos is not None:
        with_conf = int(np.isfinite(inp.p_pos).sum())
        out["auroc"] = out["auprc"] = with_conf
    return out


def _bootstrap(inp: _Inputs, n_boot: int, seed: int) -> dict[str, FloatArray]:
    rng = np.random.default_rng(seed)
    n_ex = len(inp.ids)
    reps: dict[str, list[float]] = {}
    if n_ex == 0 or n_boot <= 0:
        return {}
    for _ in range(n_boot):
        idx = rng.integers(0, n_ex, n_ex)
        for name, value in _values(inp, inp.rows(idx)).items():
            reps.setdefault(name, []).append(value)
    return {k: np.array(v, dtype=np.float64) for k, v in reps.items()}


def compute_metrics(
    spec: TaskSpec, records: Sequence[EvalRecord], *, n_boot: int = 1000, seed: int = 0, level: float = 0.95
) -> dict[str, Metric]:
    """Every metric for the task kind, each with a seeded percentile bootstrap interval.

    Args:
        spec: The task (kind, labels, positive label, tolerance).
        records: Graded records (any number of samples per example).
        n_boot: Bootstrap resamples of the examples (0 skips intervals).
        seed: Seed of the resampling; the same seed gives the same intervals.
        level: Confidence level of the intervals.

    Returns:
        Metric name -> [`Metric`][biorft.evaluation.Metric], in display order.
    """
    inp = _inputs(spec, records)
    point = _values(inp, None)
    reps = _bootstrap(inp, n_boot, seed)
    counts = _counts(inp, list(point))
    out: dict[str, Metric] = {}
    for name, value in point.items():
        low, high = mf.percentile_ci(reps[name], level) if name in reps else (math.nan, math.nan)
        out[name] = Metric(value, low, high, n=counts[name])
    return out


def paired_differences(
    spec: TaskSpec,
    reference: Sequence[EvalRecord],
    candidate: Sequence[EvalRecord],
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[dict[str, Metric], int]:
    """``candidate - reference`` for every metric, on the examples both runs share, with paired bootstrap CIs.

    Args:
        spec: The task both runs evaluated.
        reference: Records of the reference run.
        candidate: Records of the candidate run.
        n_boot: Bootstrap resamples of the shared examples.
        seed: Seed of the resampling.
        level: Confidence level.

    Returns:
        ``(differences, n_shared)``: metric name -> difference as a [Metric][biorft.evaluation.Metric], and how many
        examples the
        runs share (0 gives an empty dict).
    """
    ref_ids = {r.id for r in reference}
    shared = [i for i in dict.fromkeys(r.id for r in candidate) if i in ref_ids]
    if not shared:
        return {}, 0
    shared_set = set(shared)
    a = _inputs(spec, [r for r in reference if r.id in shared_set], shared)
    b = _inputs(spec, [r for r in candidate if r.id in shared_set], shared)
    pa, pb = _values(a, None), _values(b, None)
    # a reason that one run never produced has share 0 there; other metrics must exist in both runs
    names = [k for k in pa if k in pb or k.startswith("reason/")]
    names += [k for k in pb if k.startswith("reason/") and k not in pa]

    def diff(va: dict[str, float], vb: dict[str, float], k: str) -> float:
        missing = 0.0 if k.startswith("reason/") else math.nan
        return vb.get(k, missing) - va.get(k, missing)

    reps: dict[str, list[float]] = {k: [] for k in names}
    rng = np.random.default_rng(seed)
    n_ex = len(shared)
    for _ in range(n_boot):
        idx = rng.integers(0, n_ex, n_ex)
        va, vb = _values(a, a.rows(idx)), _values(b, b.rows(idx))
        for k in names:
            reps[k].append(diff(va, vb, k))
    out: dict[str, Metric] = {}
    for k in names:
        low, high = mf.percentile_ci(np.array(reps[k]), level) if n_boot > 0 else (math.nan, math.nan)
        out[k] = Metric(diff(pa, pb, k), low, high, n=n_ex)
    return out, n_ex
