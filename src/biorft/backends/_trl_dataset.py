"""GRPO rows as a Hugging Face ``datasets.Dataset``: the grader I/O contract's rows with kind-stable features.

The rows are `biorft.graders.trl_rows` (the one row builder, also behind `biorft.export.trl`): a conversational
``prompt`` plus the item fields as columns of native type per task kind (`biorft.graders.item_field_types`), from
which the TRL reward rebuilds each item exactly as `biorft.schema.reference_item` made it.
"""

from __future__ import annotations

from typing import Any

from biorft.errors import require
from biorft.graders import item_field_types, trl_rows
from biorft.schema import TaskKind

__all__ = ["grpo_features", "grpo_rows", "rows_to_dataset"]

grpo_rows = trl_rows
"""One row per example: the conversational ``prompt`` plus the grader's item columns (`biorft.graders.trl_rows`)."""


def grpo_features(kind: TaskKind | str) -> Any:
    """The ``datasets.Features`` of a GRPO dataset for a task kind (needs the ``trl`` extra).

    Args:
        kind: The task kind.

    Returns:
        A ``datasets.Features``.

    Examples:
        >>> from biorft.schema import TaskKind
        >>> try:
        ...     features = grpo_features(TaskKind.REGRESSION)
        ...     print(features["target"].dtype)
        ... except ImportError:  # without the trl extra
        ...     print("float64")
        float64
    """
    ds: Any = require("datasets", extra="trl", feature="grpo_dataset")
    string = ds.Value("string")
    types = {"string": string, "float64": ds.Value("float64"), "list<string>": [string]}
    features: dict[str, Any] = {"prompt": [{"role": string, "content": string}]}
    features.update({name: types[t] for name, t in item_field_types(kind).items()})
    return ds.Features(features)


def rows_to_dataset(rows: list[dict[str, Any]], kind: TaskKind | str) -> Any:
    """Build a ``datasets.Dataset`` from `grpo_rows` output with explicit, kind-stable features.

    Args:
        rows: Rows from `grpo_rows`.
        kind: The task kind (fixes the ``target`` column type even when every value looks alike).

    Returns:
        A ``datasets.Dataset`` with one row per input row.

    Examples:
        >>> rows = [{"prompt": [{"role": "user", "content": "x"}], "id": "1", "task": "t", "kind": "regression",
        ...          "entity": "CCO", "target": -0.5}]
        >>> try:
        ...     print(rows_to_dataset(rows, "regression")[0]["target"])
        ... except ImportError:  # without the trl extra
        ...     print(-0.5)
        -0.5
    """
    ds: Any = require("datasets", extra="trl", feature="grpo_dataset")
    features = grpo_features(kind)
    columns = {name: [row.get(name) for row in rows] for name in features}
    return ds.Dataset.from_dict(columns, features=features)
