"""``molecule_task``: build a molecule task from a user table (CSV / TSV / parquet / SDF / DataFrame)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from biorft.datasets._build import (
    Record,
    TargetParser,
    check_policy,
    deduplicate,
    parse_kind,
    raw_str,
    require_source_columns,
    target_columns,
)
from biorft.datasets._io import read_table, source_label
from biorft.errors import DatasetError
from biorft.schema import DatasetCard, Domain, Provenance, QuarantinedRow, TaskKind, TaskSpec

if TYPE_CHECKING:
    import polars as pl

    from biorft.datasets._dataset import TaskDataset

__all__ = ["build_frame", "finish_task", "make_card", "make_spec", "molecule_task"]

_MOLECULE_COLUMNS = ("smiles", "inchikey", "scaffold")


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
) -> DatasetCard:
    """Assemble the dataset card (checks ``n_rows_in == n_kept + n_quarantined``)."""
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
    )


def finish_task(
    spec: TaskSpec,
    kept: Sequence[Record],
    columns: Sequence[str],
    *,
    n_rows_in: int,
    quarantined: list[QuarantinedRow],
    where: str,
    licence: str,
    citation: str | None,
    sources: Sequence[Provenance] | None,
    policy: str,
    notes: Sequence[str],
) -> TaskDataset:
    """The last step of a builder: the frame of kept records (`build_frame`), the card and the dataset.

    ``sources`` None records the source ``where`` (a file, or ``"<frame>"`` for a DataFrame) as the provenance.
    """
    from biorft.datasets._dataset import TaskDataset, _label_counts

    out = build_frame(spec, kept, columns)
    if sources is None:
        sources = [
            Provenance(name=where, licence=licence, citation=citation, file=where if where != "<frame>" else None)
        ]
    card = make_card(
        spec,
        n_rows_in=n_rows_in,
        n_kept=len(kept),
        quarantined=quarantined,
        licence=licence,
        citation=citation,
        sources=sources,
        policy=policy,
        label_counts=_label_counts(spec, out),
        notes=notes,
    )
    return TaskDataset(spec, out, card)


def molecule_task(
    source: Any,
    *,
    smiles: str = "smiles",
    target: str | Sequence[str] = "y",
    kind: str | TaskKind = "binary",
    name: str = "user/molecules",
    labels: Sequence[str] | Mapping[Any, str] | None = None,
    id: str | None = None,
    duplicates: str = "majority",
    positive_label: str | None = None,
    mixtures: Literal["largest", "quarantine"] = "largest",
    instructions: str | None = None,
    description: str = "",
    units: str | None = None,
    tolerance: float | None = None,
    value_range: tuple[float, float] | None = None,
    label_synonyms: Mapping[str, Sequence[str]] | None = None,
    version: str = "1.0.0",
    licence: str = "unknown",
    citation: str | None = None,
    keep_columns: Sequence[str] = (),
    separator: str | None = None,
    n_jobs: int | None = 1,
    sources: Sequence[Provenance] | None = None,
    notes: Sequence[str] = (),
) -> TaskDataset:
    """Build a molecule task from a table of SMILES and targets.

    Each SMILES is parsed and standardised with RDKit (largest fragment, neutralised), then identified by canonical
    SMILES (the example's ``entity``), InChIKey (de-duplication and leakage checks) and Bemis-Murcko scaffold.
    Rows that fail (unparseable SMILES, missing or unknown target, missing id) are quarantined with a reason;
    molecules that collapse to one InChIKey are merged by the ``duplicates`` policy and the merged rows
    quarantined with the id they were merged into. ``card.n_rows_in == len(ds) + card.n_quarantined`` always.

    Args:
        source: Path to a CSV / TSV / parquet / SDF file, or a polars / pandas DataFrame. SD files give a
            ``smiles`` column plus one column per SD property.
        smiles: Column with the SMILES.
        target: Column with the target; for ``kind="multilabel"`` a list of 0/1 columns (blank = not measured).
        kind: ``"binary"``, ``"multiclass"``, ``"multilabel"`` or ``"regression"``.
        name: Task name, e.g. ``"user/herg"``.
        labels: Label names (classification). A mapping translates raw values (``{1: "blocker", 0:
            "non-blocker"}``); a sequence lists the allowed labels; None infers them (0/1 become ``yes`` / ``no``).
        id: Column with example ids; None uses the InChIKey.
        duplicates: Conflicting-label policy for one InChIKey: ``"majority"``, ``"drop"``, ``"mean"``
            (regression) or ``"error"``.
        positive_label: The positive label of a binary task (default: ``yes`` or the first label).
        mixtures: ``"largest"`` keeps the largest fragment of a salt or mixture; ``"quarantine"`` quarantines
            multi-component SMILES (for properties of the salt form, such as solubility).
        instructions: The task instruction shown to the model (a default is derived from the target name).
        description: Description for people.
        units: Unit of a regression target.
        tolerance: Absolute error within which a regression answer counts as correct.
        value_range: Plausible range of a regression target.
        label_synonyms: Extra spellings graders accept for each label.
        version: Task version.
        licence: Licence of the data (recorded in the card).
        citation: Citation of the data.
        keep_columns: Extra source columns kept in the frame (and in each example's metadata).
        separator: Field separator for delimited text files.
        n_jobs: Processes for RDKit work (``None`` = all cores).
        sources: Provenance records for the card (default: the source file).
        notes: Extra notes for the card.

    Returns:
        The [`TaskDataset`][biorft.datasets.TaskDataset].

    Raises:
        DatasetError: Missing column, unreadable file, bad parameter, or a conflict under ``duplicates="error"``.

    Examples:
        >>> import polars as pl
        >>> df = pl.DataFrame({"smiles": ["CCO", "OCC", "c1ccccc1O", "C1CC", "CC(=O)[O-].[Na+]"],
        ...                    "active": [1, 1, 0, 1, 0]})
        >>> ds = molecule_task(df, smiles="smiles", target="active", labels={1: "active", 0: "inactive"},
        ...                    name="user/demo")
        >>> ds.frame.select("entity", "target").rows()
        [('CCO', 'active'), ('Oc1ccccc1', 'inactive'), ('CC(=O)O', 'inactive')]
        >>> [(q.row, q.reason) for q in ds.card.quarantined]  # doctest: +NORMALIZE_WHITESPACE
        [(1, "duplicate of 'LFQSCWFLJHTTHZ-UHFFFAOYSA-N' (InChIKey LFQSCWFLJHTTHZ-UHFFFAOYSA-N), same label 'active'"),
         (3, 'invalid SMILES: RDKit cannot parse the SMILES')]
    """
    from biorft.chem import StandardizeFailure, rdkit_version, standardize_many

    task_kind = parse_kind(kind)
    check_policy(duplicates, task_kind)
    if mixtures not in ("largest", "quarantine"):
        raise DatasetError(f"mixtures must be 'largest' or 'quarantine', got {mixtures!r}")
    where = source_label(source)
    frame = read_table(source, separator=separator)
    target_cols = target_columns(target, task_kind)
    require_source_columns(
        frame, entity=(smiles, "smiles"), target_cols=target_cols, id=id, keep_columns=keep_columns, source=where
    )
    parser = TargetParser(task_kind, target_cols, labels, frame[target_cols[0]].unique().to_list(), source=where)
    sdf = "_sdf_error" in frame.columns
    selected = frame.select(
        [smiles, *target_cols, *([id] if id else []), *keep_columns, *(["_sdf_error"] if sdf else [])]
    )
    del frame
    n_in = selected.height
    n_t, n_k = len(target_cols), len(keep_columns)
    # Rows stream through: one iterator feeds the worker processes, its twin the checks below (tee buffers only
    # the rows in flight), so no per-row Python lists of the whole input are built.
    feed, rows = itertools.tee(selected.iter_rows(buffer_size=4096), 2)
    results = standardize_many((raw_str(r[0]) or "" for r in feed), n_jobs=n_jobs)

    quarantined: list[QuarantinedRow] = []
    records: list[Record] = []
    for i, (row, res) in enumerate(zip(rows, results, strict=True)):
        smi = raw_str(row[0]) or ""
        rid = raw_str(row[1 + n_t]) if id else None
        if id and rid is None:
            quarantined.append(QuarantinedRow(row=i, reason=f"missing id in column {id!r}", value=smi or None))
            continue
        if sdf and row[-1]:
            quarantined.append(QuarantinedRow(row=i, id=rid, reason=str(row[-1])))
            continue
        if mixtures == "quarantine" and "." in smi:
            quarantined.append(
                QuarantinedRow(
                    row=i,
                    id=rid,
                    value=smi,
                    reason="multi-component SMILES (salt or mixture) quarantined: mixtures='quarantine'",
                )
            )
            continue
        if isinstance(res, StandardizeFailure):
            quarantined.append(QuarantinedRow(row=i, id=rid, reason=f"invalid SMILES: {res.reason}", value=smi or None))
            continue
        parsed = parser.parse(row[1 : 1 + n_t])
        if isinstance(parsed, str):
            quarantined.append(QuarantinedRow(row=i, id=rid or res.inchikey, reason=parsed, value=smi))
            continue
        value, known = parsed
        start = 1 + n_t + (1 if id else 0)
        extras = tuple(v if isinstance(v, float) else raw_str(v) for v in row[start : start + n_k])
        records.append(
            Record(
                row=i,
                id=rid or res.inchikey,
                key=res.inchikey,
                target=value,
                known=known,
                values=(res.smiles, res.smiles, res.inchikey, res.scaffold, *extras),
            )
        )
    del feed, rows, selected
    if id:  # a user id naming two different molecules is ambiguous: keep the first
        first: dict[str, Record] = {}
        unique: list[Record] = []
        for r in records:
            other = first.get(str(r.id))
            if other is not None and other.key != r.key:
                quarantined.append(
                    QuarantinedRow(
                        row=r.row,
                        id=r.id,
                        value=r.key,
                        reason=f"duplicate id {r.id!r} (row {other.row} has a different molecule); ids must be unique",
                    )
                )
                continue
            first.setdefault(str(r.id), r)
            unique.append(r)
        records = unique
    kept, merged = deduplicate(records, kind=task_kind, policy=duplicates, key_name="InChIKey", tolerance=tolerance)
    quarantined.extend(merged)
    spec = make_spec(
        name=name,
        domain=Domain.MOLECULES,
        kind=task_kind,
        labels=parser.labels,
        positive_label=positive_label,
        instructions=instructions,
        target_name=", ".join(target_cols),
        version=version,
        description=description,
        units=units,
        tolerance=tolerance,
        value_range=value_range,
        label_synonyms={k: tuple(v) for k, v in (label_synonyms or {}).items()},
    )
    all_notes = [*notes, f"standardised with RDKit {rdkit_version()} (largest fragment, neutralised)"]
    if parser.inferred_note:
        all_notes.append(parser.inferred_note)
    return finish_task(
        spec,
        kept,
        [*_MOLECULE_COLUMNS, *keep_columns],
        n_rows_in=n_in,
        quarantined=quarantined,
        where=where,
        licence=licence,
        citation=citation,
        sources=sources,
        policy=duplicates,
        notes=all_notes,
    )
