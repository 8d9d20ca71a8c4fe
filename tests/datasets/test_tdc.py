"""TDC ADMET benchmark-group tasks, downloaded from a local HTTP server serving a TDC-shaped archive."""

from __future__ import annotations

import hashlib
import io
import math
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from rdkit import Chem
from rdkit.Chem.Scaffolds import MurckoScaffold
from tests.fakes.file_server import FileServer, data_mirror
from tests.fakes.tdc_archive import make_admet_archive

import biorft as br
from biorft.datasets import _registry
from biorft.datasets._tdc import TDC_DATASETS, TDCTask, load_tdc, tdc_scaffold_split, tdc_task_names
from biorft.errors import DatasetError, DownloadError

Rows = list[tuple[str, str, str]]


def _edit_caco2(train_val: Rows, test: Rows) -> None:
    train_val.append(("bad-1", "C1CC(", "-5.1"))  # invalid SMILES
    train_val.append(("dup-of-test", test[0][1], "-4.0"))  # a test molecule again in train_val
    train_val.append(("salt-of-test", test[1][1] + ".[Na+].[Cl-]", "-4.2"))  # its salt: same compound


def _edit_vdss(train_val: Rows, test: Rows) -> None:
    train_val.append(("zero", "CCCCCCCCO", "0.0"))  # log10 undefined


ARCHIVE = make_admet_archive(rows=60, edit={"caco2_wang": _edit_caco2, "vdss_lombardo": _edit_vdss})


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    for name in tdc_task_names():
        _registry._CACHE.pop((name, "1.0.0"), None)
    with data_mirror({"/tdc/admet_group.zip": ARCHIVE}, tmp_path / "data", monkeypatch) as srv:
        yield srv
    for name in tdc_task_names():
        _registry._CACHE.pop((name, "1.0.0"), None)


def _member(key: str, part: str) -> pl.DataFrame:
    with zipfile.ZipFile(io.BytesIO(ARCHIVE)) as z:
        return pl.read_csv(io.BytesIO(z.read(f"admet_group/{key}/{part}.csv")), infer_schema=False)


def test_every_benchmark_dataset_loads_with_tdc_metric_after_one_download(server: FileServer) -> None:
    metrics = {}
    for name in tdc_task_names():
        ds = br.load_task(name)
        assert isinstance(ds, TDCTask)
        assert ds.card.n_rows_in == len(ds) + ds.card.n_quarantined
        metrics[ds.tdc.tdc_name] = ds.spec.metadata["primary_metric"]
    assert server.hits["/tdc/admet_group.zip"] == 1
    assert len(metrics) == 22
    assert metrics["Caco2_Wang"] == "mae"
    assert metrics["VDss_Lombardo"] == "spearman"
    assert metrics["CYP2C9_Veith"] == "auprc"
    assert metrics["CYP3A4_Substrate_CarbonMangels"] == "auroc"
    assert br.load_task("tdc/Caco2_Wang") is br.load_task("tdc/caco2_wang")  # any case, cached per process


def test_card_records_archive_checksum_trust_and_sources(server: FileServer) -> None:
    ds = br.load_task("tdc/hERG")
    sha = hashlib.sha256(ARCHIVE).hexdigest()
    assert ds.card.checksums == {"tdc/admet_group.zip": sha}
    assert ds.card.sources[0].sha256 == sha
    assert "dataverse.harvard.edu/api/access/datafile/4426004" in (ds.card.sources[0].url or "")
    assert any("trusted on first use" in n and str(len(ARCHIVE)) in n for n in ds.card.notes)
    assert ds.card.splits is not None
    assert ds.card.splits.method == "tdc_benchmark"
    assert ds.card.splits.seed == 1
    assert ds.spec.labels == ("blocker", "non-blocker")
    assert set(ds.frame["target"].unique().to_list()) <= {"blocker", "non-blocker"}


def test_test_part_is_tdc_test_file_and_train_valid_follow_tdc_split(server: FileServer) -> None:
    ds = load_tdc("tdc/bbb_martins")
    test_rows = _member("bbb_martins", "test").height
    tv = _member("bbb_martins", "train_val")
    raw_scaffolds = []
    for smi in tv["Drug"].to_list():
        mol = Chem.MolFromSmiles(smi)
        raw_scaffolds.append(
            None if mol is None else MurckoScaffold.MurckoScaffoldSmiles(mol=mol, includeChirality=False)
        )
    splits = ds.benchmark_splits(5)
    assert [s.stats.seed for s in splits] == [1, 2, 3, 4, 5]
    kept_tv = set(ds.frame.filter(pl.col("_tdc_part") == "train_val")["id"].to_list())
    for s in splits:
        s.check_leakage()
        assert set(s.test.ids) == {f"test-{i}" for i in range(test_rows)} - {q.id for q in ds.card.quarantined}
        assert set(s.train.ids) | set(s.valid.ids) == kept_tv
        train, valid, _ = tdc_scaffold_split(raw_scaffolds, s.stats.seed or 0)
        assert set(s.train.ids) == {f"train_val-{i}" for i in train} & kept_tv
        assert set(s.valid.ids) == {f"train_val-{i}" for i in valid} & kept_tv
        assert not {ds.frame.filter(pl.col("id") == i)["scaffold"][0] for i in s.train.ids} & {
            ds.frame.filter(pl.col("id") == i)["scaffold"][0] for i in s.valid.ids
        }
    assert len({tuple(sorted(s.valid.ids)) for s in splits}) > 1  # seeds give different validation sets
    assert ds.split().stats.checksums == ds.card.splits.checksums  # type: ignore[union-attr]
    assert ds.split("random", seed=3).stats.method == "random"


def test_test_compounds_are_removed_from_train_valid(server: FileServer) -> None:
    ds = load_tdc("tdc/caco2_wang")
    reasons = {q.id: q.reason for q in ds.card.quarantined}
    n_tv = _member("caco2_wang", "train_val").height
    assert "invalid SMILES" in reasons[f"train_val-{n_tv - 3}"]
    assert "TDC's fixed test set" in reasons[f"train_val-{n_tv - 2}"]
    assert "TDC's fixed test set" in reasons[f"train_val-{n_tv - 1}"]  # the salt: same compound after standardising
    for s in ds.benchmark_splits([1, 2]):
        s.check_leakage()
        assert "test-0" in s.test.ids


def test_log10_targets_and_unloggable_values_quarantined(server: FileServer) -> None:
    ds = load_tdc("tdc/vdss_lombardo")
    raw = _member("vdss_lombardo", "test")
    first = ds.frame.filter(pl.col("id") == "test-0")["target"][0]
    assert math.isclose(first, math.log10(float(raw["Y"][0])))
    assert ds.spec.metadata["target_transform"] == "log10"
    assert any("log10 undefined" in q.reason for q in ds.card.quarantined)


def test_offline_error_names_url_and_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIORFT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BIORFT_OFFLINE", "1")
    monkeypatch.delenv("BIORFT_DATA_MIRROR", raising=False)
    with pytest.raises(DownloadError) as err:
        load_tdc("tdc/AMES")
    assert "https://dataverse.harvard.edu/api/access/datafile/4426004" in str(err.value)
    assert str(tmp_path / "tdc" / "admet_group.zip") in str(err.value)


def test_unknown_tdc_dataset_and_listing(server: FileServer) -> None:
    with pytest.raises(DatasetError, match="did you mean 'tdc/caco2_wang'"):
        br.load_task("tdc/caco2_wan")
    remote = [t for t in br.list_tasks(include_remote=True) if t.name.startswith("tdc/")]
    assert [t.name for t in remote] == sorted(tdc_task_names())
    assert not [t for t in br.list_tasks() if t.name.startswith("tdc/")]
    assert server.hits == {}  # listing downloads nothing
    assert len(TDC_DATASETS) == 22


def test_benchmark_splits_rejects_bad_seeds(server: FileServer) -> None:
    ds = load_tdc("tdc/dili")
    with pytest.raises(DatasetError):
        ds.benchmark_splits([])
    with pytest.raises(DatasetError):
        ds.benchmark_splits(True)


def test_every_tdc_task_has_leaderboard_and_classic_references_in_its_metric(server: FileServer) -> None:
    from biorft.datasets._references import references_for

    for d in TDC_DATASETS:
        refs = references_for(d.task_name)
        assert len(refs) == 2, d.task_name
        assert all(r.metric == d.metric and r.value is not None and r.sd is not None for r in refs)
        assert "rank 1" in refs[0].citation
    ds = load_tdc("tdc/ames")
    assert [r.model for r in ds.card.references] == [r.model for r in references_for("tdc/ames")]
    for name in ("molecules/bbb_b3db", "molecules/solubility_aqsoldb", "molecules/tox21"):
        assert all(r.value is None and r.note for r in references_for(name))  # none found: said so, not invented
