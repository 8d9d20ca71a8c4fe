"""Hostile input files and cells: quarantined with a reason, or one short error line naming the file."""

from __future__ import annotations

import pathlib
import time

import polars as pl
import pytest

from biorft.datasets import molecule_task
from biorft.datasets._molecules import MAX_SMILES_LENGTH
from biorft.errors import DatasetError


@pytest.mark.parametrize("smiles", ["CC O", "CC\nO", "CCN\tCl", "CC\x00O", "C\u00a0C", "CC\rO"])
def test_whitespace_and_control_characters_are_quarantined(smiles: str) -> None:
    ds = molecule_task(pl.DataFrame({"smiles": [smiles, "CCO"], "y": [1, 0]}), labels={1: "a", 0: "b"})
    assert ds.frame["entity"].to_list() == ["CCO"]
    (q,) = ds.card.quarantined
    assert q.row == 0
    assert "whitespace" in q.reason or "control character" in q.reason


def test_overlong_smiles_is_quarantined_without_parsing() -> None:
    huge = "C" * 1_000_000
    start = time.perf_counter()
    ds = molecule_task(pl.DataFrame({"smiles": [huge, "CCO"], "y": [1.0, 2.0]}), kind="regression")
    assert time.perf_counter() - start < 30  # parsing it would take far longer (InChI is quadratic)
    (q,) = ds.card.quarantined
    assert f"longer than the {MAX_SMILES_LENGTH} allowed" in q.reason
    assert q.value is not None
    assert len(q.value) < 300


@pytest.mark.parametrize("cells", [["1.0", "0.0"], ["1", "0"], [1, 0], [1.0, 0.0]])
def test_numeric_label_cells_map_to_integer_keys(cells: list[object]) -> None:
    df = pl.DataFrame({"smiles": ["CCO", "CCN"], "y": cells}, strict=False)
    ds = molecule_task(df, labels={1: "active", 0: "inactive"})
    assert ds.frame["target"].to_list() == ["active", "inactive"]


def _one_line(exc: pytest.ExceptionInfo[DatasetError], path: pathlib.Path) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    assert len(msg) < 300
    assert str(path) in msg
    return msg


def test_hostile_files(tmp_path: pathlib.Path) -> None:
    dup = tmp_path / "dup.csv"
    dup.write_text("smiles,y,y\nCCO,1,0\n")
    with pytest.raises(DatasetError) as err:
        molecule_task(dup)
    assert "column 'y' appears twice" in _one_line(err, dup)

    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 1000)
    with pytest.raises(DatasetError) as err:
        molecule_task(binary)
    assert "binary" in _one_line(err, binary)

    utf16 = tmp_path / "u16.csv"
    utf16.write_text("smiles,y\nCCO,1\n", encoding="utf-16")
    with pytest.raises(DatasetError) as err:
        molecule_task(utf16)
    assert "UTF-16" in _one_line(err, utf16)

    latin = tmp_path / "latin.csv"
    latin.write_bytes("smiles,y,name\nCCO,1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(DatasetError) as err:
        molecule_task(latin)
    assert "not UTF-8" in _one_line(err, latin)

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("smiles,y\nCCO,1\nCCN,0\nCCC,1,extra\n")
    with pytest.raises(DatasetError) as err:
        molecule_task(ragged)
    assert "line 4 has 3 fields but the header has 2" in _one_line(err, ragged)

    with pytest.raises(DatasetError) as err:
        molecule_task(tmp_path)
    assert "is a directory" in _one_line(err, tmp_path)
