"""k-fold cross-validation: ``ds.folds(k, method, seed)`` -> :class:`Folds`, k (train, test) pairs.

Every example is in exactly one test part, so a model evaluated on the pooled test parts predicts every example
once and the confidence interval covers the whole task (as Geneformer's 5-fold evaluation did): for small gene
tasks this is the only way to a usable interval. Group methods keep each group in one fold: ``family`` (gene
families), ``scaffold`` (Bemis-Murcko scaffolds), ``cold`` (entities); ``random`` and ``stratified`` (per label)
deal single examples. Groups are dealt largest first, each to the fold with the fewest examples so far; the seed
orders groups of equal size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from biorft.datasets._families import families_of, family_groups
from biorft.datasets._io import did_you_mean
from biorft.errors import DatasetError
from biorft.schema import DatasetCard, Domain, SplitStats

if TYPE_CHECKING:
    from biorft.datasets._dataset import TaskDataset
    from biorft.schema import TaskSpec

__all__ = ["FOLD_METHODS", "Folds", "make_folds"]

FOLD_METHODS = ("random", "stratified", "family", "scaffold", "cold")
FOLD_COLUMN = "fold"


@dataclass(frozen=True)
class Folds:
    """k (train, test) pairs of one task whose test parts cover every example exactly once.

    Iterating yields ``(train, test)`` pairs of :class:`~biorft.datasets.TaskDataset`.

    Attributes:
        dataset: The whole task.
        method: How examples were grouped (``"family"``, ``"scaffold"``, ``"cold"``, ``"random"``,
            ``"stratified"``).
        seed: The seed.
        assignment: The test fold of each example, in dataset order.

    Examples:
        >>> import biorft as br
        >>> folds = br.load_task("genes/bivalent_vs_lys4_only").folds(k=5, method="family", seed=0)
        >>> len(folds), sum(len(test) for _, test in folds) == len(folds.dataset)
        (5, True)
        >>> folds.check_leakage()
        >>> len(folds.pooled()) == len(folds.dataset)
        True
    """

    dataset: TaskDataset
    method: str
    seed: int
    assignment: tuple[int, ...]

    @property
    def k(self) -> int:
        """The number of folds."""
        return max(self.assignment) + 1

    @property
    def spec(self) -> TaskSpec:
        """The task spec."""
        return self.dataset.spec

    @property
    def card(self) -> DatasetCard:
        """The task's dataset card."""
        return self.dataset.card

    def _ids(self, fold: int) -> list[str]:
        return [i for i, f in zip(self.dataset.ids, self.assignment, strict=True) if f == fold]

    def __len__(self) -> int:
        return self.k

    def __getitem__(self, fold: int) -> tuple[TaskDataset, TaskDataset]:
        if not -self.k <= fold < self.k:
            raise IndexError(f"fold {fold} out of range for {self.k} folds")
        fold %= self.k
        frame = self.dataset.frame
        mask = [f == fold for f in self.assignment]
        import polars as pl

        test_mask = pl.Series(mask)
        card = self._card(fold)
        return (
            self.dataset._derive(frame.filter(~test_mask), card),
            self.dataset._derive(frame.filter(test_mask), card),
        )

    def __iter__(self) -> Iterator[tuple[TaskDataset, TaskDataset]]:
        for fold in range(self.k):
            yield self[fold]

    def _card(self, fold: int) -> DatasetCard:
        note = f"fold {fold + 1} of {self.k} ({self.method} folds, seed {self.seed})"
        return DatasetCard(**{**self.card.model_dump(), "notes": (*self.card.notes, note)})

    @property
    def sizes(self) -> list[int]:
        """Test examples per fold."""
        return [self.assignment.count(f) for f in range(self.k)]

    @property
    def checksums(self) -> list[str]:
        """SHA-256 of each fold's sorted test ids (one line each), as in split stats."""
        return [hashlib.sha256("\n".join(sorted(self._ids(f))).encode()).hexdigest() for f in range(self.k)]

    def pooled(self) -> TaskDataset:
        """Every example once, each from the test part of its fold: what a model is evaluated on.

        The frame gains a ``fold`` column (the example's test fold, from 0), so records can be traced to their
        fold. A model that does not train on the folds (an LLM) is evaluated on it directly; a trained baseline is
        fitted on each fold's train part, predicts that fold's test part, and the predictions are pooled.

        Returns:
            The dataset with the ``fold`` column, in dataset order.
        """
        import polars as pl

        frame = self.dataset.frame.with_columns(pl.Series(FOLD_COLUMN, list(self.assignment), dtype=pl.Int64))
        note = f"pooled test parts of {self.k} {self.method} folds (seed {self.seed}); test sizes {self.sizes}"
        card = DatasetCard(**{**self.card.model_dump(), "notes": (*self.card.notes, note)})
        return self.dataset._derive(frame, card)

    def check_leakage(self) -> None:
        """Check every (train, test) pair like :meth:`Splits.check_leakage` (ids, entities, genes, families ...).

        Raises:
            DatasetError: Naming the fold and what its train and test parts share.
        """
        from biorft.datasets._splits import Splits

        for fold, (train, test) in enumerate(self):
            stats = SplitStats(
                method=self.method,
                seed=self.seed,
                fractions=(1 - 1 / self.k, 0.0, 1 / self.k),
                sizes={"train": len(train), "valid": 0, "test": len(test)},
            )
            try:
                Splits(train=train, valid=train.head(0), test=test, stats=stats).check_leakage()
            except DatasetError as exc:
                raise DatasetError(f"fold {fold + 1} of {self.k}: {exc}") from exc

    def __repr__(self) -> str:
        return f"Folds({self.spec.name!r}, k={self.k}, method={self.method!r}, seed={self.seed}, sizes={self.sizes})"


def _groups(ds: TaskDataset, method: str) -> dict[str, list[int]]:
    frame = ds.frame
    if method == "family":
        if ds.spec.domain is not Domain.GENES:
            raise DatasetError(f"{ds.name}: method 'family' needs a gene task; use 'scaffold' for molecule tasks")
        return family_groups(families_of(frame))
    col = {"scaffold": "scaffold", "cold": "entity"}[method]
    if col not in frame.columns:
        raise DatasetError(f"{ds.name}: method {method!r} needs a {col!r} column; use 'random' or 'stratified'")
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(frame[col].fill_null("").to_list()):
        groups.setdefault(str(key), []).append(i)
    return groups


def make_folds(ds: TaskDataset, k: int, method: str, seed: int) -> Folds:
    """Assign every example of ``ds`` to one of ``k`` test folds (see :meth:`TaskDataset.folds`).

    Examples:
        >>> import biorft as br
        >>> make_folds(br.load_task("genes/dosage_sensitive_tfs"), 5, "family", 0).sizes
        [285, 51, 51, 51, 50]
    """
    import numpy as np

    if method not in FOLD_METHODS:
        raise DatasetError(
            f"unknown fold method {method!r}{did_you_mean(method, FOLD_METHODS)}; use one of {list(FOLD_METHODS)}"
        )
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 2:
        raise DatasetError(f"k must be an integer >= 2, got {k!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise DatasetError(f"seed must be an integer, got {seed!r}")
    n = len(ds)
    if n < k:
        raise DatasetError(f"{ds.name}: cannot make {k} folds of {n} example(s); use k <= {n}")
    rng = np.random.default_rng(int(seed))
    fold_of = [0] * n
    if method in ("random", "stratified"):
        if method == "random" or ds.spec.kind.value not in ("binary", "multiclass"):
            strata = {"": list(range(n))}
        else:
            strata = {}
            for i, y in enumerate(ds.frame["target"].to_list()):
                strata.setdefault(str(y), []).append(i)
        offset = 0
        for key in sorted(strata):
            idx = strata[key]
            for j, pos in enumerate(rng.permutation(len(idx))):
                fold_of[idx[int(pos)]] = (offset + j) % k
            offset += len(idx)
    else:
        groups = _groups(ds, method)
        if len(groups) < k:
            what = "gene families" if method == "family" else f"{method} groups"
            raise DatasetError(f"{ds.name}: only {len(groups)} {what}, fewer than k={k} folds; use k <= {len(groups)}")
        names = sorted(groups)
        shuffled = [names[int(j)] for j in rng.permutation(len(names))]
        order = sorted(shuffled, key=lambda g: -len(groups[g]))  # stable: the seed orders groups of equal size
        sizes = [0] * k
        for g in order:
            f = min(range(k), key=lambda q: (sizes[q], q))
            sizes[f] += len(groups[g])
            for i in groups[g]:
                fold_of[i] = f
    return Folds(dataset=ds, method=method, seed=int(seed), assignment=tuple(fold_of))
