"""Training metrics of an RFT job (from job events and checkpoints) and the reward-gap check.

RFT jobs report ``train_reward_mean``, ``valid_reward_mean``, ``train_reasoning_tokens_mean`` and
``valid_reasoning_tokens_mean`` per step (RFT guides). The documented sign of reward hacking is a train reward that
pulls away from the validation reward: `reward_gap_warning` says so when the latest gap is large and has
widened since the first step where both were measured.

Examples:
    >>> pts = [MetricPoint(10, train_reward_mean=0.40, valid_reward_mean=0.38),
    ...        MetricPoint(20, train_reward_mean=0.70, valid_reward_mean=0.45),
    ...        MetricPoint(30, train_reward_mean=0.90, valid_reward_mean=0.47)]
    >>> print(reward_gap_warning(pts).split(":")[0])
    train reward 0.90 is 0.43 above valid reward 0.47 at step 30, up from 0.02 at step 10
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from biorft.errors import RewardGapWarning

__all__ = ["MetricPoint", "RewardGapWarning", "merge_points", "metric_from_data", "reward_gap_warning"]

_FLOAT_FIELDS = (
    "train_reward_mean",
    "valid_reward_mean",
    "train_reasoning_tokens_mean",
    "valid_reasoning_tokens_mean",
)


@dataclass(frozen=True)
class MetricPoint:
    """RFT metrics at one training step; fields the service did not report are None.

    Examples:
        >>> MetricPoint(5, total_steps=100, train_reward_mean=0.5).valid_reward_mean is None
        True
    """

    step: int
    total_steps: int | None = None
    train_reward_mean: float | None = None
    valid_reward_mean: float | None = None
    train_reasoning_tokens_mean: float | None = None
    valid_reasoning_tokens_mean: float | None = None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def metric_from_data(data: object, step: int | None = None) -> MetricPoint | None:
    """Read a [MetricPoint][biorft.backends.openai_rft.MetricPoint] from event ``data`` or checkpoint ``metrics``.

    Args:
        data: A mapping with ``step`` and metric names (a nested ``metrics`` mapping is read too).
        step: The step when ``data`` does not carry one (checkpoints carry ``step_number``).

    Returns:
        The point, or None when there is no step or no metric.

    Examples:
        >>> p = metric_from_data({"step": 3, "total_steps": 9, "train_reward_mean": 0.25})
        >>> p.step, p.total_steps, p.train_reward_mean, p.valid_reward_mean
        (3, 9, 0.25, None)
    """
    if not isinstance(data, Mapping):
        return None
    merged: dict[str, Any] = dict(data)
    nested = data.get("metrics")
    if isinstance(nested, Mapping):
        merged.update(nested)
    raw_step = _number(merged.get("step"))
    if raw_step is None:
        raw_step = float(step) if step is not None else None
    if raw_step is None:
        return None
    values = {name: _number(merged.get(name)) for name in _FLOAT_FIELDS}
    if all(v is None for v in values.values()):
        return None
    total = _number(merged.get("total_steps"))
    return MetricPoint(int(raw_step), int(total) if total is not None else None, **values)


def merge_points(points: Iterable[MetricPoint]) -> tuple[MetricPoint, ...]:
    """Merge points by step (later non-None values win), sorted by step.

    Args:
        points: Points from events and checkpoints, in any order.

    Returns:
        One point per step.

    Examples:
        >>> merged = merge_points([MetricPoint(2, train_reward_mean=0.5), MetricPoint(2, valid_reward_mean=0.4),
        ...                        MetricPoint(1, train_reward_mean=0.1)])
        >>> [(p.step, p.train_reward_mean, p.valid_reward_mean) for p in merged]
        [(1, 0.1, None), (2, 0.5, 0.4)]
    """
    by_step: dict[int, MetricPoint] = {}
    for p in points:
        old = by_step.get(p.step)
        if old is None:
            by_step[p.step] = p
            continue
        update = {f.name: getattr(p, f.name) for f in fields(p) if getattr(p, f.name) is not None}
        by_step[p.step] = replace(old, **update)
    return tuple(by_step[s] for s in sorted(by_step))


def reward_gap_warning(history: Iterable[MetricPoint], *, threshold: float = 0.1, widening: float = 0.05) -> str | None:
    """A warning text when the train reward pulls away from the validation reward, else None.

    Args:
        history: Metric points in step order.
        threshold: The latest train - valid gap must be at least this.
        widening: ... and at least this much larger than the gap at the first step with both rewards.

    Returns:
        The warning, or None.

    Examples:
        >>> reward_gap_warning([MetricPoint(1, train_reward_mean=0.5, valid_reward_mean=0.5)]) is None
        True
    """
    both = [p for p in history if p.train_reward_mean is not None and p.valid_reward_mean is not None]
    if len(both) < 2:
        return None
    first, last = both[0], both[-1]
    gap0 = (first.train_reward_mean or 0.0) - (first.valid_reward_mean or 0.0)
    gap = (last.train_reward_mean or 0.0) - (last.valid_reward_mean or 0.0)
    if gap < threshold or gap - gap0 < widening:
        return None
    return (
        f"train reward {last.train_reward_mean:.2f} is {gap:.2f} above valid reward {last.valid_reward_mean:.2f} "
        f"at step {last.step}, up from {gap0:.2f} at step {first.step}: a widening train/valid gap is the "
        "documented sign of reward hacking; read high-scoring training samples and tighten the grader before "
        "using this model"
    )
