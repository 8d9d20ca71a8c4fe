"""The downloader against a real local HTTP server: cache, verification, trust on first use, offline errors."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from tests.fakes.file_server import serve_files

from biorft.datasets._fetch import RemoteFile, data_dir, fetch, local_path, verify
from biorft.errors import DatasetError, DownloadError

BODY = b"smiles,y\nCCO,1\nCCN,0\nc1ccccc1,1\n"
SHA = hashlib.sha256(BODY).hexdigest()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BIORFT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BIORFT_OFFLINE", raising=False)
    return tmp_path / "data"


def test_data_dir_env_and_platform_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BIORFT_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("BIORFT_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_dir().name == "biorft"


def test_download_once_then_cached_and_verified(cache: Path) -> None:
    with serve_files({"/f.csv": BODY}) as srv:
        remote = RemoteFile(name="t/f.csv", url=srv.url("/f.csv"), sha256=SHA, size=len(BODY), rows=3)
        got = fetch(remote)
        assert got.path == cache / "t" / "f.csv"
        assert got.path.read_bytes() == BODY
        assert (got.sha256, got.size, got.trust) == (SHA, len(BODY), "pinned")
        assert fetch(remote).path == got.path
        assert srv.hits["/f.csv"] == 1  # the second call used the cache
        assert srv.user_agents[0].startswith("biorft/")
    assert not list((cache / "t").glob("*.part"))  # no partial files left behind


def test_redirect_is_followed(cache: Path) -> None:
    with serve_files({"/f.csv": BODY}) as srv:
        got = fetch(RemoteFile(name="r.csv", url=srv.url("/redirect/f.csv"), sha256=SHA))
        assert got.path.read_bytes() == BODY


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("sha256", "0" * 64, "sha256"), ("size", 3, "more than the expected 3 bytes"), ("rows", 9, "3 data rows")],
)
def test_bad_download_is_rejected_and_not_kept(cache: Path, field: str, value: object, message: str) -> None:
    with serve_files({"/f.csv": BODY}) as srv:
        remote = RemoteFile(name="f.csv", url=srv.url("/f.csv"), **{field: value})  # type: ignore[arg-type]
        with pytest.raises(DownloadError, match=message) as err:
            fetch(remote)
    assert srv.url("/f.csv") in str(err.value)
    assert not local_path(remote).exists()
    assert not [p for p in cache.glob("*") if p.name.endswith(".part")]


def test_trust_on_first_use_records_and_then_enforces(cache: Path) -> None:
    with serve_files({"/f.csv": BODY}) as srv:
        remote = RemoteFile(name="f.csv", url=srv.url("/f.csv"))
        got = fetch(remote)
    assert got.trust == "first-use"
    record = cache / "f.csv.sha256"
    assert record.read_text().split()[:2] == [SHA, str(len(BODY))]
    got.path.write_bytes(BODY + b"tampered,1\n")
    with pytest.raises(DownloadError, match="recorded on first use"):
        verify(remote)


def test_offline_error_names_url_and_where_to_put_the_file(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = RemoteFile(name="tdc/x.zip", url="http://127.0.0.1:9/x.zip", sha256=SHA, description="the X file")
    monkeypatch.setenv("BIORFT_OFFLINE", "1")
    with pytest.raises(DownloadError) as err:
        fetch(remote)
    msg = str(err.value)
    assert "http://127.0.0.1:9/x.zip" in msg
    assert str(cache / "tdc" / "x.zip") in msg
    assert "BIORFT_DATA_DIR" in msg
    assert isinstance(err.value, DatasetError)
    monkeypatch.delenv("BIORFT_OFFLINE")
    with pytest.raises(DownloadError, match=re.escape("could not download the X file from http://127.0.0.1:9/x.zip")):
        fetch(remote)  # nothing listens on port 9: the network error becomes the same clear message
    # the file placed by hand is then used (and verified) without any network
    path = local_path(remote)
    assert not list(path.parent.iterdir())  # the failed download left nothing behind
    path.write_bytes(BODY)
    assert fetch(remote, download=False).sha256 == SHA


def test_server_error_is_a_download_error(cache: Path) -> None:
    with serve_files({"/f.csv": BODY}) as srv:
        srv.fail.add("/f.csv")
        with pytest.raises(DownloadError, match="503"):
            fetch(RemoteFile(name="f.csv", url=srv.url("/f.csv")))
