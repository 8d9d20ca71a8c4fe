"""Baselines that ignore the entity: the majority class (or median value) and random draws from the label prior.

They apply to every task and give the floor any model must beat: a model whose balanced accuracy does not beat
[Majority][biorft.baselines.Majority] and whose mean reward does not beat [LabelPrior][biorft.baselines.LabelPrior] has
learned nothing about the entities.

Examples:
    >>> from types import SimpleNamespace as NS
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="t", domain="genes", kind="binary", labels=("yes", "no"), instructions="?")
    >>> def data(targets):
    ...     return NS(spec=spec, examples=lambda: iter(
    ...         [NS(id=f"g{i}", item={"id": f"g{i}", "entity": f"G{i}", "target": t}) for i, t in enumerate(targets)]))
    >>> base = Majority().fit(data(["no", "no", "yes"]))
    >>> [o["output_text"] for o in base.outputs(data(["yes"]))]
    ['{"answer": "no", "confidence": 0.6667}']
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from fractions import Fraction
from typing import Any

from biorft.baselines._base import Baseline, TrainingRow, format_answer
from biorft.schema import TaskKind, TaskSpec

__all__ = ["LabelPrior", "Majority"]


def _label_frequencies(spec: TaskSpec, rows: list[TrainingRow]) -> dict[str, float]:
    counts = Counter(str(r.target) for r in rows)
    total = sum(counts.values())
    return {label: counts.get(label, 0) / total for label in spec.labels}


def _stated_confidences(spec: TaskSpec, freq: dict[str, float]) -> dict[str, float]:
    """The confidence stated with each label: its frequency as written (4 decimals).

    On a binary task the two add up to exactly 1 as decimals (the second is the first's complement), so "yes, c"
    and "no, 1 - c" state the same probability and a constant prior stays tied in AUROC / AUPRC; rounding each
    frequency on its own can miss by 0.0001 (1/160 and 159/160 both round up).
    """
    stated = {label: round(f, 4) for label, f in freq.items()}
    if len(spec.labels) == 2:
        first, second = spec.labels
        stated[second] = float(1 - Fraction(repr(stated[first])))
    return stated


def _prevalence(spec: TaskSpec, rows: list[TrainingRow]) -> dict[str, float]:
    """Per label: share of positives among the examples where the label was measured."""
    out = {}
    for label in spec.labels:
        measured = [r for r in rows if r.known_labels is None or label in r.known_labels]
        out[label] = sum(label in r.target for r in measured) / len(measured) if measured else 0.0
    return out


class Majority(Baseline):
    """The most frequent training label for every example.

    Multilabel tasks get every label that is positive in most of the examples where it was measured; regression
    tasks get the training median. The confidence of a label is its training frequency.
    """

    name = "baseline:majority"

    def _fit(self, spec: TaskSpec, rows: list[TrainingRow]) -> None:
        if spec.kind is TaskKind.REGRESSION:
            self._text = format_answer(statistics.median(float(r.target) for r in rows))
        elif spec.kind is TaskKind.MULTILABEL:
            prevalence = _prevalence(spec, rows)
            self._text = format_answer([lab for lab in spec.labels if prevalence[lab] > 0.5])
        else:
            freq = _label_frequencies(spec, rows)
            best = max(spec.labels, key=lambda lab: (freq[lab], -spec.labels.index(lab)))
            self._text = format_answer(best, _stated_confidences(spec, freq)[best])

    def _predict(self, rows: list[TrainingRow]) -> list[str]:
        return [self._text] * len(rows)


class LabelPrior(Baseline):
    """A random answer drawn from the training distribution, reproducibly per example id and seed.

    Classification: a label drawn with its training frequency (the confidence is that frequency); multilabel: each
    label drawn independently with its prevalence; regression: a training target value drawn uniformly.

    Args:
        seed: Seed of the draws; the same seed and example id always give the same answer.
    """

    name = "baseline:label_prior"

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.seed = seed

    def describe(self) -> dict[str, Any]:
        """The seed of the draws."""
        return {"seed": self.seed}

    def _fit(self, spec: TaskSpec, rows: list[TrainingRow]) -> None:
        self._kind = spec.kind
        self._labels = spec.labels
        self._freq = _label_frequencies(spec, rows) if spec.kind in (TaskKind.BINARY, TaskKind.MULTICLASS) else {}
        self._stated = _stated_confidences(spec, self._freq)
        self._prev = _prevalence(spec, rows) if spec.kind is TaskKind.MULTILABEL else {}
        self._values = sorted(float(r.target) for r in rows) if spec.kind is TaskKind.REGRESSION else []

    def _uniform(self, example_id: str, salt: str = "") -> float:
        digest = hashlib.sha256(f"{self.seed}\x00{example_id}\x00{salt}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def _predict(self, rows: list[TrainingRow]) -> list[str]:
        out = []
        for row in rows:
            u = self._uniform(row.id)
            if self._kind is TaskKind.REGRESSION:
                out.append(format_answer(self._values[int(u * len(self._values))]))
            elif self._kind is TaskKind.MULTILABEL:
                out.append(format_answer([lab for lab in self._labels if self._uniform(row.id, lab) < self._prev[lab]]))
            else:
                acc = 0.0
                pick = self._labels[-1]
                for label in self._labels:
                    acc += self._freq[label]
                    if u < acc:
                        pick = label
                        break
                out.append(format_answer(pick, self._stated[pick]))
        return out
