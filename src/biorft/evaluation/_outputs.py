"""Grade outputs that already exist (a JSONL file or a list of dicts) against a task's reference items.

Each output names its example by ``id`` and carries the text in ``output_text`` (also accepted: ``output``,
``text``, ``response``, ``completion``); an optional ``sample`` index distinguishes several outputs for one example
(without it, repeated ids become samples 0, 1, 2, ...). The outputs define what is evaluated: dataset examples
without an output are not part of the report, and an output whose id is not in the dataset is an error (usually the
wrong task or split).

Examples:
    >>> from types import SimpleNamespace as NS
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="t", domain="other", kind="binary", labels=("yes", "no"), instructions="?")
    >>> data = NS(spec=spec, examples=lambda: iter(
    ...     [NS(id=i, messages=[], item={"id": i, "target": "yes"}) for i in ("a", "b")]))
    >>> class Grader:
    ...     def explain(self, sample, item):
    ...         ok = sample["output_text"].endswith(item["target"])
    ...         return NS(score=float(ok), reason="correct" if ok else "incorrect", answer=None)
    >>> report = grade_outputs(data, [{"id": "a", "output_text": "Answer: yes"}], Grader(), n_boot=0)
    >>> report.n_examples, report.metrics["mean_reward"].value, report.source
    (1, 1.0, 'outputs')
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from biorft.errors import DatasetError
from biorft.evaluation._records import EvalRecord, GraderLike, grade_output
from biorft.evaluation._report import EvalReport
from biorft.evaluation._runner import DataLike, resolve_grader

__all__ = ["TEXT_KEYS", "grade_outputs", "iter_jsonl", "reference_items"]

TEXT_KEYS = ("output_text", "output", "text", "response", "completion")
"""Keys an output line may carry its text under, in order of preference."""


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line of a JSONL file.

    Raises:
        DatasetError: On a line that is not a JSON object, naming the file and line.
    """
    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"{p}: no such file")
    with p.open(encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError as exc:
                raise DatasetError(f"{p}, line {lineno}: not JSON ({exc}); each line must be one JSON object") from exc
            if not isinstance(obj, dict):
                raise DatasetError(f"{p}, line {lineno}: expected a JSON object, got {type(obj).__name__}")
            yield lineno, obj


def reference_items(data: DataLike) -> dict[str, dict[str, Any]]:
    """Example id -> grader item for every example of ``data``, in dataset order."""
    items: dict[str, dict[str, Any]] = {}
    for ex in data.examples():
        items[str(ex.id)] = dict(ex.item)
    return items


def _text_of(obj: Mapping[str, Any], where: str) -> str:
    for key in TEXT_KEYS:
        if key in obj:
            value = obj[key]
            if value is None:
                return ""
            if not isinstance(value, str):
                raise DatasetError(f"{where}: {key!r} must be a string, got {type(value).__name__}")
            return value
    raise DatasetError(f"{where}: no output text; put the model's text under 'output_text' (or one of {TEXT_KEYS})")


def grade_outputs(
    data: DataLike,
    outputs: str | os.PathLike[str] | Iterable[Mapping[str, Any]],
    grader: GraderLike | None = None,
    *,
    model: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> EvalReport:
    """Grade existing outputs against a task and report metrics with CIs.

    Args:
        data: The task's dataset (a [`TaskDataset`][biorft.datasets.TaskDataset] or split), whose examples the outputs'
            ids refer to.
        outputs: A JSONL file, or dicts, each with ``id`` and ``output_text`` (optionally ``sample``, ``model``
            and token counts ``prompt_tokens`` / ``completion_tokens`` / ``reasoning_tokens``).
        grader: Default ``biorft.graders.grader_for(data.spec)``.
        model: Name for the report; default the outputs' ``model`` field when they agree, else ``"outputs"``.
        n_boot: Bootstrap resamples.
        seed: Bootstrap seed.

    Returns:
        The report (``source="outputs"``).

    Raises:
        DatasetError: On a malformed line, an id not in ``data``, or a repeated (id, sample); the message names
            the line.
    """
    spec = data.spec
    graded_by = resolve_grader(spec, grader)
    items = reference_items(data)
    order = {i: k for k, i in enumerate(items)}
    if isinstance(outputs, str | os.PathLike):
        source_name = str(outputs)
        lines: Iterable[tuple[int, Mapping[str, Any]]] = iter_jsonl(outputs)
    else:
        source_name = "outputs"
        lines = enumerate(outputs, start=1)
    records: list[tuple[tuple[int, int], EvalRecord]] = []
    seen: set[tuple[str, int]] = set()
    next_sample: dict[str, int] = {}
    models: set[str] = set()
    for lineno, obj in lines:
        where = f"{source_name}, line {lineno}" if source_name != "outputs" else f"output {lineno}"
        if "id" not in obj:
            raise DatasetError(f"{where}: no 'id'; each output must name the example id it answers")
        example_id = str(obj["id"])
        if example_id not in items:
            raise DatasetError(
                f"{where}: id {example_id!r} is not an example of {spec.name} as given ({len(items)} examples); "
                "check the task name and the split the outputs were made for"
            )
        sample = obj.get("sample")
        if sample is None:
            sample = next_sample.get(example_id, 0)
        if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
            raise DatasetError(f"{where}: 'sample' must be an integer >= 0, got {sample!r}")
        if (example_id, sample) in seen:
            raise DatasetError(f"{where}: a second output for id {example_id!r} sample {sample}; remove the duplicate")
        seen.add((example_id, sample))
        next_sample[example_id] = max(next_sample.get(example_id, 0), sample + 1)
        if isinstance(obj.get("model"), str):
            models.add(obj["model"])
        record = grade_output(
            graded_by,
            _text_of(obj, where),
            items[example_id],
            sample=sample,
            prompt_tokens=int(obj.get("prompt_tokens") or 0),
            completion_tokens=int(obj.get("completion_tokens") or 0),
            reasoning_tokens=int(obj.get("reasoning_tokens") or 0),
        )
        records.append(((order[example_id], sample), record))
    records.sort(key=lambda kr: kr[0])
    name = model or (next(iter(models)) if len(models) == 1 else "outputs")
    return EvalReport.from_records(
        spec,
        name,
        [r for _, r in records],
        params={"outputs": source_name},
        source="outputs",
        n_boot=n_boot,
        seed=seed,
    )
