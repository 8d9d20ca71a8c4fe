from __future__ import annotations

import hashlib
from importlib import resources

import polars as pl
import pytest

import biorft as br
from biorft.datasets import _registry, list_tasks, load_task, molecule_task, register_task, unregister_task
from biorft.errors import DatasetError
from biorft.schema import TaskKind

BUNDLED = {
    "genes/dosage_sensitive_tfs": "binary",
    "genes/bivalent_vs_no_methylation": "binary",
    "genes/bivalent_vs_lys4_only": "binary",
    "molecules/bbb_b3db": "binary",
    "molecules/solubility_aqsoldb": "regression",
    "molecules/tox21": "multilabel",
}


def test_list_tasks_lists_bundled_with_size_kind_licence() -> None:
    infos = {i.name: i for i in list_tasks()}
    assert set(BUNDLED) <= set(infos)
    for name, kind in BUNDLED.items():
        info = infos[name]
        assert info.kind.value == kind
        assert info.size == len(load_task(name)) > 100
        assert info.licence == load_task(name).card.licence
    assert infos["molecules/bbb_b3db"].licence == "CC0-1.0"
    assert infos["genes/dosage_sensitive_tfs"].licence == "Apache-2.0"


def test_top_level_names() -> None:
    assert br.load_task is load_task
    assert br.TaskDataset is br.datasets.TaskDataset


@pytest.mark.parametrize("name", list(BUNDLED))
def test_bundled_cards_account_for_every_row(name: str) -> None:
    ds = load_task(name)
    card = ds.card
    assert card.n_rows_in == card.n_kept + card.n_quarantined
    assert card.n_kept == len(ds)
    assert all(q.reason for q in card.quarantined)
    assert card.sources
    assert all(s.sha256 and s.citation for s in card.sources)
    data = resources.files("biorft.datasets").joinpath("data")
    for rel, sha in card.checksums.items():
        node = data
        for part in rel.split("/"):
            node = node.joinpath(part)
        assert hashlib.sha256(node.read_bytes()).hexdigest() == sha
    assert ds.frame["id"].n_unique() == len(ds)
    key = "inchikey" if name.startswith("molecules") else "ensembl_id"
    assert ds.frame[key].n_unique() == len(ds), "duplicates survived curation"


def test_dosage_task_counts_and_symbols() -> None:
    ds = load_task("genes/dosage_sensitive_tfs")
    assert ds.label_counts() == {"dosage-sensitive": 122, "dosage-insensitive": 366}
    assert ds.spec.positive_label == "dosage-sensitive"
    assert "sensitive" in ds.spec.label_synonyms["dosage-sensitive"]
    assert ds.frame["ensembl_id"].str.starts_with("ENSG").all()
    assert not ds.frame["symbol"].str.starts_with("ENSG").any()
    ex = next(ds.examples())
    assert ex.example.entity in ex.messages[1]["content"]
    assert ex.example.inputs["ensembl_id"] in ex.messages[1]["content"]


def test_bivalent_duplicates_and_conflicts_reported() -> None:
    ds = load_task("genes/bivalent_vs_no_methylation")
    reasons = [q.reason for q in ds.card.quarantined]
    merged = [r for r in reasons if r.startswith("duplicate of")]
    conflicts = [r for r in reasons if r.startswith("conflicting labels")]
    assert len(merged) >= 11  # the bivalent list has 107 lines but 96 unique IDs
    assert conflicts, "genes listed in both classes must be quarantined"
    conflicted = {q.value for q in ds.card.quarantined if q.reason.startswith("conflicting")}
    assert not conflicted & set(ds.frame["ensembl_id"].to_list())


def test_tox21_missing_is_not_negative() -> None:
    ds = load_task("molecules/tox21")
    assert ds.spec.kind is TaskKind.MULTILABEL
    assert len(ds.spec.labels) == 12
    partial = 0
    for row in ds.frame.head(500).iter_rows(named=True):
        assert set(row["target"]) <= set(row["known_labels"])
        partial += len(row["known_labels"]) < 12
    assert partial > 0
    ex = next(e for e in ds.examples() if len(e.item["known_labels"]) < 12)
    assert set(ex.item["target"]) <= set(ex.item["known_labels"])


def test_b3db_rejected_smiles_are_quarantined() -> None:
    card = load_task("molecules/bbb_b3db").card
    assert any(q.reason.startswith("invalid SMILES") for q in card.quarantined)
    assert load_task("molecules/bbb_b3db").spec.labels == ("BBB+", "BBB-")


def test_aqsoldb_salts_quarantined_and_units() -> None:
    ds = load_task("molecules/solubility_aqsoldb")
    assert ds.spec.units == "log10(mol/L)"
    assert ds.spec.tolerance == 0.5
    assert any("salt or mixture" in q.reason for q in ds.card.quarantined)
    assert not ds.frame["smiles"].str.contains(".", literal=True).any()
    lo, hi = ds.spec.value_range or (0, 0)
    assert ds.frame["target"].min() >= lo
    assert ds.frame["target"].max() <= hi


def test_unknown_task_did_you_mean() -> None:
    with pytest.raises(DatasetError, match=r"unknown task 'molecules/bbb'.*did you mean 'molecules/bbb_b3db'"):
        load_task("molecules/bbb")


def test_unknown_version_lists_available() -> None:
    with pytest.raises(DatasetError, match=r"no version '9.9.9'; available: \['2.0.0'\]"):
        load_task("molecules/tox21", "9.9.9")


def test_load_is_cached() -> None:
    assert load_task("molecules/tox21") is load_task("molecules/tox21", "2.0.0")


def test_damaged_bundled_file_is_detected() -> None:
    entry = dict(next(e for e in _registry._index()["tasks"] if e["name"] == "molecules/tox21"))
    entry["sha256"] = "0" * 64
    with pytest.raises(DatasetError, match="reinstall biorft"):
        _registry._load_bundled(entry)


def test_register_user_task_and_loader() -> None:
    ds = molecule_task(pl.DataFrame({"smiles": ["CCO", "CCN", "CCC"], "y": [1, 0, 1]}), name="user/reg-test")
    try:
        info = register_task(ds)
        assert info.size == 3
        assert info.kind is TaskKind.BINARY
        assert load_task("user/reg-test") is ds
        assert "user/reg-test" in {i.name for i in list_tasks()}
        with pytest.raises(DatasetError, match="already registered"):
            register_task(ds)
        calls = []

        def loader() -> br.TaskDataset:
            calls.append(1)
            return ds

        register_task(loader, name="user/reg-test", version="2.0.0")
        assert not calls
        assert load_task("user/reg-test") is ds  # newest version: 2.0.0, built lazily
        assert calls == [1]
        with pytest.raises(DatasetError, match="name= and version="):
            register_task(loader)
        with pytest.raises(DatasetError, match="already registered"):
            register_task(ds, name="molecules/tox21", version=load_task("molecules/tox21").spec.version)
    finally:
        unregister_task("user/reg-test")
    with pytest.raises(DatasetError, match="unknown task"):
        load_task("user/reg-test")
