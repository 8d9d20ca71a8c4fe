"""Gene normalisation (symbols, Ensembl IDs, aliases) and ``gene_task`` for user gene tables."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

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
from biorft.datasets._families import FAMILY_COLUMN, gene_family
from biorft.datasets._io import did_you_mean, read_table, require_columns, source_label
from biorft.datasets._task import TaskMeta, finish_task
from biorft.schema import Domain, Provenance, QuarantinedRow, TaskKind

if TYPE_CHECKING:
    import polars as pl

    from biorft.datasets._dataset import TaskDataset

__all__ = ["GeneMatch", "GeneTable", "gene_table", "gene_task"]

_ENSG = re.compile(r"^(ENSG\d{11})(\.\d+)?$", re.IGNORECASE)
GENE_TABLE_FILE = "genes/gene_table.parquet"


@dataclass(frozen=True, slots=True)
class GeneMatch:
    """A resolved gene: current symbol, canonical Ensembl ID and how it was matched.

    Attributes:
        symbol: The gene's current symbol, as in the gene table.
        ensembl_id: The gene's canonical Ensembl ID (no version suffix): the one that carries the symbol on the
            primary assembly, when the symbol has several.
        how: ``"ensembl"``, ``"symbol"``, ``"alias"``.
        query_id: The Ensembl ID that was looked up, when it differs from ``ensembl_id`` (a second ID of the
            same gene: alternative haplotype, retired or split ID), else None.
    """

    symbol: str
    ensembl_id: str
    how: str
    query_id: str | None = None


class GeneTable:
    """Symbol / Ensembl ID / alias lookups over a gene table.

    The table has columns ``ensembl_id``, ``symbol``, optionally ``gene_type``, ``aliases`` (``|``-separated
    previous symbols and synonyms) and ``primary`` (True where the ID carries the symbol on the primary assembly).

    One gene, one identity: every Ensembl ID of a symbol resolves to the symbol's canonical ID (primary first, then
    protein-coding, then the lowest ID), so a gene listed under two IDs is one gene. Symbols beat aliases; an alias
    of several genes is ambiguous and not resolved.

    The bundled table ([gene_table][biorft.datasets.gene_table]) holds the protein-coding genes of Geneformer's gene
    table and of Ensembl release 115 plus every gene of the bundled tasks, with current symbols and NCBI Gene
    synonyms as aliases.

    Examples:
        >>> t = gene_table()
        >>> t.resolve("gata4")
        GeneMatch(symbol='GATA4', ensembl_id='ENSG00000136574', how='symbol', query_id=None)
        >>> t.resolve("ENSG00000136574.18").symbol
        'GATA4'
        >>> [t.resolve(a).symbol for a in ("SEPT7", "OCT4", "HER2", "p53")]
        ['SEPTIN7', 'POU5F1', 'ERBB2', 'TP53']
        >>> t.resolve("ENSG00000264668")
        GeneMatch(symbol='ZFP41', ensembl_id='ENSG00000181638', how='ensembl', query_id='ENSG00000264668')
        >>> t.resolve("NOTAGENE1")
        "unknown gene 'NOTAGENE1': not in the bundled gene table"
    """

    def __init__(self, frame: pl.DataFrame, *, name: str = "gene table") -> None:
        require_columns(frame, ["ensembl_id", "symbol"], source=name, params=["gene_table", "gene_table"])
        self.name = name
        self.frame = frame
        n = frame.height
        types = frame["gene_type"].to_list() if "gene_type" in frame.columns else [""] * n
        aliases = frame["aliases"].to_list() if "aliases" in frame.columns else [None] * n
        primary = frame["primary"].to_list() if "primary" in frame.columns else [False] * n
        self._by_ensembl: dict[str, str] = {}
        by_symbol: dict[str, list[tuple[bool, bool, str, str]]] = {}
        alias_of: dict[str, set[str]] = {}
        for ens, sym, typ, al, prim in zip(
            frame["ensembl_id"].to_list(), frame["symbol"].to_list(), types, aliases, primary, strict=True
        ):
            if not ens or not sym:
                continue
            ens = str(ens).upper().split(".")[0]
            key = str(sym).upper()
            self._by_ensembl[ens] = str(sym)
            by_symbol.setdefault(key, []).append((not prim, typ != "protein_coding", ens, str(sym)))
            for a in str(al or "").split("|"):
                if a.strip():
                    alias_of.setdefault(a.strip().upper(), set()).add(key)
        self._by_symbol = {k: sorted(v) for k, v in by_symbol.items()}
        self._by_alias = alias_of

    def __len__(self) -> int:
        return len(self._by_ensembl)

    def symbol_of(self, ensembl_id: str) -> str | None:
        """The symbol of an Ensembl ID (version suffix ignored), or None."""
        return self._by_ensembl.get(ensembl_id.upper().split(".")[0])

    def ensembl_ids_of(self, symbol: str) -> list[str]:
        """Every Ensembl ID of a symbol (any case), the canonical one first; empty when unknown.

        Examples:
            >>> gene_table().ensembl_ids_of("ZNF763")
            ['ENSG00000197054', 'ENSG00000267179']
        """
        return [ens for *_, ens, _ in self._by_symbol.get(symbol.upper(), ())]

    def resolve(self, value: str) -> GeneMatch | str:
        """Resolve a symbol (any case), alias / previous symbol or Ensembl ID (with or without version).

        Returns:
            A [GeneMatch][biorft.datasets.GeneMatch], or a quarantine reason string.
        """
        s = (value or "").strip()
        if not s:
            return "missing gene"
        m = _ENSG.match(s)
        if m:
            ens = m.group(1).upper()
            sym = self._by_ensembl.get(ens)
            if sym is None:
                return f"unknown Ensembl ID {s!r}: not in the {self.name}"
            canonical = self._by_symbol[sym.upper()][0][2]
            return GeneMatch(sym, canonical, "ensembl", None if canonical == ens else ens)
        hits = self._by_symbol.get(s.upper())
        if hits:
            *_, ens, sym = hits[0]
            return GeneMatch(sym, ens, "symbol")
        alias = self._by_alias.get(s.upper())
        if alias:
            if len(alias) > 1:
                return f"ambiguous alias {s!r}: a synonym of {sorted(alias)}; use the symbol or Ensembl ID"
            *_, ens, sym = self._by_symbol[next(iter(alias))][0]
            return GeneMatch(sym, ens, "alias")
        return f"unknown gene {s!r}: not in the {self.name}"

    def suggest(self, value: str) -> str:
        """A did-you-mean suffix for an unknown symbol."""
        return did_you_mean(value.upper(), self._by_symbol.keys())


@lru_cache(maxsize=1)
def gene_table() -> GeneTable:
    """The bundled gene table (protein-coding genes of Geneformer's table plus the bundled tasks' genes).

    Examples:
        >>> len(gene_table()) > 20000
        True
    """
    import polars as pl

    path = resources.files("biorft.datasets").joinpath("data", *GENE_TABLE_FILE.split("/"))
    with resources.as_file(path) as p:
        return GeneTable(pl.read_parquet(p), name="bundled gene table")


def gene_task(
    source: Any,
    *,
    gene: str = "symbol",
    target: str | Sequence[str] = "label",
    kind: str | TaskKind = "binary",
    name: str = "user/genes",
    labels: Sequence[str] | Mapping[Any, str] | None = None,
    id: str | None = None,
    duplicates: str = "majority",
    positive_label: str | None = None,
    gene_table: Any = None,
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
    sources: Sequence[Provenance] | None = None,
    notes: Sequence[str] = (),
) -> TaskDataset:
    """Build a gene task from a table of genes (symbols or Ensembl IDs) and targets.

    Genes are normalised against a gene table (the bundled one by default): symbols in any case, aliases and
    previous symbols (``SEPT7``, ``OCT4``, ``HER2``, ``p53``), and Ensembl IDs with or without a version suffix
    resolve to the gene's current symbol (the example's ``entity``) and canonical Ensembl ID (the de-duplication
    key: a gene listed under two Ensembl IDs is one gene, and its row lists both in ``ensembl_ids``). Each row also
    gets its gene ``family`` ([gene_family][biorft.datasets.gene_family]), which ``split("family")`` keeps in one
    part. Unknown genes and rows with a missing or unknown target are quarantined with a reason; repeated genes are
    merged by ``duplicates`` (a gene in two classes is a conflict: ``"drop"`` removes it, ``"majority"`` keeps a
    strict majority label). ``card.n_rows_in == len(ds) + card.n_quarantined``.

    Args:
        source: Path (CSV / TSV / parquet) or DataFrame.
        gene: Column with gene symbols or Ensembl IDs.
        target: Target column (a list of 0/1 columns for ``kind="multilabel"``).
        kind: ``"binary"``, ``"multiclass"``, ``"multilabel"`` or ``"regression"``.
        name: Task name.
        labels: Label names or a raw-value -> label mapping (see [`molecule_task`][biorft.datasets.molecule_task]).
        id: Column with example ids; None uses the Ensembl ID.
        duplicates: ``"majority"``, ``"drop"``, ``"mean"`` (regression) or ``"error"``.
        positive_label: Positive label of a binary task.
        gene_table: A [GeneTable][biorft.datasets.GeneTable], a path or a DataFrame with ``ensembl_id``, ``symbol`` (and
            optional
            ``gene_type``, ``aliases``) columns; None uses the bundled table.
        instructions: Task instruction shown to the model.
        description: Description for people.
        units: Unit of a regression target.
        tolerance: Regression tolerance.
        value_range: Plausible regression range.
        label_synonyms: Extra spellings graders accept per label.
        version: Task version.
        licence: Licence of the data.
        citation: Citation of the data.
        keep_columns: Extra source columns kept in the frame.
        separator: Field separator for delimited text files.
        sources: Provenance records (default: the source file).
        notes: Extra card notes.

    Returns:
        The [`TaskDataset`][biorft.datasets.TaskDataset].

    Raises:
        DatasetError: Missing column, unreadable file, bad parameter, or a conflict under ``duplicates="error"``.

    Examples:
        >>> import polars as pl
        >>> df = pl.DataFrame({"gene": ["gata4", "ENSG00000141510", "TP53", "NOPE1"],
        ...                    "label": ["sensitive", "insensitive", "insensitive", "sensitive"]})
        >>> ds = gene_task(df, gene="gene", target="label", name="user/tfs")
        >>> ds.frame.select("entity", "ensembl_id", "target").rows()
        [('GATA4', 'ENSG00000136574', 'sensitive'), ('TP53', 'ENSG00000141510', 'insensitive')]
        >>> [q.reason for q in ds.card.quarantined]
        ["duplicate of 'ENSG00000141510' (Ensembl ID ENSG00000141510), same label 'insensitive'", \
"unknown gene 'NOPE1': not in the bundled gene table (did you mean 'NXPE1' or 'NOP16' or 'NOP14'?)"]
    """
    task_kind = parse_kind(kind)
    check_policy(duplicates, task_kind)
    meta = TaskMeta.of(locals())
    if gene_table is None:
        table = _bundled_table()
    elif isinstance(gene_table, GeneTable):
        table = gene_table
    else:
        table = GeneTable(read_table(gene_table), name=f"gene table {source_label(gene_table)}")
    where = source_label(source)
    frame = read_table(source, separator=separator)
    target_cols = target_columns(target, task_kind)
    require_source_columns(
        frame, entity=(gene, "gene"), target_cols=target_cols, id=id, keep_columns=keep_columns, source=where
    )
    n_in = frame.height
    parser = TargetParser(task_kind, target_cols, labels, frame[target_cols[0]].to_list(), source=where)
    genes = frame[gene].to_list()
    cells = list(zip(*(frame[c].to_list() for c in target_cols), strict=True))
    id_cells = frame[id].to_list() if id else [None] * n_in
    extra = {c: frame[c].to_list() for c in keep_columns}
    quarantined: list[QuarantinedRow] = []
    records: list[Record] = []
    n_suggest = 0
    ids_of: dict[str, set[str]] = {}
    for i, g in enumerate(genes):
        raw = raw_str(g) or ""
        rid = raw_str(id_cells[i]) if id else None
        if id and rid is None:
            quarantined.append(QuarantinedRow(row=i, reason=f"missing id in column {id!r}", value=raw or None))
            continue
        hit = table.resolve(raw)
        if isinstance(hit, str):
            if hit.startswith("unknown gene") and n_suggest < 20:
                n_suggest += 1
                hit += table.suggest(raw)
            quarantined.append(QuarantinedRow(row=i, id=rid, reason=hit, value=raw or None))
            continue
        ids_of.setdefault(hit.ensembl_id, set()).add(hit.query_id or hit.ensembl_id)
        parsed = parser.parse(cells[i])
        if isinstance(parsed, str):
            quarantined.append(QuarantinedRow(row=i, id=rid or hit.ensembl_id, reason=parsed, value=raw))
            continue
        value, known = parsed
        extras = tuple(v if isinstance(v, float) else raw_str(v) for v in (vals[i] for vals in extra.values()))
        records.append(
            Record(
                row=i,
                id=rid or hit.ensembl_id,
                key=hit.ensembl_id,
                target=value,
                known=known,
                values=(hit.symbol, hit.symbol, hit.ensembl_id, gene_family(hit.symbol), "", *extras),
            )
        )
    for r in records:  # every Ensembl ID a gene was listed under, canonical first
        ids = sorted(ids_of[r.key], key=lambda e: (e != r.key, e))
        r.values = (*r.values[:4], "|".join(ids), *r.values[5:])
    merged_ids = sorted(
        f"{r.values[1]} ({', '.join(sorted(ids_of[r.key]))})" for r in records if len(ids_of[r.key]) > 1
    )
    kept, merged = deduplicate(records, kind=task_kind, policy=duplicates, key_name="Ensembl ID", tolerance=tolerance)
    quarantined.extend(merged)
    all_notes = [*notes, f"genes normalised against the {table.name} ({len(table)} genes)"]
    if merged_ids:
        names = sorted(set(merged_ids))
        all_notes.append(
            f"{len(names)} gene(s) listed under several Ensembl IDs merged into one row each (ensembl_ids lists "
            f"them): {', '.join(names[:20])}"
        )
    return finish_task(
        meta,
        domain=Domain.GENES,
        kind=task_kind,
        parser=parser,
        target_cols=target_cols,
        kept=kept,
        columns=["symbol", "ensembl_id", FAMILY_COLUMN, "ensembl_ids", *keep_columns],
        n_rows_in=n_in,
        quarantined=quarantined,
        where=where,
        notes=all_notes,
    )


def _bundled_table() -> GeneTable:
    return gene_table()
