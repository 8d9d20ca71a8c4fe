"""The grader I/O contract: what a grader is given (``sample``, ``item``) and how items travel through rows.

Every path that grades (evaluation, the TRL and verl rewards, the exporters, the backends) uses these pieces, so an
output is graded the same way everywhere:

- the ``sample`` of an output text: `to_sample` (``output_text``, plus ``output_json`` when the text is JSON), and
  `completion_text` for TRL completions (strings or conversations);
- the ``item``: the keys `ITEM_FIELDS` of `biorft.schema.reference_item`, of which `OPTIONAL_ITEM_FIELDS` may be
  absent; rows carry them as columns of native type per task kind (`item_field_types`); `trl_row` / `trl_rows`
  write such rows and `item_from_columns` rebuilds the item from them;
- which item fields a grader reads: `grader_fields`;
- the protocols the rest of biorft accepts: `GraderLike` (anything with ``explain``), `ExportableGrader` (a grader
  that can be written out), `PromptedLike` (one prompted example) and `PromptedData` (a task's examples).

Examples:
    >>> from biorft.graders import ITEM_FIELDS, item_from_columns, to_sample
    >>> ITEM_FIELDS
    ('id', 'task', 'kind', 'entity', 'target', 'known_labels')
    >>> to_sample('{"answer": "BBB+"}')["output_json"]
    {'answer': 'BBB+'}
    >>> item_from_columns({"id": ["a"], "target": ["BBB+"], "known_labels": [None]}, 0, ITEM_FIELDS)
    {'id': 'a', 'target': 'BBB+'}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from biorft.errors import DatasetError
from biorft.graders._rt.inputs import plain_value, to_sample
from biorft.schema import TaskKind, TaskSpec

__all__ = [
    "ITEM_FIELDS",
    "OPTIONAL_ITEM_FIELDS",
    "ExportableGrader",
    "GraderLike",
    "PromptedData",
    "PromptedLike",
    "completion_text",
    "grader_fields",
    "item_field_types",
    "item_from_columns",
    "to_sample",
    "trl_row",
    "trl_rows",
]

ITEM_FIELDS: tuple[str, ...] = ("id", "task", "kind", "entity", "target", "known_labels")
"""The keys of a grader ``item`` (`biorft.schema.reference_item`), in column order."""

OPTIONAL_ITEM_FIELDS: frozenset[str] = frozenset({"known_labels"})
"""Item keys only some examples carry (the measured labels of a multilabel example); absent or null means unknown."""

_ROLES = frozenset({"system", "developer", "user", "assistant"})


class GraderLike(Protocol):
    """What biorft needs to grade with: ``explain(sample, item)`` returning a result with ``score`` and ``reason``.

    The result exposes ``score`` (a float in [0, 1]), ``reason`` (a str-valued enum or a str), ``answer`` and
    optionally ``confidence`` and ``detail``, as `biorft.graders.GradeResult` does. Every
    `biorft.graders.Grader` fits.
    """

    def explain(self, sample: Any, item: dict[str, Any], /) -> Any:
        """Grade one output and say why."""
        ...


class ExportableGrader(GraderLike, Protocol):
    """A grader the exporters can write out: a name, the item fields it reads, and its OpenAI dict and source."""

    name: str
    referenced_fields: frozenset[str]

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI grader dict."""
        ...

    def to_source(self) -> str:
        """A self-contained module defining ``grade(sample, item)``."""
        ...


class PromptedLike(Protocol):
    """One prompted example: ``id``, chat ``messages`` and the grader ``item`` (`biorft.datasets.PromptedExample`)."""

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


class PromptedData(Protocol):
    """A task's prompted examples: ``spec`` and ``examples()`` (a `biorft.datasets.TaskDataset` fits)."""

    @property
    def spec(self) -> TaskSpec:
        """The task the examples belong to."""
        ...

    def examples(self) -> Iterator[PromptedLike]:
        """The prompted examples, in a stable order."""
        ...


def completion_text(completion: Any) -> str:
    """The text of one TRL completion: a string, a message dict, or a list of messages (the assistant's turns).

    Only assistant turns are model output (a message without a role counts as one); tool results and other roles
    are left out. Message content may be a string or a list of parts, whose text parts (``{"type": "text",
    "text": ...}`` or plain strings) are joined; several assistant turns are joined by newlines.

    Args:
        completion: ``str`` (TRL's standard format), one message, or a list of ``{"role", "content"}`` messages
            (conversational format).

    Returns:
        The text the grader reads (``""`` when there is none).

    Examples:
        >>> completion_text([{"role": "assistant", "content": [{"type": "text", "text": "Answer: 3"}]}])
        'Answer: 3'
        >>> completion_text("Answer: 1.5")
        'Answer: 1.5'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        completion = [completion]
    if not isinstance(completion, Sequence):
        return ""
    return "\n".join(
        _content_text(m.get("content"))
        for m in completion
        if isinstance(m, Mapping) and m.get("role", "assistant") == "assistant"
    )


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts = (p.get("text") if isinstance(p, Mapping) and p.get("type", "text") == "text" else p for p in content)
    return "".join(t for t in texts if isinstance(t, str))


def item_field_types(kind: TaskKind | str) -> dict[str, str]:
    """The item columns of a task kind and their types: ``"string"``, ``"float64"`` or ``"list<string>"``.

    ``target`` keeps its native type per kind (a label, a list of labels, a number), never JSON text; only
    multilabel tasks have ``known_labels``. Every writer (TRL jsonl / parquet, verl parquet, ``datasets.Dataset``)
    maps these to its own types.

    Examples:
        >>> item_field_types("regression")["target"], item_field_types("multilabel")["known_labels"]
        ('float64', 'list<string>')
    """
    kind = TaskKind(kind)
    types = {"id": "string", "task": "string", "kind": "string", "entity": "string"}
    if kind is TaskKind.REGRESSION:
        types["target"] = "float64"
    elif kind is TaskKind.MULTILABEL:
        types["target"] = "list<string>"
        types["known_labels"] = "list<string>"
    else:
        types["target"] = "string"
    return types


def _check_messages(where: str, messages: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    if not messages:
        raise DatasetError(f"{where} has no prompt messages; rebuild its prompt")
    out: list[dict[str, str]] = []
    for pos, msg in enumerate(messages):
        role, content = msg.get("role"), msg.get("content")
        if role not in _ROLES or not isinstance(content, str):
            raise DatasetError(
                f"{where} message {pos} must be {{'role': one of {sorted(_ROLES)}, 'content': str}}, got {dict(msg)!r}"
            )
        out.append({"role": role, "content": content})
    if out[-1]["role"] != "user":
        raise DatasetError(
            f"{where} prompt ends with role {out[-1]['role']!r}; the last message must be the user turn the model "
            "answers"
        )
    return out


def _check_target(where: str, kind: TaskKind, target: Any) -> Any:
    if kind is TaskKind.REGRESSION:
        if isinstance(target, bool) or not isinstance(target, int | float) or not math.isfinite(target):
            raise DatasetError(f"{where} target must be a finite number, got {target!r}")
        return float(target)
    if kind is TaskKind.MULTILABEL:
        if not isinstance(target, list | tuple) or not all(isinstance(t, str) for t in target):
            raise DatasetError(f"{where} target must be a list of labels, got {target!r}")
        return list(target)
    if not isinstance(target, str):
        raise DatasetError(f"{where} target must be a label string, got {target!r}")
    return target


def trl_row(
    messages: Sequence[Mapping[str, str]], item: Mapping[str, Any], *, kind: TaskKind | str | None = None
) -> dict[str, Any]:
    """One training row: ``prompt`` (chat messages, TRL's conversational format) plus the item's fields as columns.

    TRL's ``GRPOTrainer`` passes every extra column to reward functions as keyword lists, and `item_from_columns`
    rebuilds the item from them. The messages are checked (known roles, string content, the user's turn last), and
    with a task kind (``kind``, else the item's ``kind``) the target must have the kind's native type and multilabel
    rows always get a ``known_labels`` column (null where the example does not record it).

    Args:
        messages: The example's chat messages.
        item: The grader item.
        kind: The task kind; defaults to ``item["kind"]`` when present.

    Returns:
        The row.

    Raises:
        DatasetError: The messages or the target do not fit (the message names the example id).

    Examples:
        >>> trl_row([{"role": "user", "content": "Gene: TP53"}], {"id": "g1", "target": "yes"})
        {'prompt': [{'role': 'user', 'content': 'Gene: TP53'}], 'id': 'g1', 'target': 'yes'}
        >>> trl_row([{"role": "user", "content": "?"}], {"id": "t1", "kind": "multilabel", "target": ("a",)})
        {'prompt': [{'role': 'user', 'content': '?'}], 'id': 't1', 'kind': 'multilabel', 'target': ['a'], 'known_labels': None}
    """  # noqa: E501
    where = f"example {item.get('id')!r}"
    row: dict[str, Any] = {"prompt": _check_messages(where, messages)}
    for key, value in item.items():
        if key in ("id", "task", "kind", "entity") and not isinstance(value, str):
            raise DatasetError(f"{where} item[{key!r}] must be a string, got {value!r}")
        row[key] = plain_value(value)
    kind = kind if kind is not None else item.get("kind")
    if kind is None:
        return row
    kind = TaskKind(kind)
    if "target" in item:
        row["target"] = _check_target(where, kind, item["target"])
    known = item.get("known_labels")
    if kind is TaskKind.MULTILABEL:
        if known is not None and (not isinstance(known, list | tuple) or not all(isinstance(k, str) for k in known)):
            raise DatasetError(f"{where} known_labels must be a list of labels, got {known!r}")
        row["known_labels"] = None if known is None else list(known)
    elif "known_labels" in item:
        raise DatasetError(f"{where} has known_labels but the task is {kind.value}")
    return row


def trl_rows(data: PromptedData) -> list[dict[str, Any]]:
    """One `trl_row` per example of a task, after checking each item is the task's own ``reference_item``.

    Args:
        data: A task dataset (anything with ``.spec`` and ``.examples()`` yielding prompted examples).

    Returns:
        The rows, in order. Multilabel tasks get a ``known_labels`` key in every row (``None`` where not recorded).

    Raises:
        DatasetError: The dataset is empty, or an example's messages, item or target do not fit the task (the
            message names the example id).

    Examples:
        >>> import biorft as br
        >>> rows = trl_rows(br.load_task("molecules/solubility_aqsoldb").head(2))
        >>> sorted(rows[0]), type(rows[0]["target"]).__name__
        (['entity', 'id', 'kind', 'prompt', 'target', 'task'], 'float')
    """
    spec = data.spec
    rows: list[dict[str, Any]] = []
    for ex in data.examples():
        ex_id, item = ex.id, ex.item
        where = f"{spec.name}: example {ex_id!r}"
        missing = [k for k in ITEM_FIELDS if k not in OPTIONAL_ITEM_FIELDS and k not in item]
        if missing:
            raise DatasetError(f"{where} item lacks {missing}; build it with reference_item()")
        extra = sorted(set(item) - set(ITEM_FIELDS))
        if extra:
            raise DatasetError(f"{where} item has unknown keys {extra}; the item must be reference_item()")
        if item["id"] != ex_id:
            raise DatasetError(f"{where} carries the item of {item['id']!r}")
        if item["task"] != spec.name or item["kind"] != spec.kind.value:
            raise DatasetError(
                f"{where} item belongs to task {item['task']!r} ({item['kind']}), not {spec.name!r} ({spec.kind.value})"
            )
        try:
            rows.append(trl_row(ex.messages, item, kind=spec.kind))
        except DatasetError as exc:
            raise DatasetError(f"{spec.name}: {exc}") from exc
    if not rows:
        raise DatasetError(f"{spec.name}: no examples to train on; pass a non-empty split")
    return rows


def item_from_columns(columns: Mapping[str, Sequence[Any]], index: int, fields: Iterable[str]) -> dict[str, Any]:
    """Rebuild one grader item from batched dataset columns (as TRL passes them to a reward function).

    Args:
        columns: Column name -> values for the batch (TRL's reward ``**kwargs``).
        index: Which row of the batch.
        fields: The item keys to rebuild (columns that are absent or null are left out, as in ``reference_item``).

    Returns:
        The item dict (tuples and numpy values as lists and numbers).

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
        item[name] = plain_value(value)
    return item


def grader_fields(grader: object) -> tuple[tuple[str, ...], frozenset[str]]:
    """Which item fields to give a grader, and which of them every row must carry.

    The item always carries the standard fields present in the data; a grader's ``referenced_fields`` (graders
    read only those) adds custom fields and makes them required (except `OPTIONAL_ITEM_FIELDS`). A grader that does
    not declare ``referenced_fields`` is assumed to read ``target``.

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
        return ITEM_FIELDS, frozenset({"target"})
    ref = frozenset(str(f) for f in referenced)
    fields = ITEM_FIELDS + tuple(sorted(ref - set(ITEM_FIELDS)))
    return fields, frozenset(ref - OPTIONAL_ITEM_FIELDS)
