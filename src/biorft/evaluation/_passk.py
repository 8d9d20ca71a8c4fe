"""Per-example pass rates and the sampling metrics pass@1, pass@k and maj@k.

With ``k`` samples per prompt (``evaluate(..., samples=k)``), an example is *solved* by a sample whose score reaches
the pass threshold (1.0 by default: a fully correct answer). From the ``n`` samples of one example and the ``c``
that solved it:

- ``pass_rate = c / n``, with a Wilson 95% interval (what difficulty filtering selects on);
- ``pass@k`` is the unbiased estimator ``1 - C(n - c, k) / C(n, k)`` of Chen et al. (2021), "Evaluating Large
  Language Models Trained on Code", arXiv:2107.03374: the chance that at least one of ``k`` samples solves it;
- ``maj@k``: whether the most common answer among the samples is correct; a tie for the most common answer is no
  majority and counts as not solved (like a hedge, it does not commit); for regression, whether the median answer
  is within the task's tolerance.

Report-level metrics average the per-example values; their intervals come from a seeded bootstrap over examples.

Examples:
    >>> pass_at_k(n=8, c=2, k=1)
    0.25
    >>> round(pass_at_k(n=8, c=2, k=4), 4)
    0.7857
    >>> pass_at_k(n=8, c=0, k=8), pass_at_k(n=8, c=8, k=1)
    (0.0, 1.0)
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from biorft.evaluation._metrics import Metric, percentile_ci
from biorft.evaluation._records import EvalRecord
from biorft.graders._result import ANSWERED
from biorft.schema import TaskKind, TaskSpec

__all__ = ["PassRate", "pass_at_k", "pass_rates", "sampling_metrics", "wilson_interval"]

_VOTERS = frozenset(reason.value for reason in ANSWERED)
"""Reasons of samples that stated a usable answer: only they vote in maj@k."""


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from ``n`` samples of which ``c`` passed (Chen et al. 2021).

    Args:
        n: Samples drawn for the example.
        c: Samples that passed.
        k: The k of pass@k (``1 <= k <= n``).

    Returns:
        ``1 - C(n - c, k) / C(n, k)``, in [0, 1].

    Examples:
        >>> pass_at_k(n=4, c=1, k=4)
        1.0
    """
    if not 1 <= k <= n or not 0 <= c <= n:
        raise ValueError(f"pass@k needs 1 <= k <= n and 0 <= c <= n, got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95% by default).

    Examples:
        >>> [round(x, 3) for x in wilson_interval(4, 8)]
        [0.215, 0.785]
    """
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if successes == n else min(1.0, max(p, centre + half))
    return low, high


@dataclass(frozen=True)
class PassRate:
    """How often the samples of one example passed.

    Attributes:
        id: The example id.
        n: Samples graded.
        passed: Samples whose score reached the pass threshold.
        rate: ``passed / n``.
        ci_low: Lower end of the Wilson 95% interval of the rate.
        ci_high: Upper end of the interval.
        mean_reward: Mean score over the samples.
        majority_correct: Whether the majority answer (maj@n) is correct (None when no sample answered).
    """

    id: str
    n: int
    passed: int
    rate: float
    ci_low: float
    ci_high: float
    mean_reward: float
    majority_correct: bool | None


def _answer_key(answer: Any) -> str:
    if isinstance(answer, list | tuple | set | frozenset):
        return json.dumps(sorted(str(a) for a in answer))
    return json.dumps(answer, sort_keys=True, default=str)


def _majority(spec: TaskSpec | None, recs: Sequence[EvalRecord], threshold: float) -> bool | None:
    answered = [r for r in recs if r.reason in _VOTERS and r.answer is not None]
    if not answered:
        return None
    if spec is not None and spec.kind is TaskKind.REGRESSION:
        values = [float(r.answer) for r in answered if isinstance(r.answer, int | float)]
        if not values or not isinstance(answered[0].target, int | float):
            return None
        median = float(np.median(values))
        tol = spec.tolerance if spec.tolerance is not None else 0.0
        return abs(median - float(answered[0].target)) <= tol + 1e-12
    counts: dict[str, int] = {}
    first: dict[str, EvalRecord] = {}
    for r in answered:
        key = _answer_key(r.answer)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, r)
    top = max(counts.values())
    leaders = [key for key, count in counts.items() if count == top]
    if len(leaders) > 1:
        return False
    return first[leaders[0]].score >= threshold


def pass_rates(
    records: Sequence[EvalRecord], *, spec: TaskSpec | None = None, threshold: float = 1.0
) -> dict[str, PassRate]:
    """Per-example pass rates from graded records (any number of samples per example).

    Args:
        records: Graded records, e.g. ``report.records`` of ``evaluate(..., samples=k)``.
        spec: The task (used for maj@k on regression tasks).
        threshold: The score at which a sample counts as passed.

    Returns:
        Example id -> `PassRate`, in the records' order.

    Examples:
        >>> recs = [EvalRecord(id="a", sample=s, output_text="", score=float(s < 3), reason="correct" if s < 3
        ...                    else "incorrect", answer="x" if s < 3 else "y") for s in range(4)]
        >>> r = pass_rates(recs)["a"]
        >>> r.rate, r.majority_correct
        (0.75, True)
    """
    by_id: dict[str, list[EvalRecord]] = {}
    for r in records:
        by_id.setdefault(r.id, []).append(r)
    out: dict[str, PassRate] = {}
    for example_id, recs in by_id.items():
        recs.sort(key=lambda r: r.sample)
        n = len(recs)
        passed = sum(1 for r in recs if r.score >= threshold)
        low, high = wilson_interval(passed, n)
        out[example_id] = PassRate(
            id=example_id,
            n=n,
            passed=passed,
            rate=passed / n,
            ci_low=low,
            ci_high=high,
            mean_reward=float(np.mean([r.score for r in recs])),
            majority_correct=_majority(spec, recs, threshold),
        )
    return out


def sampling_metrics(
    spec: TaskSpec,
    records: Sequence[EvalRecord],
    *,
    threshold: float = 1.0,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Metric]:
    """``pass@1``, ``pass@k`` and ``maj@k`` (k = the fewest samples any example has), with bootstrap intervals.

    Empty when every example has a single sample (then pass@1 is the accuracy already reported).

    Examples:
        >>> spec = TaskSpec(name="t", domain="genes", kind="binary", labels=("a", "b"), instructions="?")
        >>> recs = [EvalRecord(id=str(i), sample=s, output_text="", score=float((i + s) % 2), reason="correct",
        ...                    answer="a", target="a") for i in range(10) for s in range(2)]
        >>> m = sampling_metrics(spec, recs, n_boot=50)
        >>> sorted(m), m["pass@1"].value, m["pass@2"].value
        (['maj@2', 'pass@1', 'pass@2'], 0.5, 1.0)
    """
    per_example = Counter(r.id for r in records)
    if not per_example or min(per_example.values()) < 2:
        return {}  # one sample somewhere: pass@1 is the accuracy already reported (checked before any grouping)
    rates = list(pass_rates(records, spec=spec, threshold=threshold).values())
    k = min(r.n for r in rates)
    p1 = np.array([r.rate for r in rates], dtype=np.float64)
    pk = np.array([pass_at_k(r.n, r.passed, k) for r in rates], dtype=np.float64)
    maj = np.array([float(bool(r.majority_correct)) for r in rates], dtype=np.float64)
    rng = np.random.default_rng(seed)
    out: dict[str, Metric] = {}
    for name, values in (("pass@1", p1), (f"pass@{k}", pk), (f"maj@{k}", maj)):
        reps = np.array([values[rng.integers(0, len(values), len(values))].mean() for _ in range(max(0, n_boot))])
        low, high = percentile_ci(reps, level) if n_boot > 0 else (math.nan, math.nan)
        out[name] = Metric(value=float(values.mean()), ci_low=low, ci_high=high, n=len(values))
    return out
