"""Bundled gene tasks: canonical split pins, reference rows, cross-task conflicts, and the vendored gene table."""

from __future__ import annotations

import gzip
import pathlib

import polars as pl
import pytest

from biorft.datasets import GeneTable, load_task
from biorft.datasets._gene_sources import build_gene_table
from biorft.errors import DatasetError

GENE_TASKS = ("genes/dosage_sensitive_tfs", "genes/bivalent_vs_no_methylation", "genes/bivalent_vs_lys4_only")


@pytest.mark.parametrize("task", GENE_TASKS)
def test_card_pins_the_family_split(task: str) -> None:
    ds = load_task(task)
    pin = ds.card.splits
    assert pin is not None
    assert (pin.method, pin.seed, pin.fractions) == ("family", 0, (0.8, 0.1, 0.1))
    again = ds.split(pin.method, pin.fractions, pin.seed)
    assert again.stats.checksums == pin.checksums
    again.check_leakage()
    assert ds.spec.version == "2.0.0"


@pytest.mark.parametrize("task", GENE_TASKS)
def test_card_carries_the_geneformer_reference(task: str) -> None:
    refs = load_task(task).card.references
    assert [r.model for r in refs] == ["Geneformer"]
    ref = refs[0]
    assert ref.metric == "auroc"
    assert "Theodoris" in ref.citation
    assert "5-fold" in ref.protocol
    if task == "genes/dosage_sensitive_tfs":
        assert ref.value == 0.91
    else:  # no number in text form: none is invented, and the card says so
        assert ref.value is None
        assert "no published number" in ref.note


def test_cross_task_label_conflicts_are_listed_with_the_reason() -> None:
    no_meth = load_task("genes/bivalent_vs_no_methylation")
    lys4 = load_task("genes/bivalent_vs_lys4_only")
    a = dict(zip(no_meth.frame["symbol"].to_list(), no_meth.frame["target"].to_list(), strict=True))
    b = dict(zip(lys4.frame["symbol"].to_list(), lys4.frame["target"].to_list(), strict=True))
    clash = sorted(g for g in a.keys() & b.keys() if {a[g], b[g]} == {"non-methylated", "lys4-only"})
    assert clash == ["EYA1", "MITF", "TCF12"]
    for ds in (no_meth, lys4):
        note = next(n for n in ds.card.notes if "contradict another bundled task" in n)
        assert all(g in note for g in clash)
        assert "exclude each other" in note
    assert not any("contradict" in n for n in load_task("genes/dosage_sensitive_tfs").card.notes)


def _gz_csv(path: pathlib.Path, text: str) -> pathlib.Path:
    path.write_bytes(gzip.compress(text.encode()))
    return path


def test_build_gene_table_joins_current_symbols_and_aliases(tmp_path: pathlib.Path) -> None:
    info = tmp_path / "gene_info_table.csv"
    info.write_text(
        ",ensembl_id,gene_name,gene_type\n"
        "0,ENSG00000122545,SEPT7,protein_coding\n"
        "1,ENSG00000264668,ZFP41,protein_coding\n"
        "2,ENSG00000181638,ZFP41,protein_coding\n"
        "3,ENSG00000000001,LINC1,lncRNA\n"
        "4,ENSG00000000002,LINC2,lncRNA\n"
    )
    space = _gz_csv(
        tmp_path / "canonical-gene-space.csv.gz",
        "ensembl_gene_id,symbol,biotype,seqname,ensembl_release\n"
        "ENSG00000122545,SEPTIN7,protein_coding,7,115\n"
        "ENSG00000181638,ZFP41,protein_coding,8,115\n"
        "ENSG00000264668,,protein_coding,8,115\n"
        "ENSG00000999999,NEWGENE,protein_coding,1,115\n",
    )
    syn = _gz_csv(
        tmp_path / "ncbi-symbol-synonyms.csv.gz", "alias,official_symbol\nCDC10,SEPTIN7\nNA,ZFP41\nzfp-41,ZFP41\n"
    )
    table = build_gene_table(info, space, syn, ["ENSG00000000002"], verify=False)
    rows = {r["ensembl_id"]: r for r in table.iter_rows(named=True)}
    assert set(rows) == {"ENSG00000122545", "ENSG00000264668", "ENSG00000181638", "ENSG00000000002", "ENSG00000999999"}
    assert rows["ENSG00000122545"]["symbol"] == "SEPTIN7"
    assert rows["ENSG00000122545"]["aliases"] == "CDC10|SEPT7"  # NCBI synonym + the Geneformer-era symbol
    assert rows["ENSG00000264668"]["symbol"] == "ZFP41"
    assert not rows["ENSG00000264668"]["primary"]
    assert rows["ENSG00000181638"]["primary"]
    assert rows["ENSG00000181638"]["aliases"] == "NA|zfp-41"
    t = GeneTable(table)
    assert t.resolve("sept7").symbol == "SEPTIN7"  # type: ignore[union-attr]
    assert t.resolve("ENSG00000264668").ensembl_id == "ENSG00000181638"  # type: ignore[union-attr]
    with pytest.raises(DatasetError, match="differs from the pinned"):
        build_gene_table(info, space, syn)


def test_bundled_gene_table_is_pinned_in_the_index() -> None:
    import json
    from importlib import resources

    from biorft.datasets._curate import sha256_file

    data = pathlib.Path(str(resources.files("biorft.datasets").joinpath("data")))
    index = json.loads((data / "index.json").read_text())
    assert sha256_file(data / index["gene_table"]["file"]) == index["gene_table"]["sha256"]
    table = pl.read_parquet(data / index["gene_table"]["file"])
    assert table.columns == ["ensembl_id", "symbol", "gene_type", "aliases", "primary"]
    notice = (data / "NOTICE").read_text()
    assert "oncoref" in notice
    assert "NCBI" in notice
    assert "Ensembl" in notice
