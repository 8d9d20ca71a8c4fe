"""The baseline interface: fit on a training split, answer like a model, get graded like a model.

A baseline's outputs are plain text in the answer format the graders parse (JSON ``{"answer": ..., "confidence":
...}``), so its report goes through the task's grader and the same :class:`~biorft.evaluation.EvalReport` as an LLM:
the numbers are directly comparable.

Examples:
    >>> format_answer("BBB+", 0.83)
    '{"answer": "BBB+", "confidence": 0.83}'
    >>> format_answer(["nr-ar", "sr-p53"])
    '{"answer": ["nr-ar", "sr-p53"]}'
    >>> format_answer(-2.123456)
    '{"answer": -2.1235}'
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typing_extensions import Self

from biorft.errors import DatasetError
from biorft.evaluation import EvalReport, grade_outputs
from biorft.evaluation._records import GraderLike
from biorft.evaluation._runner import DataLike
from biorft.schema import TaskKind, TaskSpec

if TYPE_CHECKING:
    from biorft.datasets import Folds

__all__ = ["Baseline", "TrainingRow", "format_answer", "training_rows"]


def format_answer(answer: str | Sequence[str] | float, confidence: float | None = None) -> str:
    """The output text of a baseline: a JSON object with ``answer`` (and ``confidence`` in [0, 1] when given).

    Args:
        answer: A label, a list of labels, or a number.
        confidence: The baseline's probability for its answer.

    Returns:
        One line of JSON.
    """
    value: Any
    if isinstance(answer, str):
        value = answer
    elif isinstance(answer, int | float):
        value = round(float(answer), 4)
    else:
        value = list(answer)
    out: dict[str, Any] = {"answer": value}
    if confidence is not None and math.isfinite(confidence):
        out["confidence"] = round(min(1.0, max(0.0, float(confidence))), 4)
    return json.dumps(out)


@dataclass(frozen=True)
class TrainingRow:
    """What a baseline learns from one example.

    Attributes:
        id: Example id.
        entity: Canonical SMILES or gene symbol.
        target: A label, a tuple of labels or a number.
        known_labels: For multilabel examples, the labels that were measured (None: all).
        inputs: The example's inputs and metadata (e.g. ``{"gene_type": "protein_coding"}``), when available.
    """

    id: str
    entity: str
    target: Any
    known_labels: tuple[str, ...] | None = None
    inputs: dict[str, Any] | None = None


def training_rows(data: DataLike) -> list[TrainingRow]:
    """The rows of a dataset as baselines see them (from ``examples()``: ids, entities, reference items)."""
    rows = []
    for ex in data.examples():
        item = ex.item
        target = item["target"]
        if isinstance(target, list):
            target = tuple(target)
        known = item.get("known_labels")
        example = getattr(ex, "example", None)
        inputs = {**(getattr(example, "metadata", None) or {}), **(getattr(example, "inputs", None) or {})} or None
        rows.append(
            TrainingRow(
                id=str(ex.id),
                entity=str(item.get("entity", getattr(example, "entity", ""))),
                target=target,
                known_labels=None if known is None else tuple(known),
                inputs=inputs,
            )
        )
    return rows


class Baseline(ABC):
    """A non-LLM reference model for a task.

    Subclasses implement :meth:`_fit` and :meth:`_predict`; :meth:`fit`, :meth:`outputs` and :meth:`evaluate` are
    shared. A baseline is fitted on a training split and answers every example of another split.

    Attributes:
        name: Short name used as the report's model name (e.g. ``"baseline:majority"``).
        kind: ``"baseline"`` (a floor to beat) or ``"shortcut"`` (a model that reads only what a shortcut would,
            such as the gene's name); reports carry it in ``params["kind"]`` so tables can mark shortcut rows.
    """

    name: str = "baseline"
    kind: str = "baseline"

    def __init__(self) -> None:
        self._spec: TaskSpec | None = None

    @property
    def spec(self) -> TaskSpec:
        """The task the baseline was fitted on."""
        if self._spec is None:
            raise DatasetError(f"{self.name} is not fitted: call .fit(splits.train) first")
        return self._spec

    def supports(self, spec: TaskSpec) -> bool:
        """Whether this baseline applies to the task (e.g. fingerprints need molecules)."""
        return True

    def fit(self, train: DataLike) -> Self:
        """Learn from a training split.

        Args:
            train: The training examples (``splits.train``).

        Returns:
            The fitted baseline.

        Raises:
            DatasetError: When the split is empty or the baseline does not apply to the task.
        """
        spec = train.spec
        if not self.supports(spec):
            raise DatasetError(f"{self.name} does not apply to {spec.name} ({spec.domain}, {spec.kind})")
        rows = training_rows(train)
        if not rows:
            raise DatasetError(f"{self.name}: the training split of {spec.name} is empty; nothing to fit")
        self._spec = spec
        self._fit(spec, rows)
        return self

    @abstractmethod
    def _fit(self, spec: TaskSpec, rows: list[TrainingRow]) -> None: ...

    @abstractmethod
    def _predict(self, rows: list[TrainingRow]) -> list[str]: ...

    def outputs(self, data: DataLike) -> Iterator[dict[str, str]]:
        """One output per example of ``data``: ``{"id": ..., "output_text": ...}`` in the graders' answer format."""
        if data.spec.name != self.spec.name:
            raise DatasetError(f"{self.name} was fitted on {self.spec.name}, not {data.spec.name}")
        rows = training_rows(data)
        for row, text in zip(rows, self._predict(rows), strict=True):
            yield {"id": row.id, "output_text": text}

    def evaluate(
        self, data: DataLike, grader: GraderLike | None = None, *, n_boot: int = 1000, seed: int = 0
    ) -> EvalReport:
        """Answer every example of ``data`` and grade the answers like a model's.

        Args:
            data: The examples to answer (``splits.test``).
            grader: Default ``biorft.graders.grader_for(data.spec)``.
            n_boot: Bootstrap resamples for the CIs.
            seed: Bootstrap seed.

        Returns:
            An :class:`~biorft.evaluation.EvalReport` with ``model == self.name`` and ``source == "baseline"``.
        """
        return self._report(data, list(self.outputs(data)), grader, n_boot=n_boot, seed=seed, extra={})

    def cross_validate(
        self, folds: Folds, grader: GraderLike | None = None, *, n_boot: int = 1000, seed: int = 0
    ) -> EvalReport:
        """Fit on each fold's train part, answer its test part, and grade the pooled answers.

        Every example is answered once, by the model fitted without its fold, so the report covers the whole task
        (as an LLM evaluated on ``folds.pooled()`` does) and its intervals are over every example.

        Args:
            folds: The task's [Folds][biorft.datasets.Folds] (``ds.folds(k=5, method="family")``).
            grader: Default ``biorft.graders.grader_for(folds.spec)``.
            n_boot: Bootstrap resamples for the CIs.
            seed: Bootstrap seed.

        Returns:
            One [EvalReport][biorft.evaluation.EvalReport] over all examples; ``params`` records the folds.

        Examples:
            >>> import biorft as br
            >>> from biorft.baselines import Majority
            >>> folds = br.load_task("genes/bivalent_vs_lys4_only").folds(k=5, method="family")
            >>> Majority().cross_validate(folds, n_boot=0).n_examples == len(folds.dataset)
            True
        """
        outputs: list[dict[str, str]] = []
        for train, test in folds:
            self.fit(train)
            outputs += self.outputs(test)
        extra = {"folds": {"k": folds.k, "method": folds.method, "seed": folds.seed, "test_sizes": folds.sizes}}
        return self._report(folds.pooled(), outputs, grader, n_boot=n_boot, seed=seed, extra=extra)

    def _report(
        self,
        data: DataLike,
        outputs: list[dict[str, str]],
        grader: GraderLike | None,
        *,
        n_boot: int,
        seed: int,
        extra: dict[str, Any],
    ) -> EvalReport:
        report = grade_outputs(data, outputs, grader, model=self.name, n_boot=n_boot, seed=seed)
        return EvalReport(
            spec=report.spec,
            model=report.model,
            records=report.records,
            metrics=report.metrics,
            params={"baseline": self.name, "kind": self.kind, **self.describe(), **extra},
            usage=report.usage,
            source="baseline",
            n_boot=report.n_boot,
            seed=report.seed,
        )

    def describe(self) -> dict[str, Any]:
        """The baseline's settings, recorded in its report's ``params``."""
        return {}


def is_classification(spec: TaskSpec) -> bool:
    """True for binary and multiclass tasks."""
    return spec.kind in (TaskKind.BINARY, TaskKind.MULTICLASS)
