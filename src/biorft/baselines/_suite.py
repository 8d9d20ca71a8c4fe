"""Which baselines apply to a task, and running them all on a split.

Examples:
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="t", domain="genes", kind="binary", labels=("a", "b"), instructions="?")
    >>> [b.name for b in for_task(spec)]
    ['baseline:majority', 'baseline:label_prior', 'baseline:gene_knn', 'baseline:family_rule']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from biorft.baselines._base import Baseline
from biorft.baselines._descriptors import DescriptorBoosting
from biorft.baselines._fingerprints import FingerprintForest, FingerprintLinear
from biorft.baselines._genes import FamilyRule, GeneNeighbours
from biorft.baselines._prior import LabelPrior, Majority
from biorft.baselines._rules import rule_baselines
from biorft.evaluation import EvalReport
from biorft.evaluation._records import GraderLike
from biorft.schema import TaskSpec

__all__ = ["for_task", "run_baselines"]


def for_task(spec: TaskSpec, *, seed: int = 0) -> list[Baseline]:
    """Fresh (unfitted) instances of every baseline that applies to ``spec``.

    Every task gets [Majority][biorft.baselines.Majority] and [LabelPrior][biorft.baselines.LabelPrior]; molecule
    tasks add the textbook rules that apply ([rule_baselines][biorft.baselines.rule_baselines]: ESOL, TPSA, Lipinski,
    Veber), [FingerprintForest][biorft.baselines.FingerprintForest],
    [FingerprintLinear][biorft.baselines.FingerprintLinear] and
    [DescriptorBoosting][biorft.baselines.DescriptorBoosting]; gene tasks add the shortcut baselines
    [GeneNeighbours][biorft.baselines.GeneNeighbours] (name only) and [FamilyRule][biorft.baselines.FamilyRule].

    Args:
        spec: The task.
        seed: Seed for the baselines that draw random numbers.

    Returns:
        The baselines, cheapest first.
    """
    candidates: list[Baseline] = [
        Majority(),
        LabelPrior(seed=seed),
        *rule_baselines(spec),
        FingerprintForest(seed=seed),
        FingerprintLinear(seed=seed),
        DescriptorBoosting(seed=seed),
        GeneNeighbours(),
        FamilyRule(),
    ]
    return [b for b in candidates if b.supports(spec)]


def run_baselines(
    splits: Any,
    grader: GraderLike | None = None,
    *,
    baselines: Sequence[Baseline] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> list[EvalReport]:
    """Fit each baseline on ``splits.train`` and evaluate it on ``splits.test`` through the task's grader.

    Given [Folds][biorft.datasets.Folds], each baseline is cross-validated instead
    ([Baseline.cross_validate][biorft.baselines.Baseline.cross_validate]): fitted per fold, its test answers pooled,
    so every example is predicted once.

    Args:
        splits: A [Splits][biorft.datasets.Splits] (anything with ``train`` and ``test`` datasets), or
            [Folds][biorft.datasets.Folds].
        grader: Default ``biorft.graders.grader_for(spec)``.
        baselines: Which baselines; default [`for_task`][biorft.baselines.for_task].
        n_boot: Bootstrap resamples for the CIs.
        seed: Seed of the baselines and the bootstrap.

    Returns:
        One [`EvalReport`][biorft.evaluation.EvalReport] per baseline, in order.
    """
    cross = callable(getattr(splits, "pooled", None))
    spec = splits.spec if cross else splits.train.spec
    chosen = list(baselines) if baselines is not None else for_task(spec, seed=seed)
    if cross:
        return [b.cross_validate(splits, grader, n_boot=n_boot, seed=seed) for b in chosen]
    return [b.fit(splits.train).evaluate(splits.test, grader, n_boot=n_boot, seed=seed) for b in chosen]
