"""Re-running the curation script reproduces the bundled files."""

from __future__ import annotations

import json
import pathlib
from importlib import resources

import polars as pl

from biorft.chem import rdkit_version
from biorft.datasets._curate import curate, sha256_file

DATA = pathlib.Path(str(resources.files("biorft.datasets").joinpath("data")))
# columns that do not depend on the RDKit release (canonical SMILES and scaffolds may change between releases)
STABLE = ("id", "target", "inchikey", "ensembl_id", "symbol", "known_labels")


def test_curation_reproduces_bundled_files(shared_data: pathlib.Path, tmp_path: pathlib.Path) -> None:
    written = curate(shared_data, tmp_path, n_jobs=None)
    index = json.loads((DATA / "index.json").read_text())
    same_tools = index["curated_with"] == {"rdkit": rdkit_version(), "polars": pl.__version__}
    assert set(written) == {"index.json", index["gene_table"]["file"]} | {
        f for e in index["tasks"] for f in (e["file"], e["card"])
    }
    for rel in written:
        assert (DATA / rel).is_file(), f"{rel} is not bundled"
        if same_tools:
            assert written[rel] == sha256_file(DATA / rel), f"{rel} differs from the bundled file"
    for entry in index["tasks"]:
        new = pl.read_parquet(tmp_path / entry["file"])
        old = pl.read_parquet(DATA / entry["file"])
        assert new.columns == old.columns
        cols = [c for c in new.columns if c in STABLE] if not same_tools else new.columns
        assert new.select(cols).equals(old.select(cols)), entry["name"]
        assert sha256_file(DATA / entry["file"]) == entry["sha256"]


def test_curation_reads_only_vendorable_sources() -> None:
    from biorft.datasets._curate import SOURCES

    assert not any("moleculenet" in rel for rel in SOURCES.values())
    notice = (DATA / "NOTICE").read_text()
    for word in ("Apache License 2.0", "CC0", "public domain", "Theodoris", "Meng", "Sorkun", "Tox21"):
        assert word in notice
