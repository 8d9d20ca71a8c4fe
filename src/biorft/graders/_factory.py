"""The default grader of a task: [`grader_for`][biorft.graders.grader_for]."""

from __future__ import annotations

from typing import Any

from biorft.errors import GraderError
from biorft.graders._base import Grader
from biorft.graders._labels import LabelGrader, SetGrader
from biorft.graders._numbers import NumericGrader
from biorft.schema import TaskKind, TaskSpec

__all__ = ["LOG_SCALE_UNITS", "PREVALENCE_KEY", "grader_for"]

PREVALENCE_KEY = "label_prevalence"
"""``TaskSpec.metadata`` key of a multilabel task's per-label prevalence (see ``label_prevalence``)."""

LOG_SCALE_UNITS = frozenset(
    {
        "m",
        "mm",
        "um",
        "µm",
        "nm",
        "pm",
        "mol/l",
        "mmol/l",
        "umol/l",
        "µmol/l",
        "nmol/l",
        "mg/l",
        "mg/ml",
        "ug/ml",
        "µg/ml",
        "ng/ml",
    }
)
"""Concentration units (casefolded) whose values span orders of magnitude: their tasks are graded on a log scale."""


def _scale(spec: TaskSpec) -> str:
    explicit = spec.metadata.get("scale")
    if explicit in ("log", "linear"):
        return str(explicit)
    units = (spec.units or "").strip().casefold().replace("μ", "µ")
    return "log" if units in LOG_SCALE_UNITS else "linear"


def grader_for(spec: TaskSpec, **options: Any) -> Grader:
    """The default grader for a task.

    - binary / multiclass: [LabelGrader][biorft.graders.LabelGrader] over ``spec.labels`` with
      ``spec.label_synonyms``;
    - multilabel: [SetGrader][biorft.graders.SetGrader] over the item's ``known_labels`` with balanced per-label credit
      (``metric="balanced"``) weighted by ``spec.metadata["label_prevalence"]``, which every
      [TaskDataset][biorft.datasets.TaskDataset] records, so that no fixed answer earns more than random draws
      at the label prevalences; F1 for a bare spec without prevalences;
    - regression: [NumericGrader][biorft.graders.NumericGrader] with ``abs_tol = spec.tolerance`` (0 when unset),
      exponential partial
      credit of width ``spec.tolerance`` (else a tenth of ``spec.value_range``, else 1), ``spec.units`` stripped
      from answers, and a log scale for concentration units (``nM``, ``µM``, ``mg/L`` ...) or
      ``spec.metadata["scale"] == "log"``.

    Args:
        spec: The task.
        **options: Keyword arguments passed on to the grader's constructor (e.g. ``mode="lenient"``,
            ``metric="jaccard"``, ``decay="linear"``), overriding the defaults above.

    Returns:
        The grader, named after the task.

    Raises:
        GraderError: When the spec's labels / synonyms or the options do not make a valid grader.

    Examples:
        >>> spec = TaskSpec(name="genes/demo", domain="genes", kind="binary", labels=("sensitive", "insensitive"),
        ...                 label_synonyms={"sensitive": ("dosage sensitive",)}, instructions="Classify.")
        >>> g = grader_for(spec)
        >>> type(g).__name__, g.name, g({"output_text": "... Answer: Dosage-Sensitive"}, {"target": "sensitive"})
        ('LabelGrader', 'genes/demo', 1.0)
    """
    base: dict[str, Any] = {"name": spec.name}
    try:
        if spec.kind in (TaskKind.BINARY, TaskKind.MULTICLASS):
            return LabelGrader(spec.labels, spec.label_synonyms, **(base | options))
        if spec.kind is TaskKind.MULTILABEL:
            prevalence = spec.metadata.get(PREVALENCE_KEY)
            if isinstance(prevalence, dict) and options.get("metric", "balanced") == "balanced":
                base |= {"metric": "balanced", "prevalence": prevalence}
            return SetGrader(spec.labels, spec.label_synonyms, **(base | options))
        tolerance = spec.tolerance or 0.0
        if tolerance > 0:
            width = tolerance
        elif spec.value_range is not None:
            width = (spec.value_range[1] - spec.value_range[0]) / 10
        else:
            width = 1.0
        base |= {
            "abs_tol": tolerance,
            "width": width,
            "scale": _scale(spec),
            "units": [spec.units] if spec.units else [],
        }
        return NumericGrader(**(base | options))
    except TypeError as exc:
        raise GraderError(f"grader_for({spec.name!r}): bad option: {exc}") from exc
    except GraderError as exc:
        raise GraderError(f"grader_for({spec.name!r}): {exc}") from exc
