"""The last steps every builder shares: the task spec, the frame of kept records, the card and the dataset."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from biorft.datasets._build import Record, TargetParser
from biorft.schema import DatasetCard, Domain, Provenance, QuarantinedRow, TaskKind, TaskSpec

if TYPE_CHECKING:
    import polars as pl

    from biorft.datasets._dataset import TaskDataset

__all__ = ["TaskMeta", "build_frame", "finish_task", "make_card", "make_spec"]


@dataclasses.dataclass(frozen=True)
class TaskMeta:
    """The builder options that describe the task rather than the rows (the same for every builder)."""

    name: str
    version: str
    description: str
    instructions: str | None
    positive_label: str | None
    units: str | None
    tolerance: float | None
    value_range: tuple[float, float] | None
    label_synonyms: Mapping[str, Sequence[str]] | None
    licence: str
    citation: str | None
    sources: Sequence[Provenance] | None
    duplicates: str

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> TaskMeta:
        """Pick the fields from a builder's arguments (``locals()``)."""
        return cls(**{f.name: options[f.name] for f in dataclasses.fields(cls)})


def make_spec(
    *,
    name: str,
    domain: Domain,
    kind: TaskKind,
    labels: tuple[str, ...],
    positive_label: str | None,
    instructions: str | None,
    target_name: str,
    **extra: Any,
) -> TaskSpec:
    """Build the TaskSpec of a user task, with default instructions when none are given."""
    if kind is TaskKind.BINARY and positive_label is None:
        positive_label = "yes" if "yes" in labels else labels[0]
    if not instructions:
        what = "molecule (given as SMILES)" if domain is Domain.MOLECULES else "human gene"
        if kind is TaskKind.REGRESSION:
            unit = f" in {extra['units']}" if extra.get("units") else ""
            instructions = f"Predict the value of '{target_name}'{unit} for the {what}."
        elif kind is TaskKind.MULTILABEL:
            instructions = f"Decide which of the labels apply to the {what}."
        else:
            instructions = f"Classify the {what} by '{target_name}'."
    return TaskSpec(
        name=name,
        domain=domain,
        kind=kind,
        labels=labels,
        positive_label=positive_label,
        instructions=instructions,
        **{k: v for k, v in extra.items() if v is not None},
    )


def build_frame(spec: TaskSpec, kept: Sequence[Record], columns: Sequence[str]) -> pl.DataFrame:
    """The dataset frame of kept records: ``id``, ``entity``, ``target`` [``known_labels``] then ``columns``.

    ``Record.values`` holds the entity followed by one value per column of ``columns``.
    """
    import polars as pl

    data: dict[str, Any] = {
        "id": [r.id for r in kept],
        "entity": [r.values[0] for r in kept],
    }
    schema: dict[str, Any] = {"id": pl.String, "entity": pl.String}
    if spec.kind is TaskKind.REGRESSION:
        data["target"], schema["target"] = [float(r.target) for r in kept], pl.Float64
    elif spec.kind is TaskKind.MULTILABEL:
        data["target"], schema["target"] = [list(r.target) for r in kept], pl.List(pl.String)
        data["known_labels"], schema["known_labels"] = [list(r.known or ()) for r in kept], pl.List(pl.String)
    else:
        data["target"], schema["target"] = [str(r.target) for r in kept], pl.String
    for k, col in enumerate(columns, start=1):
        data[col] = [r.values[k] for r in kept]
        values = [v for v in data[col] if v is not None]
        schema[col] = pl.Float64 if values and all(isinstance(v, float) for v in values) else pl.String
        if schema[col] is pl.String:
            data[col] = [None if v is None else str(v) for v in data[col]]
    return pl.DataFrame(data, schema=schema)


def make_card(
    spec: TaskSpec,
    *,
    n_rows_in: int,
    n_kept: int,
    quarantined: list[QuarantinedRow],
    licence: str,
    citation: str | None,
    sources: Sequence[Provenance],
    policy: str,
    label_counts: dict[str, int],
    notes: Sequence[str],
    checksums: dict[str, str] | None = None,
    **extra: Any,
) -> DatasetCard:
    """Assemble the dataset card (checks ``n_rows_in == n_kept + n_quarantined``); ``extra`` adds card fields."""
    quarantined = sorted(quarantined, key=lambda q: (q.row, q.reason))
    return DatasetCard(
        task=spec.name,
        version=spec.version,
        description=spec.description,
        licence=licence,
        citation=citation,
        sources=tuple(sources),
        checksums=checksums or {},
        n_rows_in=n_rows_in,
        n_kept=n_kept,
        n_quarantined=len(quarantined),
        quarantined=tuple(quarantined),
        duplicate_policy=policy,
        label_counts=label_counts,
        notes=tuple(notes),
        **extra,
    )


def finish_task(
    meta: TaskMeta,
    *,
    domain: Domain,
    kind: TaskKind,
    parser: TargetParser,
    target_cols: Sequence[str],
    kept: Sequence[Record],
    columns: Sequence[str],
    n_rows_in: int,
    quarantined: list[QuarantinedRow],
    where: str,
    notes: Sequence[str],
    card_fields: Mapping[str, Any] | None = None,
) -> TaskDataset:
    """The last step of a builder: the spec, the frame of kept records (`build_frame`), the card, the dataset.

    ``meta.sources`` None records the source ``where`` (a file, or ``"<frame>"`` for a DataFrame) as provenance;
    ``card_fields`` adds card fields (e.g. the compound-group counts of molecule tasks).
    """
    from biorft.datasets._dataset import TaskDataset, _label_counts

    spec = make_spec(
        name=meta.name,
        domain=domain,
        kind=kind,
        labels=parser.labels,
        positive_label=meta.positive_label,
        instructions=meta.instructions,
        target_name=", ".join(target_cols),
        version=meta.version,
        description=meta.description,
        units=meta.units,
        tolerance=meta.tolerance,
        value_range=meta.value_range,
        label_synonyms={k: tuple(v) for k, v in (meta.label_synonyms or {}).items()},
    )
    all_notes = [*notes, *([parser.inferred_note] if parser.inferred_note else [])]
    out = build_frame(spec, kept, columns)
    sources = meta.sources
    if sources is None:
        sources = [
            Provenance(
                name=where, licence=meta.licence, citation=meta.citation, file=where if where != "<frame>" else None
            )
        ]
    card = make_card(
        spec,
        n_rows_in=n_rows_in,
        n_kept=len(kept),
        quarantined=quarantined,
        licence=meta.licence,
        citation=meta.citation,
        sources=sources,
        policy=meta.duplicates,
        label_counts=_label_counts(spec, out),
        notes=all_notes,
        **dict(card_fields or {}),
    )
    return TaskDataset(spec, out, card)
