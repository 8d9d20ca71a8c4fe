"""``molecule_task``: build a molecule task from a user table (CSV / TSV / parquet / SDF / DataFrame)."""

from __future__ import annotations

import collections
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

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
from biorft.datasets._identity import check_conflicts, group_keys, resolve_conflicts
from biorft.datasets._io import read_table, source_label
from biorft.datasets._task import TaskMeta, finish_task
from biorft.errors import DatasetError
from biorft.schema import Domain, Provenance, QuarantinedRow, TaskKind

if TYPE_CHECKING:
    from biorft.datasets._dataset import TaskDataset

__all__ = ["MAX_SMILES_LENGTH", "MOLECULE_COLUMNS", "molecule_task", "smiles_problem"]

#: Frame columns of a molecule task after ``id``, ``entity`` and ``target``.
MOLECULE_COLUMNS = ("smiles", "inchikey", "connectivity", "tautomer", "group", "scaffold")
#: Longest SMILES a builder standardises (characters); longer ones are quarantined without being parsed. The largest
#: molecules of the bundled sources stay under 1,000 characters, while InChI time grows quadratically with size.
MAX_SMILES_LENGTH = 5000
_BAD_CHAR = re.compile(r"[\s\x00-\x1f\x7f]")


def smiles_problem(text: str) -> str | None:
    r"""Why a (stripped) SMILES cell is refused before parsing, or ``None``.

    SMILES never contain whitespace or control characters: RDKit reads ``"CC O"`` as ethane followed by a name, so
    such cells are quarantined instead of being silently cut. Cells longer than `MAX_SMILES_LENGTH` are
    quarantined at once (no parsing).

    Examples:
        >>> smiles_problem("CCO") is None
        True
        >>> smiles_problem("CC O")
        "SMILES contains whitespace ' ' at position 2; one molecule per cell, no spaces or names"
        >>> print(smiles_problem(f"CCN{chr(9)}Cl").split(";")[0])
        SMILES contains a control character '\t' at position 3
        >>> smiles_problem("C" * 6000)
        'SMILES of 6000 characters is longer than the 5000 allowed (MAX_SMILES_LENGTH)'
    """
    if len(text) > MAX_SMILES_LENGTH:
        return f"SMILES of {len(text)} characters is longer than the {MAX_SMILES_LENGTH} allowed (MAX_SMILES_LENGTH)"
    bad = _BAD_CHAR.search(text)
    if bad is None:
        return None
    char = bad.group()
    what = f"whitespace {char!r}" if char == " " else f"a control character {char!r}"
    return f"SMILES contains {what} at position {bad.start()}; one molecule per cell, no spaces or names"


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
    conflicts: str = "keep",
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
    SMILES (the example's ``entity``), InChIKey (de-duplication), connectivity key (stereo-free), canonical-tautomer
    key, compound ``group`` (rows sharing either key; every split keeps a group in one part) and Bemis-Murcko
    scaffold. Rows that fail (unparseable SMILES, whitespace or control characters inside a SMILES, a SMILES longer
    than `MAX_SMILES_LENGTH`, missing or unknown target, missing id) are quarantined with a reason;
    molecules that collapse to one InChIKey are merged by the ``duplicates`` policy and the merged rows
    quarantined with the id they were merged into; groups with conflicting labels follow ``conflicts``.
    ``card.n_rows_in == len(ds) + card.n_quarantined`` always.

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
        conflicts: Policy for a compound group (rows sharing a connectivity or tautomer key: stereoisomers,
            tautomers) whose rows disagree: ``"keep"`` every row (the group still stays in one split part),
            ``"majority"`` (rows disagreeing with the group's majority are quarantined) or ``"quarantine"`` the
            whole group. Counts go to ``card.identity``.
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
    from biorft.chem import (
        StandardizeFailure,
        _describe_text,
        _Described,
        _identify_many,
        _Workers,
        connectivity_key,
        rdkit_version,
    )

    task_kind = parse_kind(kind)
    check_policy(duplicates, task_kind)
    check_conflicts(conflicts)
    if mixtures not in ("largest", "quarantine"):
        raise DatasetError(f"mixtures must be 'largest' or 'quarantine', got {mixtures!r}")
    meta = TaskMeta.of(locals())
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

    checked: collections.deque[tuple[str, str | None]] = collections.deque()  # (SMILES cell, problem) per row

    def text_of(row: tuple[Any, ...]) -> str:
        """The SMILES cell to standardise; "" (not parsed) for cells refused by `smiles_problem`.

        The feed runs ahead of the checks below over the same rows, so each row's cell and problem are queued here
        once and taken back in order there.
        """
        smi = raw_str(row[0]) or ""
        problem = smiles_problem(smi)
        checked.append((smi, problem))
        return "" if problem else smi

    # Rows stream through: one iterator feeds the worker processes, its twin the checks below (tee buffers only
    # the rows in flight), so no per-row Python lists of the whole input are built. Each row comes back with its
    # canonical SMILES and formula; each distinct molecule's InChIKey, scaffold and tautomer key come back once,
    # with whichever row was the first a process met (`biorft.chem._identify_chunk`).
    outcomes: list[QuarantinedRow | _Pending] = []  # one per row, in row order
    described: dict[str, _Described] = {}  # by molecule: canonical SMILES and formula
    with _Workers(n_jobs, claims=True) as pool:
        feed, rows = itertools.tee(selected.iter_rows(buffer_size=4096), 2)
        results = _identify_many((text_of(r) for r in feed), pool)
        for i, (row, res) in enumerate(zip(rows, results, strict=True)):
            smi, problem = checked.popleft()
            rid = raw_str(row[1 + n_t]) if id else None
            shown = smi if len(smi) <= 200 else smi[:200] + "..."
            if id and rid is None:
                outcomes.append(QuarantinedRow(row=i, reason=f"missing id in column {id!r}", value=shown or None))
            elif sdf and row[-1]:
                outcomes.append(QuarantinedRow(row=i, id=rid, reason=str(row[-1])))
            elif problem:
                outcomes.append(QuarantinedRow(row=i, id=rid, reason=f"invalid SMILES: {problem}", value=shown))
            elif mixtures == "quarantine" and "." in smi:
                outcomes.append(
                    QuarantinedRow(
                        row=i,
                        id=rid,
                        value=smi,
                        reason="multi-component SMILES (salt or mixture) quarantined: mixtures='quarantine'",
                    )
                )
            elif isinstance(res, StandardizeFailure):
                outcomes.append(
                    QuarantinedRow(row=i, id=rid, reason=f"invalid SMILES: {res.reason}", value=smi or None)
                )
            else:
                canonical, formula, first = res
                molecule = f"{canonical} {formula}"
                if first is not None:
                    described.setdefault(molecule, first)
                start = 1 + n_t + (1 if id else 0)
                extras = tuple(v if isinstance(v, float) else raw_str(v) for v in row[start : start + n_k])
                outcomes.append(_Pending(i, rid, smi, canonical, molecule, parser.parse(row[1 : 1 + n_t]), extras))
        del feed, rows, selected
    quarantined: list[QuarantinedRow] = []
    records: list[Record] = []
    for out in outcomes:
        if isinstance(out, QuarantinedRow):
            quarantined.append(out)
            continue
        desc = described.get(out.molecule)
        if desc is None:  # no process claimed it (a false 'claimed'): described here
            desc = described[out.molecule] = _describe_text(out.smiles)
        if isinstance(desc, StandardizeFailure):
            quarantined.append(
                QuarantinedRow(
                    row=out.row, id=out.id, reason=f"invalid SMILES: {desc.reason}", value=out.smiles or None
                )
            )
            continue
        inchikey, scaffold, taut = desc
        if isinstance(out.parsed, str):
            quarantined.append(QuarantinedRow(row=out.row, id=out.id or inchikey, reason=out.parsed, value=out.smiles))
            continue
        value, known = out.parsed
        records.append(
            Record(
                row=out.row,
                id=out.id or inchikey,
                key=inchikey,
                target=value,
                known=known,
                values=(out.canonical, scaffold, taut, *out.extras),
            )
        )
    del outcomes, described
    if id:  # a user id naming two different molecules is ambiguous: keep the first
        records = _first_of_each_id(records, quarantined)
    kept, merged = deduplicate(records, kind=task_kind, policy=duplicates, key_name="InChIKey", tolerance=tolerance)
    quarantined.extend(merged)
    # identity: connectivity (stereo-free) and canonical-tautomer keys join rows into compound groups
    connectivity = [connectivity_key(r.key) for r in kept]
    groups = group_keys([(c, r.values[2]) for r, c in zip(kept, connectivity, strict=True)], connectivity)
    conn_of = {r.key: c for r, c in zip(kept, connectivity, strict=True)}
    kept, groups, dropped, identity = resolve_conflicts(
        kept, groups, kind=task_kind, policy=conflicts, tolerance=tolerance
    )
    quarantined.extend(dropped)
    for r, g in zip(kept, groups, strict=True):
        smi_std, scaffold, taut, *extra_values = r.values
        r.values = (smi_std, smi_std, r.key, conn_of[r.key], taut, g, scaffold, *extra_values)
    return finish_task(
        meta,
        domain=Domain.MOLECULES,
        kind=task_kind,
        parser=parser,
        target_cols=target_cols,
        kept=kept,
        columns=[*MOLECULE_COLUMNS, *keep_columns],
        n_rows_in=n_in,
        quarantined=quarantined,
        where=where,
        notes=[
            *notes,
            f"standardised with RDKit {rdkit_version()} (largest fragment, neutralised); compound groups join rows "
            "sharing a connectivity key (InChIKey first block) or a canonical-tautomer key (InChI KET/15T)",
        ],
        card_fields={"conflict_policy": conflicts, "identity": identity},
    )


class _Pending(NamedTuple):
    """A row that passed the checks, waiting for its molecule's description (InChIKey, scaffold, tautomer key)."""

    row: int
    id: str | None
    smiles: str  # as in the source
    canonical: str
    molecule: str  # canonical SMILES and formula: the key of its description
    parsed: tuple[Any, tuple[str, ...] | None] | str  # the target, or why it is refused
    extras: tuple[Any, ...]


def _first_of_each_id(records: list[Record], quarantined: list[QuarantinedRow]) -> list[Record]:
    """The records whose id is not taken by an earlier record of another molecule; the rest are quarantined."""
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
    return unique
