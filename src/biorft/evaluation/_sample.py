"""A seeded sample of a task's examples for ``limit=N``: stratified by label for classification tasks.

Cutting a split to its first N rows measures whatever order the rows happen to be in (often one class); a limit
takes a seeded random sample instead, with each label represented in proportion (largest remainders, at least one
example of every label when N allows), and the report says it is a sample and of what.

Examples:
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="t", domain="other", kind="binary", labels=("a", "b"), instructions="x")
    >>> rows = [(str(i), "a" if i < 90 else "b") for i in range(100)]
    >>> ids, info = sample_ids(spec, rows, 10, seed=0)
    >>> len(ids), info.counts
    (10, {'a': 9, 'b': 1})
    >>> info.describe()
    'a seeded sample of 10 of 100 examples (stratified by label, seed 0)'
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from biorft.errors import ArgumentError
from biorft.schema import TaskKind, TaskSpec

__all__ = ["SampleInfo", "sample_ids"]


class SampleInfo(BaseModel):
    """How a limited run chose its examples (recorded in the report).

    Attributes:
        n: Examples in the sample.
        of: Examples the sample was drawn from.
        seed: Seed of the draw.
        stratified_by: ``"label"`` when each label kept its share, else None.
        counts: Examples per label in the sample (classification tasks).
        source: What the examples were drawn from, e.g. ``"test part of the canonical split"`` (when known).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    n: int = Field(ge=0)
    of: int = Field(ge=0)
    seed: int
    stratified_by: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    source: str | None = None

    def describe(self) -> str:
        """One line for tables."""
        how = f"stratified by {self.stratified_by}, " if self.stratified_by else ""
        of = f"{self.of} examples" + (f" of the {self.source}" if self.source else "")
        return f"a seeded sample of {self.n} of {of} ({how}seed {self.seed})"


def _allocate(sizes: dict[str, int], limit: int) -> dict[str, int]:
    total = sum(sizes.values())
    quotas = {k: limit * v / total for k, v in sizes.items()}
    alloc = {k: int(q) for k, q in quotas.items()}
    if limit >= len(sizes):  # every label present keeps at least one example
        for k in alloc:
            alloc[k] = max(alloc[k], 1)
    floor = 1 if limit >= len(sizes) else 0
    while sum(alloc.values()) > limit:  # take back from the classes furthest above their quota, never below one
        k = max((c for c in alloc if alloc[c] > floor), key=lambda c: (alloc[c] - quotas[c], alloc[c]))
        alloc[k] -= 1
    order = sorted(sizes, key=lambda c: (-(quotas[c] - int(quotas[c])), c))
    i = 0
    while sum(alloc.values()) < limit:
        k = order[i % len(order)]
        if alloc[k] < sizes[k]:
            alloc[k] += 1
        i += 1
    return alloc


def sample_ids(
    spec: TaskSpec, rows: Iterable[tuple[str, object]], limit: int, *, seed: int, source: str | None = None
) -> tuple[list[str], SampleInfo | None]:
    """Choose ``limit`` example ids, seeded, stratified by label for binary and multiclass tasks.

    Args:
        spec: The task (its kind decides stratification).
        rows: ``(example id, target)`` in dataset order.
        limit: How many examples to keep (at least 1).
        seed: Seed of the draw.
        source: What the rows are, for the report ("test part of the canonical split").

    Returns:
        The chosen ids in dataset order, and how they were chosen (None when ``limit`` covers every row).

    Raises:
        ArgumentError: When ``limit`` is not an integer >= 1.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ArgumentError(f"limit must be an integer >= 1 (or None for every example), got {limit!r}")
    pairs = [(str(i), t) for i, t in rows]
    if limit >= len(pairs):
        return [i for i, _ in pairs], None
    rng = random.Random(seed)
    stratify = spec.kind in (TaskKind.BINARY, TaskKind.MULTICLASS)
    counts: dict[str, int] = {}
    if stratify:
        by_label: dict[str, list[str]] = {}
        for i, t in pairs:
            by_label.setdefault(str(t), []).append(i)
        alloc = _allocate({k: len(v) for k, v in by_label.items()}, limit)
        chosen = set()
        for label in sorted(by_label):
            chosen.update(rng.sample(by_label[label], alloc[label]))
        counts = {k: alloc[k] for k in sorted(alloc) if alloc[k]}
    else:
        chosen = set(rng.sample([i for i, _ in pairs], limit))
    ids = [i for i, _ in pairs if i in chosen]
    info = SampleInfo(
        n=len(ids), of=len(pairs), seed=seed, stratified_by="label" if stratify else None, counts=counts, source=source
    )
    return ids, info
