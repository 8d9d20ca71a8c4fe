"""Geneformer's long- vs short-range TFs and N1 targets as optional downloads, served by a local HTTP server."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fakes.file_server import FileServer, data_mirror

import biorft as br
from biorft.datasets import _registry, gene_table
from biorft.datasets._geneformer import geneformer_task_names, load_geneformer
from biorft.errors import DatasetError, DownloadError

TABLE = gene_table().frame
IDS = TABLE["ensembl_id"].to_list()
LONG, SHORT = IDS[100:130], IDS[200:260]
TF_RANGE = pickle.dumps({"long_range": [*LONG, "ENSG99999999999"], "short_range": [*SHORT, LONG[0]]})
N1 = pickle.dumps({"N1_targets": IDS[300:340], "non_targets": IDS[400:470]})


class Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned > /tmp/biorft-pwned",))


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    for name in geneformer_task_names():
        _registry._CACHE.pop((name, "1.0.0"), None)
    files = {"/geneformer/tf_regulatory_range.pickle": TF_RANGE, "/geneformer/n1_target.pickle": N1}
    with data_mirror(files, tmp_path / "data", monkeypatch) as srv:
        yield srv
    for name in geneformer_task_names():
        _registry._CACHE.pop((name, "1.0.0"), None)


def test_tf_regulatory_range_downloads_once_and_builds_a_carded_gene_task(server: FileServer) -> None:
    ds = br.load_task("genes/tf_regulatory_range")
    assert ds.spec.labels == ("long-range", "short-range")
    assert ds.card.n_rows_in == len(LONG) + 1 + len(SHORT) + 1
    assert ds.card.n_rows_in == len(ds) + ds.card.n_quarantined
    reasons = " | ".join(q.reason for q in ds.card.quarantined)
    assert "ENSG99999999999" in reasons  # unknown ID: quarantined, not dropped
    assert LONG[0] not in ds.frame["ensembl_id"].to_list()  # in both classes: a conflict, removed
    assert ds.card.licence == "Apache-2.0"
    assert ds.card.sources[0].sha256 == ds.card.checksums["geneformer/tf_regulatory_range.pickle"]
    assert any("trusted on first use" in n for n in ds.card.notes)
    assert br.load_task("genes/tf_regulatory_range") is ds
    assert server.hits == {"/geneformer/tf_regulatory_range.pickle": 1}


def test_n1_targets_take_the_file_labels(server: FileServer) -> None:
    ds = load_geneformer("genes/notch1_targets")
    assert ds.spec.labels == ("n1-targets", "non-targets")
    assert ds.label_counts() == {"n1-targets": 40, "non-targets": 70}
    assert "n1-targets or non-targets" in ds.spec.instructions


def test_listed_without_download_and_offline_error(
    server: FileServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    names = {t.name for t in br.list_tasks(include_remote=True)}
    assert set(geneformer_task_names()) <= names
    assert server.hits == {}
    monkeypatch.setenv("BIORFT_OFFLINE", "1")
    with pytest.raises(DownloadError, match=r"tf_regulatory_range\.pickle"):
        load_geneformer("genes/tf_regulatory_range")


def test_tampered_file_and_code_carrying_pickles_are_refused(server: FileServer) -> None:
    ds = load_geneformer("genes/tf_regulatory_range")
    path = Path(os.environ["BIORFT_DATA_DIR"]) / "geneformer" / "tf_regulatory_range.pickle"
    path.write_bytes(pickle.dumps({"long_range": LONG, "short_range": SHORT}))
    with pytest.raises(DownloadError, match="recorded on first use"):
        load_geneformer("genes/tf_regulatory_range")
    assert len(ds) > 0
    server.files["/geneformer/n1_target.pickle"] = pickle.dumps(Evil())
    with pytest.raises(DatasetError, match=r"(posix|os|nt)\.system"):
        load_geneformer("genes/notch1_targets")
    assert not Path("/tmp/biorft-pwned").exists()
