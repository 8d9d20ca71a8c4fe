"""GRPO rows: biorft examples as a conversational ``prompt`` plus the grader's item columns.

The column layout is the contract between `grpo_dataset` (which writes the columns) and the TRL reward
adapter (which rebuilds each grader ``item`` from them):

- ``prompt``: the example's chat messages, a list of ``{"role", "content"}`` dicts (TRL's conversational format).
- ``id``, ``task``, ``kind``, ``entity``: strings, as in `biorft.schema.reference_item`.
- ``target``: **native type per task kind**, never JSON-encoded: ``str`` for binary / multiclass tasks,
  ``list[str]`` for multilabel tasks, ``float`` for regression tasks. One dataset holds one task, so each column has
  one Arrow type.
- ``known_labels``: multilabel tasks only, ``list[str]`` where the example records which labels were measured and
  null where it does not (the item then has no ``known_labels`` key, exactly as ``reference_item`` leaves it out).

Rebuilding an item (`item_from_columns`) drops null optional fields, so ``item_from_columns`` of a row equals
``reference_item(spec, example)`` exactly; the tests check this for every task kind. `grader_fields` says which
columns a grader's item is rebuilt from and which of them must be present.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from biorft.errors import DatasetError, require
from biorft.schema import TaskKind, TaskSpec

__all__ = [
    "ITEM_COLUMNS",
    "OPTIONAL_ITEM_COLUMNS",
    "ExampleSource",
    "PromptedLike",
    "grader_fields",
    "grpo_features",
    "grpo_rows",
    "item_from_columns",
    "rows_to_dataset",
]

ITEM_COLUMNS: tuple[str, ...] = ("id", "task", "kind", "entity", "target", "known_labels")
"""Columns that carry the grader ``item`` (the keys of `biorft.schema.reference_item`)."""

OPTIONAL_ITEM_COLUMNS: frozenset[str] = frozenset({"known_labels"})
"""Item columns that may be absent from a dataset (or null in a row): the item then lacks the key."""

_ROLES = frozenset({"system", "developer", "user", "assistant"})


class PromptedLike(Protocol):
    """What `grpo_rows` needs from one example (``biorft.datasets.PromptedExample`` fits)."""

    @property
    def id(self) -> str:
        """The example id."""
        ...

    @property
    def messages(self) -> Sequence[Mapping[str, str]]:
        """Chat messages, last role ``user``."""
        ...

    @property
    def item(self) -> Mapping[str, Any]:
        """The grader item, ``reference_item(spec, example)``."""
        ...


class ExampleSource(Protocol):
    """What `grpo_rows` needs from a dataset (``biorft.datasets.TaskDataset`` fits)."""

    @property
    def spec(self) -> TaskSpec:
        """The task the examples belong to."""
        ...

    def examples(self) -> Iterable[PromptedLike]:
        """The prompted examples, in dataset order."""
        ...


def _check_messages(task: str, ex_id: str, messages: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    if not messages:
        raise DatasetError(f"{task}: example {ex_id!r} has no prompt messages; rebuild its prompt")
    out: list[dict[str, str]] = []
    for pos, msg in enumerate(messages):
        role, content = msg.get("role"), msg.get("content")
        if role not in _ROLES or not isinstance(content, str):
            raise DatasetError(
                f"{task}: example {ex_id!r} message {pos} must be {{'role': one of {sorted(_ROLES)}, 'content': str}}, "
                f"got {dict(msg)!r}"
            )
        out.append({"role": role, "content": content})
    if out[-1]["role"] != "user":
        raise DatasetError(
            f"{task}: example {ex_id!r} prompt ends with role {out[-1]['role']!r}; the last message must be the user "
            "turn the model answers"
        )
    return out


def _check_target(spec: TaskSpec, ex_id: str, target: Any) -> Any:
    kind = spec.kind
    if kind is TaskKind.REGRESSION:
        if isinstance(target, bool) or not isinstance(target, int | float) or not math.isfinite(target):
            raise DatasetError(f"{spec.name}: example {ex_id!r} target must be a finite number, got {target!r}")
        return float(target)
    if kind is TaskKind.MULTILABEL:
        if not isinstance(target, list | tuple) or not all(isinstance(t, str) for t in target):
            raise DatasetError(f"{spec.name}: example {ex_id!r} target must be a list of labels, got {target!r}")
        return list(target)
    if not isinstance(target, str):
        raise DatasetError(f"{spec.name}: example {ex_id!r} target must be a label string, got {target!r}")
    return target


def grpo_rows(data: ExampleSource) -> list[dict[str, Any]]:
    """One row per example: the conversational ``prompt`` plus the grader's item columns.

    Rows are plain dicts (no optional dependency needed); `biorft.backends.trl.grpo_dataset` turns them into a
    ``datasets.Dataset``. Every example becomes exactly one row, in order; a malformed example raises.

    Args:
        data: A task dataset (anything with ``.spec`` and ``.examples()`` yielding prompted examples).

    Returns:
        The rows. Multilabel tasks get a ``known_labels`` key in every row (``None`` where not recorded).

    Raises:
        DatasetError: The dataset is empty, or an example's messages, item or target do not fit the task
            (the message names the example id).

    Examples:
        >>> from dataclasses import dataclass, field
        >>> from biorft.schema import Example, TaskSpec, reference_item
        >>> spec = TaskSpec(name="genes/demo", domain="genes", kind="binary", labels=("yes", "no"),
        ...                 instructions="Is this TF dosage-sensitive?")
        >>> @dataclass
        ... class Prompted:
        ...     id: str
        ...     messages: list
        ...     item: dict
        >>> @dataclass
        ... class Source:
        ...     spec: TaskSpec
        ...     exs: list = field(default_factory=list)
        ...     def examples(self):
        ...         return iter(self.exs)
        >>> ex = Example(id="g1", entity="GATA4", target="yes")
        >>> src = Source(spec, [Prompted("g1", [{"role": "user", "content": "GATA4?"}], reference_item(spec, ex))])
        >>> row = grpo_rows(src)[0]
        >>> row["prompt"], row["target"]
        ([{'role': 'user', 'content': 'GATA4?'}], 'yes')
    """
    spec = data.spec
    multilabel = spec.kind is TaskKind.MULTILABEL
    rows: list[dict[str, Any]] = []
    for ex in data.examples():
        ex_id = ex.id
        item = dict(ex.item)
        missing = [k for k in ITEM_COLUMNS if k not in OPTIONAL_ITEM_COLUMNS and k not in item]
        if missing:
            raise DatasetError(f"{spec.name}: example {ex_id!r} item lacks {missing}; build it with reference_item()")
        extra = sorted(set(item) - set(ITEM_COLUMNS))
        if extra:
            raise DatasetError(
                f"{spec.name}: example {ex_id!r} item has unknown keys {extra}; the item must be reference_item()"
            )
        if item["id"] != ex_id:
            raise DatasetError(f"{spec.name}: example {ex_id!r} carries the item of {item['id']!r}")
        if item["task"] != spec.name or item["kind"] != spec.kind.value:
            raise DatasetError(
                f"{spec.name}: example {ex_id!r} item belongs to task {item['task']!r} ({item['kind']}), not "
                f"{spec.name!r} ({spec.kind.value})"
            )
        row: dict[str, Any] = {"prompt": _check_messages(spec.name, ex_id, ex.messages)}
        for key in ("id", "task", "kind", "entity"):
            if not isinstance(item[key], str):
                raise DatasetError(f"{spec.name}: example {ex_id!r} item[{key!r}] must be a string, got {item[key]!r}")
            row[key] = item[key]
        row["target"] = _check_target(spec, ex_id, item["target"])
        if multilabel:
            known = item.get("known_labels")
            if known is not None and (
                not isinstance(known, list | tuple) or not all(isinstance(k, str) for k in known)
            ):
                raise DatasetError(
                    f"{spec.name}: example {ex_id!r} known_labels must be a list of labels, got {known!r}"
                )
            row["known_labels"] = None if known is None else list(known)
        elif "known_labels" in item:
            raise DatasetError(f"{spec.name}: example {ex_id!r} has known_labels but the task is {spec.kind.value}")
        rows.append(row)
    if not rows:
        raise DatasetError(f"{spec.name}: no examples to train on; pass a non-empty split")
    return rows


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
    kind = TaskKind(kind)
    string = ds.Value("string")
    features: dict[str, Any] = {
        "prompt": [{"role": string, "content": string}],
        "id": string,
        "task": string,
        "kind": string,
        "entity": string,
    }
    if kind is TaskKind.REGRESSION:
        features["target"] = ds.Value("float64")
    elif kind is TaskKind.MULTILABEL:
        features["target"] = [string]
        features["known_labels"] = [string]
    else:
        features["target"] = string
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


def item_from_columns(columns: Mapping[str, Sequence[Any]], index: int, fields: Iterable[str]) -> dict[str, Any]:
    """Rebuild one grader item from batched dataset columns (as TRL passes them to a reward function).

    Args:
        columns: Column name -> values for the batch (TRL's reward ``**kwargs``).
        index: Which row of the batch.
        fields: The item keys to rebuild (columns that are absent or null are left out, as in ``reference_item``).

    Returns:
        The item dict.

    Examples:
        >>> cols = {"id": ["a", "b"], "target": [["x"], ["y"]], "known_labels": [None, ["y"]]}
        >>> item_from_columns(cols, 0, ["id", "target", "known_labels"])
        {'id': 'a', 'target': ['x']}
        >>> item_from_columns(cols, 1, ["id", "target", "known_labels"])
        {'id': 'b', 'target': ['y'], 'known_labels': ['y']}
    """
    item: dict[str, Any] = {}
    for name in fields:
        values = columns.get(name)
        if values is None:
            continue
        value = values[index]
        if value is None:
            continue
        item[name] = list(value) if isinstance(value, tuple) else value
    return item


def grader_fields(grader: object) -> tuple[tuple[str, ...], frozenset[str]]:
    """Which columns to rebuild the item from, and which of them the dataset must have.

    The item always carries the standard item columns present in the dataset; a grader's ``referenced_fields``
    (graders read only those) adds custom columns and makes them required (except optional ones such as
    ``known_labels``). A grader that does not declare ``referenced_fields`` is assumed to read ``target``.

    Args:
        grader: A grader, optionally with ``referenced_fields``.

    Returns:
        ``(fields, required)``: the item keys to rebuild, and those every dataset must have as columns and every
        scored row must have non-null.

    Examples:
        >>> class G:
        ...     referenced_fields = frozenset({"target", "smiles", "known_labels"})
        >>> fields, required = grader_fields(G())
        >>> fields[-1], sorted(required)
        ('smiles', ['smiles', 'target'])
        >>> grader_fields(lambda sample, item: 1.0)[1]
        frozenset({'target'})
    """
    referenced = getattr(grader, "referenced_fields", None)
    if referenced is None:
        return ITEM_COLUMNS, frozenset({"target"})
    ref = frozenset(str(f) for f in referenced)
    fields = ITEM_COLUMNS + tuple(sorted(ref - set(ITEM_COLUMNS)))
    return fields, frozenset(ref - OPTIONAL_ITEM_COLUMNS)
