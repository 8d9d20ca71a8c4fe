from __future__ import annotations

import pathlib

import polars as pl
import pytest

from biorft.datasets import GeneMatch, GeneTable, gene_table, gene_task, load_task
from biorft.errors import DatasetError


def test_resolve_symbol_case_version_and_unknown() -> None:
    t = gene_table()
    assert t.resolve("Gata4") == GeneMatch("GATA4", "ENSG00000136574", "symbol")
    assert t.resolve(" ensg00000136574.5 ").symbol == "GATA4"
    assert t.resolve("ENSG99999999999") == "unknown Ensembl ID 'ENSG99999999999': not in the bundled gene table"
    assert t.resolve("") == "missing gene"
    assert "did you mean 'GATA4'" in t.suggest("GATA44")


def test_custom_table_aliases_and_one_gene_per_symbol() -> None:
    frame = pl.DataFrame(
        {
            "ensembl_id": ["ENSG00000000001", "ENSG00000000002", "ENSG00000000003", "ENSG00000000004"],
            "symbol": ["ABC1", "ABC1", "XYZ", "QQQ"],
            "gene_type": ["lncRNA", "protein_coding", "protein_coding", "protein_coding"],
            "aliases": ["", "", "OLDXYZ|XYZ-1", "OLDXYZ"],
        }
    )
    t = GeneTable(frame, name="my table")
    hit = t.resolve("abc1")
    assert hit == GeneMatch("ABC1", "ENSG00000000002", "symbol")  # protein-coding ID first
    # the other ID of the same symbol is the same gene
    assert t.resolve("ENSG00000000001") == GeneMatch("ABC1", "ENSG00000000002", "ensembl", "ENSG00000000001")
    assert t.resolve("xyz-1") == GeneMatch("XYZ", "ENSG00000000003", "alias")
    assert "ambiguous alias" in str(t.resolve("OLDXYZ"))
    ds = gene_task(
        pl.DataFrame({"g": ["XYZ-1", "abc1", "ENSG00000000001"], "y": ["a", "b", "b"]}),
        gene="g",
        target="y",
        gene_table=frame,
        name="user/g",
    )
    assert ds.frame["symbol"].to_list() == ["XYZ", "ABC1"]
    assert ds.frame["ensembl_ids"].to_list() == ["ENSG00000000003", "ENSG00000000002|ENSG00000000001"]
    assert ds.card.n_rows_in == len(ds) + ds.card.n_quarantined
    assert any("ABC1 (ENSG00000000001, ENSG00000000002)" in n for n in ds.card.notes)


@pytest.mark.parametrize(
    ("query", "symbol"),
    [("SEPT7", "SEPTIN7"), ("SEPTIN7", "SEPTIN7"), ("OCT4", "POU5F1"), ("HER2", "ERBB2"), ("p53", "TP53")],
)
def test_bundled_aliases_resolve_to_current_symbols(query: str, symbol: str) -> None:
    hit = gene_table().resolve(query)
    assert isinstance(hit, GeneMatch)
    assert hit.symbol == symbol
    ds = gene_task(pl.DataFrame({"g": [query], "y": ["yes"]}), gene="g", target="y", labels=["yes", "no"])
    assert ds.frame["entity"].to_list() == [symbol]
    assert ds.card.n_quarantined == 0


@pytest.mark.parametrize("symbol", ["ZFP41", "ZNF763"])
def test_bundled_genes_with_two_ensembl_ids_are_one_row(symbol: str) -> None:
    ids = gene_table().ensembl_ids_of(symbol)
    assert len(ids) == 2
    ds = load_task("genes/dosage_sensitive_tfs")
    rows = ds.frame.filter(pl.col("symbol") == symbol)
    assert rows.height == 1
    assert sorted(rows["ensembl_ids"].item().split("|")) == sorted(ids)
    assert ds.frame["symbol"].is_duplicated().sum() == 0
    assert any(symbol in n and "merged" in n for n in ds.card.notes)


def test_gene_task_conflicts_and_accounting(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "genes.tsv"
    pl.DataFrame(
        {
            "gene": ["TP53", "tp53", "GATA4", "ENSG00000136574", "NOPE1", "MYC", "SOX2"],
            "cls": ["s", "s", "s", "i", "s", "", "i"],
        }
    ).write_csv(path, separator="\t")
    ds = gene_task(
        path, gene="gene", target="cls", labels={"s": "sensitive", "i": "insensitive"}, duplicates="drop", name="user/g"
    )
    assert ds.frame["symbol"].to_list() == ["TP53", "SOX2"]
    reasons = {q.row: q.reason for q in ds.card.quarantined}
    assert reasons[1].startswith("duplicate of 'ENSG00000141510'")
    assert "conflicting labels" in reasons[2]
    assert "conflicting labels" in reasons[3]
    assert reasons[4].startswith("unknown gene 'NOPE1'")
    assert reasons[5] == "missing target"
    assert ds.card.n_rows_in == 7 == len(ds) + ds.card.n_quarantined
    ex = next(ds.examples())
    assert ex.messages[1]["content"] == "Gene: TP53 (Ensembl ID ENSG00000141510)"


def test_gene_task_errors(tmp_path: pathlib.Path) -> None:
    df = pl.DataFrame({"Symbol": ["TP53"], "label": ["x"]})
    with pytest.raises(DatasetError, match=r"column 'symbol' \(parameter gene=\).*did you mean 'Symbol'"):
        gene_task(df)
    with pytest.raises(DatasetError, match=r"unknown kind"):
        gene_task(df, gene="Symbol", kind="bin")


def test_gene_scaffold_split_is_refused() -> None:
    from biorft.datasets import load_task

    with pytest.raises(DatasetError, match="needs a 'scaffold' column"):
        load_task("genes/dosage_sensitive_tfs").split("scaffold")
