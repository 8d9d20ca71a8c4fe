"""The bundled gene table, vendored once from its sources (run when a source changes, not at curation or run time).

The table behind every gene lookup (``data/genes/gene_table.parquet``) joins:

- Geneformer's gene table (``gene_info_table.csv``, Apache-2.0): the Ensembl IDs Geneformer's tasks use, with
  their symbols and gene types at the time;
- oncoref's canonical gene space (``canonical-gene-space.csv.gz``, Ensembl release 115 symbols; oncoref is
  Apache-2.0, Ensembl data have no restrictions on use): the *current* (HGNC-approved) symbol of each Ensembl ID;
- oncoref's NCBI symbol synonyms (``ncbi-symbol-synonyms.csv.gz``, from NCBI Gene ``gene_info``, public domain):
  aliases and previous symbols -> official symbol (``SEPT7`` -> ``SEPTIN7``, ``OCT4`` -> ``POU5F1``, ``HER2`` ->
  ``ERBB2``, ``P53`` -> ``TP53``).

It keeps the protein-coding genes of either source plus every gene of the bundled tasks, with the columns
``ensembl_id``, ``symbol`` (current), ``gene_type``, ``aliases`` (``|``-separated: the Geneformer-era symbol when
it changed, and the NCBI synonyms of the current symbol) and ``primary``. Run::

    python -m biorft.datasets._gene_sources --shared ../shared/data --oncoref <oncoref>/data \
        --out src/biorft/datasets/data/genes/gene_table.parquet

where ``<oncoref>`` is the unpacked ``oncoref`` 1.19.2 wheel (``pip download --no-deps oncoref==1.19.2``); the
source files are checked against the SHA-256 pins in :data:`GENE_TABLE_SOURCES`.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from biorft.errors import DatasetError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["GENE_TABLE_SOURCES", "build_gene_table", "main"]

GENE_TABLE_SOURCES: dict[str, dict[str, str]] = {
    "canonical-gene-space.csv.gz": {
        "name": "oncoref 1.19.2 canonical gene space (Ensembl release 115 gene symbols)",
        "url": "https://pypi.org/project/oncoref/1.19.2/",
        "licence": "Apache-2.0 (oncoref); Ensembl data: no restrictions on use",
        "citation": "oncoref 1.19.2, oncoref/data/canonical-gene-space.csv.gz; Ensembl release 115",
        "sha256": "1eb19e37e0dc1a24a57096bbefd65c0cf69a1599a5633ff5168daba76af176ff",
    },
    "ncbi-symbol-synonyms.csv.gz": {
        "name": "oncoref 1.19.2 NCBI gene symbol synonyms (from NCBI Gene gene_info)",
        "url": "https://pypi.org/project/oncoref/1.19.2/",
        "licence": "Apache-2.0 (oncoref); NCBI Gene data: public domain",
        "citation": "oncoref 1.19.2, oncoref/data/ncbi-symbol-synonyms.csv.gz; NCBI Gene, Homo_sapiens.gene_info",
        "sha256": "2296b976ed79e1ec87d341558ff7ec6e0270c83108ea96127b2d36f5cc803f8d",
    },
}
"""The oncoref files the gene table is built from, with their SHA-256 pins."""

GENEFORMER_GENE_INFO = "genes/geneformer/gene_info_table.csv"


def _checked(path: Path, *, pin: str | None) -> Path:
    if not path.is_file():
        raise DatasetError(f"gene table source {path} is missing; pass --oncoref <unpacked oncoref wheel>/oncoref/data")
    if pin is not None:
        got = hashlib.sha256(path.read_bytes()).hexdigest()
        if got != pin:
            raise DatasetError(f"{path.name}: sha256 {got} differs from the pinned {pin}; use oncoref 1.19.2")
    return path


def build_gene_table(
    gene_info: Path,
    canonical_space: Path,
    synonyms: Path,
    task_genes: Iterable[str] = (),
    *,
    verify: bool = True,
) -> pl.DataFrame:
    """Build the gene table (``ensembl_id``, ``symbol``, ``gene_type``, ``aliases``, ``primary``) from its sources.

    ``primary`` marks the Ensembl IDs that carry their symbol in Ensembl release 115 (the primary assembly's gene);
    a symbol held by several IDs (alternative haplotypes, retired IDs) resolves to its primary one.

    Args:
        gene_info: Geneformer's ``gene_info_table.csv`` (``ensembl_id``, ``gene_name``, ``gene_type``).
        canonical_space: oncoref's ``canonical-gene-space.csv.gz`` (``ensembl_gene_id``, ``symbol``, ``biotype``).
        synonyms: oncoref's ``ncbi-symbol-synonyms.csv.gz`` (``alias``, ``official_symbol``).
        task_genes: Ensembl IDs kept whatever their type (the bundled tasks' genes).
        verify: Check the oncoref files against :data:`GENE_TABLE_SOURCES`.

    Returns:
        The table, sorted by Ensembl ID.
    """
    import polars as pl

    pins = {name: info["sha256"] if verify else None for name, info in GENE_TABLE_SOURCES.items()}
    old = pl.read_csv(_checked(gene_info, pin=None), infer_schema=False).select(
        pl.col("ensembl_id").str.to_uppercase(),
        pl.col("gene_name").alias("old_symbol"),
        pl.col("gene_type").replace("nan", None),
    )
    old = old.unique("ensembl_id", keep="first", maintain_order=True)
    new = pl.read_csv(_checked(canonical_space, pin=pins[canonical_space.name]), infer_schema=False).select(
        pl.col("ensembl_gene_id").str.to_uppercase().alias("ensembl_id"),
        pl.col("symbol").replace("", None).alias("new_symbol"),
        pl.col("biotype"),
    )
    new = new.unique("ensembl_id", keep="first", maintain_order=True)
    syn = pl.read_csv(_checked(synonyms, pin=pins[synonyms.name]), infer_schema=False, null_values=[])
    keep = sorted({g.upper() for g in task_genes})
    table = (
        old.join(new, on="ensembl_id", how="full", coalesce=True)
        .with_columns(
            pl.coalesce("new_symbol", "old_symbol").alias("symbol"),
            pl.coalesce("gene_type", "biotype").alias("gene_type"),
        )
        .filter(
            pl.col("symbol").is_not_null()
            & (
                (pl.col("gene_type") == "protein_coding")
                | (pl.col("biotype") == "protein_coding")
                | pl.col("ensembl_id").is_in(keep)
            )
        )
    )
    by_symbol: dict[str, set[str]] = {}
    for alias, official in zip(syn["alias"].to_list(), syn["official_symbol"].to_list(), strict=True):
        a, o = (alias or "").strip(), (official or "").strip()
        if len(a) >= 2 and o:
            by_symbol.setdefault(o.upper(), set()).add(a)
    aliases = []
    for sym, old_sym in zip(table["symbol"].to_list(), table["old_symbol"].to_list(), strict=True):
        names = set(by_symbol.get(sym.upper(), ()))
        if old_sym and old_sym.upper() != sym.upper():
            names.add(old_sym)
        names = {n for n in names if n.upper() != sym.upper()}
        aliases.append("|".join(sorted(names, key=lambda x: (x.upper(), x))) or None)
    return (
        table.with_columns(
            pl.Series("aliases", aliases, dtype=pl.String),
            (pl.col("new_symbol").fill_null("").str.to_uppercase() == pl.col("symbol").str.to_uppercase()).alias(
                "primary"
            ),
        )
        .select("ensembl_id", "symbol", "gene_type", "aliases", "primary")
        .sort("ensembl_id")
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m biorft.datasets._gene_sources --shared DIR --oncoref DIR --out FILE``."""
    from biorft.datasets._curate import _gene_sources, sha256_file

    parser = argparse.ArgumentParser(description="Build biorft's bundled gene table from its vendored sources.")
    parser.add_argument("--shared", type=Path, required=True, help="the shared/data folder (Geneformer files)")
    parser.add_argument("--oncoref", type=Path, required=True, help="oncoref/data of the unpacked oncoref 1.19.2 wheel")
    parser.add_argument("--out", type=Path, required=True, help="output parquet file")
    args = parser.parse_args(argv)
    task_genes = {g for parts in _gene_sources(args.shared).values() for _, genes in parts for g in genes}
    table = build_gene_table(
        args.shared / GENEFORMER_GENE_INFO,
        args.oncoref / "canonical-gene-space.csv.gz",
        args.oncoref / "ncbi-symbol-synonyms.csv.gz",
        task_genes,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.write_parquet(args.out, compression="zstd", compression_level=19, statistics=False)
    print(f"{sha256_file(args.out)}  {args.out} ({table.height} genes)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
