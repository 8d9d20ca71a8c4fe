from __future__ import annotations

import random
from typing import Any

import polars as pl

from biorft.datasets import TaskDataset
from biorft.schema import DatasetCard, TaskSpec


def synthetic(
    n: int,
    *,
    n_groups: int,
    kind: str = "binary",
    seed: int = 0,
    labels: tuple[str, ...] = ("a", "b"),
    big_group: float = 0.0,
) -> TaskDataset:
    """A molecule-shaped dataset with ``n`` examples in ``n_groups`` scaffold groups (one group may be big)."""
    rng = random.Random(seed)
    groups = []
    for i in range(n):
        if big_group and rng.random() < big_group:
            groups.append("")  # the acyclic group
        else:
            groups.append(f"S{rng.randrange(n_groups)}")
    target: Any
    if kind == "regression":
        target = [rng.uniform(-5, 2) for _ in range(n)]
        spec = TaskSpec(name="test/synthetic", domain="molecules", kind="regression", instructions="x")
    elif kind == "multilabel":
        target = [sorted(rng.sample(labels, rng.randrange(len(labels) + 1))) for _ in range(n)]
        spec = TaskSpec(name="test/synthetic", domain="molecules", kind="multilabel", labels=labels, instructions="x")
    else:
        target = [rng.choice(labels) for _ in range(n)]
        spec = TaskSpec(name="test/synthetic", domain="molecules", kind=kind, labels=labels, instructions="x")
    frame = pl.DataFrame(
        {
            "id": [f"m{i:05d}" for i in range(n)],
            "entity": [f"C{i}" for i in range(n)],
            "target": target,
            "smiles": [f"C{i}" for i in range(n)],
            "inchikey": [f"KEY{i:05d}" for i in range(n)],
            "scaffold": groups,
        }
    )
    card = DatasetCard(task=spec.name, version="1.0.0", licence="CC0-1.0", n_rows_in=n, n_kept=n, n_quarantined=0)
    return TaskDataset(spec, frame, card)
