"""Typed, frozen schemas for tasks, examples and dataset cards.

Every model here is an immutable pydantic v2 model that round-trips through JSON
(``model_dump_json`` / ``model_validate_json``) and publishes a JSON Schema (``model_json_schema()``).
Invalid input raises [`biorft.errors.SchemaError`][biorft.errors.SchemaError], whose message names the offending field.

The **item contract** shared by datasets, exports and graders lives here too:
[reference_item][biorft.schema.reference_item] turns an
[`Example`][biorft.schema.Example] into the dict a grader receives as ``item`` (the RFT JSONL line minus ``messages``).

Examples:
    >>> spec = TaskSpec(
    ...     name="genes/demo", version="1.0.0", domain="genes", kind="binary",
    ...     labels=("sensitive", "insensitive"), positive_label="sensitive",
    ...     description="Is this transcription factor dosage-sensitive?",
    ...     instructions="Classify the transcription factor.",
    ... )
    >>> ex = Example(id="g1", entity="GATA4", target="sensitive")
    >>> spec.check_target(ex.target)
    'sensitive'
    >>> reference_item(spec, ex)
    {'id': 'g1', 'task': 'genes/demo', 'kind': 'binary', 'entity': 'GATA4', 'target': 'sensitive'}
    >>> TaskSpec.model_validate_json(spec.model_dump_json()) == spec
    True
"""

from __future__ import annotations

import math
import re
from enum import Enum
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    field_validator,
    model_validator,
)
from typing_extensions import Self

from biorft.errors import SchemaError

__all__ = [
    "CurationRecord",
    "DatasetCard",
    "Domain",
    "Example",
    "Provenance",
    "QuarantinedRow",
    "ReferenceResult",
    "SplitStats",
    "Target",
    "TaskInfo",
    "TaskKind",
    "TaskSpec",
    "reference_item",
]

Target = str | tuple[str, ...] | float
"""A reference answer: a label (binary / multiclass), a tuple of labels (multilabel) or a number (regression)."""

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]*(/[a-z0-9][a-z0-9_.\-]*)*$")
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+([.\-+][0-9A-Za-z.\-]+)?$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class TaskKind(str, Enum):
    """What shape of answer a task asks for."""

    BINARY = "binary"
    MULTICLASS = "multiclass"
    MULTILABEL = "multilabel"
    REGRESSION = "regression"

    def __str__(self) -> str:
        return self.value


class Domain(str, Enum):
    """What a task's entities are: genes (symbols) or molecules (SMILES)."""

    GENES = "genes"
    MOLECULES = "molecules"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


def _format_validation_error(model: str, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "<root>"
        msg = e["msg"].removeprefix("Value error, ")
        parts.append(f"{model}.{loc}: {msg}")
    return "; ".join(parts) + " (fix the field(s) named above)"


class _Frozen(BaseModel):
    """Base: frozen, no unknown fields, pydantic errors re-raised as [`SchemaError`][biorft.schema.SchemaError]."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise SchemaError(_format_validation_error(type(self).__name__, err)) from err

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Validate a Python object; raises [`SchemaError`][biorft.schema.SchemaError] naming the field on failure."""
        try:
            return super().model_validate(obj, strict=strict, from_attributes=from_attributes, context=context)
        except ValidationError as err:
            raise SchemaError(_format_validation_error(cls.__name__, err)) from err

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Validate JSON text; raises [`SchemaError`][biorft.schema.SchemaError] naming the field on failure."""
        try:
            return super().model_validate_json(json_data, strict=strict, context=context)
        except ValidationError as err:
            raise SchemaError(_format_validation_error(cls.__name__, err)) from err


class TaskSpec(_Frozen):
    """What a task asks and how its answers look.

    Attributes:
        name: Registry name, lowercase path such as ``"molecules/bbb_b3db"``.
        version: Semantic version of the task definition and data (``"1.0.0"``).
        domain: ``genes`` or ``molecules`` (or ``other``).
        kind: ``binary``, ``multiclass``, ``multilabel`` or ``regression``.
        description: One-paragraph description for people.
        instructions: The task instruction shown to the model.
        labels: The label vocabulary (classification kinds); binary tasks have exactly two.
        positive_label: For binary tasks, which label counts as positive for metrics such as AUROC.
        label_synonyms: Extra spellings that a grader maps onto each canonical label.
        units: Unit of a regression target (e.g. ``"log10(mol/L)"``).
        value_range: Plausible range of a regression target, for prompts and out-of-range checks.
        tolerance: Absolute error within which a regression answer counts as correct.
        answer_instructions: How the model must format its final answer; filled from ``kind`` when empty.
        metadata: Free-form JSON metadata.

    Examples:
        >>> TaskSpec(name="molecules/logs", version="1.0.0", domain="molecules", kind="regression",
        ...          units="log10(mol/L)", tolerance=0.5, instructions="Predict LogS.").kind
        <TaskKind.REGRESSION: 'regression'>
    """

    name: str = Field(description="Registry name, e.g. 'genes/dosage_sensitive_tfs'.")
    version: str = Field(default="1.0.0", description="Semantic version of the task.")
    domain: Domain
    kind: TaskKind
    description: str = ""
    instructions: str = Field(min_length=1, description="Task instruction shown to the model.")
    labels: tuple[str, ...] = ()
    positive_label: str | None = None
    label_synonyms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    units: str | None = None
    value_range: tuple[float, float] | None = None
    tolerance: float | None = None
    answer_instructions: str = ""
    metadata: dict[str, JsonValue] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _check_name(cls, v: str) -> str:
        if not _NAME_RE.match(v):
            raise ValueError(
                f"{v!r} is not a task name; use lowercase letters, digits, '_', '-', '.' and '/' "
                "(e.g. 'molecules/bbb_b3db')"
            )
        return v

    @field_validator("version")
    @classmethod
    def _check_version(cls, v: str) -> str:
        if not _VERSION_RE.match(v):
            raise ValueError(f"{v!r} is not a semantic version such as '1.0.0'")
        return v

    @field_validator("tolerance")
    @classmethod
    def _check_tolerance(cls, v: float | None) -> float | None:
        if v is not None and not (math.isfinite(v) and v >= 0):
            raise ValueError(f"tolerance must be a finite number >= 0, got {v!r}")
        return v

    @model_validator(mode="after")
    def _check_kind(self) -> Self:
        labels = self.labels
        if len(set(labels)) != len(labels):
            raise ValueError(f"labels must be unique, got {list(labels)}")
        if any(not lab.strip() for lab in labels):
            raise ValueError("labels must be non-empty strings")
        if self.kind is TaskKind.BINARY and len(labels) != 2:
            raise ValueError(f"binary tasks need exactly 2 labels, got {len(labels)}: {list(labels)}")
        if self.kind is TaskKind.MULTICLASS and len(labels) < 2:
            raise ValueError(f"multiclass tasks need at least 2 labels, got {len(labels)}")
        if self.kind is TaskKind.MULTILABEL and len(labels) < 1:
            raise ValueError("multilabel tasks need at least 1 label")
        if self.kind is TaskKind.REGRESSION and labels:
            raise ValueError("regression tasks take no labels; set units / tolerance instead")
        if self.positive_label is not None and self.positive_label not in labels:
            raise ValueError(f"positive_label {self.positive_label!r} is not one of labels {list(labels)}")
        for key in self.label_synonyms:
            if key not in labels:
                raise ValueError(f"label_synonyms key {key!r} is not one of labels {list(labels)}")
        if self.value_range is not None:
            lo, hi = self.value_range
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ValueError(f"value_range must be finite with low < high, got {self.value_range}")
        return self

    @property
    def is_classification(self) -> bool:
        """True for binary, multiclass and multilabel tasks."""
        return self.kind is not TaskKind.REGRESSION

    def check_target(self, target: Any) -> Target:
        """Validate and normalise a reference answer for this task.

        Args:
            target: A label, a collection of labels or a number, depending on ``kind``.

        Returns:
            The normalised target: ``str``, ``tuple[str, ...]`` (sorted, unique) or ``float``.

        Raises:
            SchemaError: When the target does not fit the task, naming the value and the allowed labels.

        Examples:
            >>> spec = TaskSpec(name="t", domain="other", kind="multilabel", labels=("a", "b"),
            ...                 instructions="x")
            >>> spec.check_target(["b", "a", "b"])
            ('a', 'b')
        """
        kind = self.kind
        if kind is TaskKind.REGRESSION:
            if isinstance(target, bool) or not isinstance(target, int | float):
                raise SchemaError(f"{self.name}: target must be a number for regression, got {target!r}")
            value = float(target)
            if not math.isfinite(value):
                raise SchemaError(f"{self.name}: target must be finite, got {target!r}")
            return value
        if kind is TaskKind.MULTILABEL:
            if isinstance(target, str) or not isinstance(target, list | tuple | set | frozenset):
                raise SchemaError(f"{self.name}: target must be a list of labels, got {target!r}")
            out = tuple(sorted(set(target)))
            bad = [t for t in out if t not in self.labels]
            if bad:
                raise SchemaError(f"{self.name}: target labels {bad} are not in labels {list(self.labels)}")
            return out
        if not isinstance(target, str) or target not in self.labels:
            raise SchemaError(f"{self.name}: target {target!r} is not one of labels {list(self.labels)}")
        return target


class Example(_Frozen):
    """One task example: an entity, its inputs and the reference answer.

    Attributes:
        id: Stable identifier, unique within a dataset.
        entity: Canonical SMILES (molecules) or HGNC gene symbol (genes): the unit of leakage checks.
        inputs: Extra inputs shown to the model (e.g. ``{"ensembl_id": "ENSG..."}``).
        target: The reference answer in the form the model is asked to give.
        metadata: Free-form JSON (e.g. ``inchikey``, ``scaffold``, ``known_labels`` for multilabel tasks).

    Examples:
        >>> Example(id="m1", entity="CCO", target=-0.77).target
        -0.77
    """

    id: str = Field(min_length=1)
    entity: str = Field(min_length=1)
    inputs: dict[str, JsonValue] = Field(default_factory=dict)
    target: Target
    metadata: dict[str, JsonValue] = Field(default_factory=dict)

    @field_validator("target", mode="before")
    @classmethod
    def _coerce_target(cls, v: Any) -> Any:
        if isinstance(v, list | set | frozenset):
            return tuple(sorted(v))
        return v

    @field_validator("target")
    @classmethod
    def _finite_target(cls, v: Target) -> Target:
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"target must be finite, got {v!r}")
        return v


def reference_item(spec: TaskSpec, example: Example) -> dict[str, Any]:
    """The ``item`` a grader receives for ``example``: the RFT JSONL line minus ``messages``.

    Keys: ``id``, ``task``, ``kind``, ``entity``, ``target`` (a string, a list of strings or a float), and for
    multilabel tasks ``known_labels`` when the example records which labels were measured (missing is not
    negative). Graders read only these keys.

    Args:
        spec: The task the example belongs to.
        example: The example.

    Returns:
        A JSON-serialisable dict.

    Examples:
        >>> spec = TaskSpec(name="t", domain="other", kind="multilabel", labels=("a", "b", "c"),
        ...                 instructions="x")
        >>> ex = Example(id="1", entity="CCO", target=["a"], metadata={"known_labels": ["a", "b"]})
        >>> reference_item(spec, ex)["known_labels"]
        ['a', 'b']
    """
    target: Any = list(example.target) if isinstance(example.target, tuple) else example.target
    item: dict[str, Any] = {
        "id": example.id,
        "task": spec.name,
        "kind": spec.kind.value,
        "entity": example.entity,
        "target": target,
    }
    known = example.metadata.get("known_labels")
    if spec.kind is TaskKind.MULTILABEL and isinstance(known, list):
        item["known_labels"] = [str(k) for k in known]
    return item


class Provenance(_Frozen):
    """Where a source file came from.

    Examples:
        >>> Provenance(name="B3DB", licence="CC0-1.0", sha256="0" * 64).licence
        'CC0-1.0'
    """

    name: str
    url: str | None = None
    citation: str | None = None
    licence: str
    sha256: str | None = None
    file: str | None = None

    @field_validator("sha256")
    @classmethod
    def _check_sha(cls, v: str | None) -> str | None:
        if v is not None and not _SHA256_RE.match(v):
            raise ValueError(f"sha256 must be 64 lowercase hex digits, got {v!r}")
        return v


class QuarantinedRow(_Frozen):
    """A source row that was not kept, and why.

    Examples:
        >>> QuarantinedRow(row=7, id="x", reason="invalid SMILES", value="C1CC").reason
        'invalid SMILES'
    """

    row: int = Field(ge=0, description="0-based row index in the source.")
    id: str | None = None
    reason: str = Field(min_length=1)
    value: str | None = None


class SplitStats(_Frozen):
    """How a split came out.

    Examples:
        >>> SplitStats(method="random", seed=0, fractions=(0.8, 0.1, 0.1), sizes={"train": 8, "valid": 1,
        ...            "test": 1}).sizes["train"]
        8
    """

    method: str
    seed: int | None = None
    fractions: tuple[float, float, float]
    sizes: dict[str, int]
    achieved: dict[str, float] = Field(default_factory=dict)
    label_counts: dict[str, dict[str, int]] = Field(default_factory=dict)
    checksums: dict[str, str] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()


class ReferenceResult(_Frozen):
    """A published result on a task, carried in its card and shown in reports as a reference row (never as a run).

    ``value`` is ``None`` when no published number could be found; ``note`` then says so, rather than a number being
    invented.

    Examples:
        >>> ref = ReferenceResult(model="Geneformer", metric="auroc", value=0.91, protocol="5-fold CV",
        ...                       citation="Theodoris et al. 2023, Nature 618:616-624")
        >>> ref.value
        0.91
    """

    model: str = Field(min_length=1, description="The published model or method, e.g. 'Geneformer'.")
    metric: str = Field(min_length=1, description="biorft metric name the value is comparable to, e.g. 'auroc'.")
    value: float | None = Field(default=None, description="The published value; None when none was found.")
    sd: float | None = Field(default=None, ge=0, description="Published spread (sd over seeds or folds), if any.")
    protocol: str = Field(default="", description="How it was evaluated: split, folds, seeds, test set.")
    citation: str = Field(min_length=1, description="Where the number comes from.")
    url: str | None = None
    note: str = ""


class CurationRecord(_Frozen):
    """How a dataset was selected by difficulty (``biorft.curate.by_pass_rate``), kept in its card.

    Examples:
        >>> CurationRecord(method="pass_rate", model="m", samples=8, low=0.1, high=0.9, pass_threshold=1.0,
        ...                n_examples=10, n_selected=4, n_not_evaluated=0, histogram={"0.000": 6, "0.500": 4}).samples
        8
    """

    method: str = Field(description="Selection rule, e.g. 'pass_rate'.")
    model: str = Field(description="The model whose samples measured the difficulty.")
    samples: int = Field(ge=1, description="Fewest samples per example behind the rates (k).")
    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)
    pass_threshold: float = Field(description="Score at which a sample counted as passed.")
    n_examples: int = Field(ge=0, description="Examples of the source dataset.")
    n_selected: int = Field(ge=0)
    n_not_evaluated: int = Field(ge=0, description="Examples without any graded sample (not selected).")
    histogram: dict[str, int] = Field(description="Pass rate (rounded to 3 digits) -> examples, over the source.")
    report_created: str | None = None


class DatasetCard(_Frozen):
    """Provenance and bookkeeping of a built dataset.

    Row accounting is checked: ``n_rows_in == n_kept + n_quarantined`` and ``len(quarantined) == n_quarantined``.
    De-duplicated rows count as quarantined, with the id they were merged into as the reason.

    Examples:
        >>> card = DatasetCard(task="t", version="1.0.0", licence="CC0-1.0", n_rows_in=3, n_kept=2,
        ...                    n_quarantined=1, quarantined=(QuarantinedRow(row=2, reason="bad SMILES"),))
        >>> DatasetCard.model_validate_json(card.model_dump_json()) == card
        True
    """

    task: str
    version: str
    description: str = ""
    licence: str
    citation: str | None = None
    sources: tuple[Provenance, ...] = ()
    checksums: dict[str, str] = Field(default_factory=dict)
    n_rows_in: int = Field(ge=0)
    n_kept: int = Field(ge=0)
    n_quarantined: int = Field(ge=0)
    quarantined: tuple[QuarantinedRow, ...] = ()
    duplicate_policy: str | None = None
    conflict_policy: str | None = Field(
        default=None, description="Policy for compound groups (stereoisomers / tautomers) with conflicting labels."
    )
    identity: dict[str, int] = Field(
        default_factory=dict,
        description="Compound-group counts: groups, multi_row_groups, conflicting_groups, quarantined_by_conflicts.",
    )
    label_counts: dict[str, int] = Field(default_factory=dict)
    splits: SplitStats | None = Field(
        default=None, description="The task's canonical split (method, seed, fractions, per-part id checksums)."
    )
    references: tuple[ReferenceResult, ...] = Field(
        default=(), description="Published results on this task (domain models, leaderboards) for reference rows."
    )
    curation: CurationRecord | None = Field(
        default=None, description="How the examples were selected by difficulty, when they were."
    )
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_counts(self) -> Self:
        if self.n_rows_in != self.n_kept + self.n_quarantined:
            raise ValueError(
                f"n_rows_in ({self.n_rows_in}) must equal n_kept ({self.n_kept}) + n_quarantined "
                f"({self.n_quarantined}); no row may be dropped silently"
            )
        if len(self.quarantined) != self.n_quarantined:
            raise ValueError(
                f"quarantined lists {len(self.quarantined)} rows but n_quarantined is {self.n_quarantined}"
            )
        return self


class TaskInfo(_Frozen):
    """One line of [`biorft.list_tasks`][biorft.datasets.list_tasks].

    Examples:
        >>> TaskInfo(name="genes/x", domain="genes", kind="binary", version="1.0.0", size=10,
        ...          licence="Apache-2.0").size
        10
    """

    name: str
    domain: Domain
    kind: TaskKind
    version: str
    size: int = Field(ge=0)
    licence: str
    description: str = ""

    _columns: ClassVar[tuple[str, ...]] = ("name", "domain", "kind", "version", "size", "licence")
