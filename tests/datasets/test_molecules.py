from __future__ import annotations

import pathlib

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft.datasets import molecule_task
from biorft.errors import DatasetError
from biorft.schema import TaskKind

ROWS = {
    "smiles": ["CCO", "OCC", "c1ccccc1O", "C1CC", "CC(=O)[O-].[Na+]", "CC(=O)O", "CCN", ""],
    "y": ["1", "1", "0", "1", "0", "1", "", "1"],
    "name": ["ethanol", "ethanol again", "phenol", "broken", "sodium acetate", "acetic acid", "ethylamine", "empty"],
}


def test_quarantine_reasons_and_accounting() -> None:
    ds = molecule_task(
        pl.DataFrame(ROWS), target="y", labels={1: "active", 0: "inactive"}, name="user/t", duplicates="drop"
    )
    card = ds.card
    assert card.n_rows_in == 8 == len(ds) + card.n_quarantined
    reasons = {q.row: q.reason for q in card.quarantined}
    assert reasons[1].startswith("duplicate of 'LFQSCWFLJHTTHZ-UHFFFAOYSA-N'")
    assert reasons[3] == "invalid SMILES: RDKit cannot parse the SMILES"
    assert "conflicting labels" in reasons[4]
    assert "conflicting labels" in reasons[5]
    assert reasons[6] == "missing target"
    assert reasons[7] == "invalid SMILES: empty SMILES"
    assert ds.frame["entity"].to_list() == ["CCO", "Oc1ccccc1"]
    assert set(ds.frame.columns) >= {"id", "entity", "target", "smiles", "inchikey", "scaffold"}


def test_majority_policy_and_ties() -> None:
    df = pl.DataFrame({"smiles": ["CCO", "OCC", "C(O)C", "CCN", "NCC"], "y": ["a", "b", "a", "a", "b"]})
    ds = molecule_task(df, target="y", kind="binary", name="user/t", duplicates="majority")
    assert ds.frame["target"].to_list() == ["a"]  # ethanol: 2 a vs 1 b; ethylamine: 1-1 tie -> dropped
    reasons = [q.reason for q in ds.card.quarantined]
    assert sum("majority 'a' kept" in r for r in reasons) == 2
    assert sum("majority tie" in r for r in reasons) == 2


def test_error_policy_names_rows() -> None:
    df = pl.DataFrame({"smiles": ["CCO", "OCC"], "y": ["a", "b"]})
    with pytest.raises(DatasetError, match=r"rows \[0, 1\] share InChIKey LFQSCWFLJHTTHZ-UHFFFAOYSA-N"):
        molecule_task(df, target="y", labels=["a", "b"], name="user/t", duplicates="error")


def test_regression_policies() -> None:
    df = pl.DataFrame({"smiles": ["CCO", "OCC", "OCC", "CCN", "NCC"], "y": [1.0, 2.0, 6.0, 0.5, 0.6]})
    mean = molecule_task(df, target="y", kind="regression", name="user/r", duplicates="mean")
    assert mean.frame["target"].to_list() == [3.0, 0.55]
    median = molecule_task(df, target="y", kind="regression", name="user/r", duplicates="majority")
    assert median.frame["target"].to_list() == [2.0, 0.55]
    drop = molecule_task(df, target="y", kind="regression", name="user/r", duplicates="drop", tolerance=0.5)
    assert drop.frame["target"].to_list() == [0.55]  # ethanol's spread 5 > 0.5 dropped; 0.1 kept, averaged
    assert drop.card.n_quarantined == 4
    with pytest.raises(DatasetError, match="differ by 5"):
        molecule_task(df, target="y", kind="regression", name="user/r", duplicates="error", tolerance=0.5)
    with pytest.raises(DatasetError, match="only applies to regression"):
        molecule_task(df, target="y", kind="binary", name="user/r", duplicates="mean")


def test_multilabel_missing_is_unknown_and_merge() -> None:
    df = pl.DataFrame(
        {
            "smiles": ["CCO", "OCC", "CCN", "c1ccccc1", "CCCl"],
            "A": ["1", "", "0", "", ""],
            "B": ["", "0", "1", "1", ""],
            "C": ["0", "1", "", "0", ""],
        }
    )
    ds = molecule_task(df, target=["A", "B", "C"], kind="multilabel", name="user/ml")
    rows = {r["entity"]: r for r in ds.frame.iter_rows(named=True)}
    assert rows["CCO"]["target"] == ["A"]
    # ethanol rows: A=1 (row 0), B=0 (row 1), C conflict 0 vs 1 -> majority tie -> unmeasured
    assert rows["CCO"]["known_labels"] == ["A", "B"]
    assert rows["CCN"]["target"] == ["B"]
    assert rows["CCN"]["known_labels"] == ["A", "B"]
    assert rows["c1ccccc1"]["known_labels"] == ["B", "C"]
    reasons = {q.row: q.reason for q in ds.card.quarantined}
    assert reasons[4] == "no label measured (every target column is blank)"
    assert "ties ['C'] left unmeasured" in reasons[1]
    item = next(e.item for e in ds.examples() if e.example.entity == "CCN")
    assert item["known_labels"] == ["A", "B"]
    assert item["target"] == ["B"]


def test_multilabel_rejects_non_binary_cells() -> None:
    df = pl.DataFrame({"smiles": ["CCO"], "A": ["maybe"]})
    ds = molecule_task(df, target=["A"], kind="multilabel", name="user/ml")
    assert ds.card.quarantined[0].reason.startswith("target column 'A': value 'maybe'")


def test_mixtures_quarantine() -> None:
    df = pl.DataFrame({"smiles": ["CC(=O)[O-].[Na+]", "CCO"], "y": [0.1, 0.2]})
    ds = molecule_task(df, target="y", kind="regression", name="user/r", mixtures="quarantine")
    assert len(ds) == 1
    assert "salt or mixture" in ds.card.quarantined[0].reason


def test_inferred_yes_no_labels() -> None:
    ds = molecule_task(
        pl.DataFrame({"smiles": ["CCO", "CCN"], "active": [True, False]}), target="active", name="user/t"
    )
    assert ds.spec.labels == ("yes", "no")
    assert ds.spec.positive_label == "yes"
    assert any("'yes' / 'no'" in n for n in ds.card.notes)


def test_unknown_label_quarantined_with_hint() -> None:
    ds = molecule_task(
        pl.DataFrame({"smiles": ["CCO", "CCN"], "y": ["BBB+", "BBB +"]}),
        target="y",
        labels=["BBB+", "BBB-"],
        name="user/t",
    )
    assert "is not one of the labels" in ds.card.quarantined[0].reason


def test_duplicate_user_ids() -> None:
    df = pl.DataFrame({"id": ["x", "x", None], "smiles": ["CCO", "CCN", "CCC"], "y": [1, 0, 1]})
    ds = molecule_task(df, target="y", id="id", name="user/t")
    assert ds.frame["id"].to_list() == ["x"]
    reasons = sorted(q.reason for q in ds.card.quarantined)
    assert reasons[0].startswith("duplicate id 'x'")
    assert reasons[1] == "missing id in column 'id'"


def _write_all(tmp: pathlib.Path) -> dict[str, pathlib.Path]:
    from rdkit import Chem

    df = pl.DataFrame({"SMILES": ["CCO", "c1ccccc1O", "CCN"], "logS": ["0.5", "-0.1", "1.2"]})
    paths = {"csv": tmp / "d.csv", "tsv": tmp / "d.tsv", "parquet": tmp / "d.parquet", "sdf": tmp / "d.sdf"}
    df.write_csv(paths["csv"])
    df.write_csv(paths["tsv"], separator="\t")
    df.write_parquet(paths["parquet"])
    w = Chem.SDWriter(str(paths["sdf"]))
    for smi, y in df.iter_rows():
        m = Chem.MolFromSmiles(smi)
        m.SetProp("logS", y)
        w.write(m)
    w.close()
    return paths


def test_every_file_format_gives_the_same_frame(tmp_path: pathlib.Path) -> None:
    paths = _write_all(tmp_path)
    frames = []
    for kind, path in paths.items():
        col = "smiles" if kind == "sdf" else "SMILES"
        ds = molecule_task(path, smiles=col, target="logS", kind="regression", name="user/r")
        frames.append(ds.frame)
        assert ds.card.sources[0].file == str(path)
    for f in frames[1:]:
        assert f.equals(frames[0])


def test_missing_column_did_you_mean(tmp_path: pathlib.Path) -> None:
    path = _write_all(tmp_path)["csv"]
    with pytest.raises(
        DatasetError,
        match=r"column 'smiles' \(parameter smiles=\) not found in .*d.csv "
        r"\(did you mean 'SMILES'\?\)",
    ):
        molecule_task(path, target="logS", kind="regression")
    with pytest.raises(DatasetError, match=r"column 'logs'.*did you mean 'logS'"):
        molecule_task(path, smiles="SMILES", target="logs", kind="regression")


def test_unreadable_files(tmp_path: pathlib.Path) -> None:
    with pytest.raises(DatasetError, match=r"does not exist"):
        molecule_task(tmp_path / "nope.csv")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(DatasetError, match=r"cannot read .*bad.parquet"):
        molecule_task(bad)
    odd = tmp_path / "data.xlsx"
    odd.write_bytes(b"x")
    with pytest.raises(DatasetError, match=r"unknown file type '.xlsx'"):
        molecule_task(odd)


def test_bad_parameters() -> None:
    df = pl.DataFrame({"smiles": ["CCO"], "y": [1]})
    with pytest.raises(DatasetError, match=r"unknown kind 'binay' \(did you mean 'binary'\?\)"):
        molecule_task(df, kind="binay")
    with pytest.raises(DatasetError, match=r"unknown duplicates policy 'majorty' \(did you mean 'majority'\?\)"):
        molecule_task(df, duplicates="majorty")
    with pytest.raises(DatasetError, match="binary task needs exactly 2 labels"):
        molecule_task(pl.DataFrame({"smiles": ["C", "CC", "CCC"], "y": ["a", "b", "c"]}))


POOL = ["CCO", "OCC", "CCN", "c1ccccc1", "C1CC", "CC(=O)O", "CC(=O)[O-].[Na+]", "", "C1CCCCC1", "NCC"]


@given(
    st.lists(st.tuples(st.sampled_from(POOL), st.sampled_from(["a", "b", "", "zzz"])), min_size=1, max_size=30),
    st.sampled_from(["drop", "majority"]),
)
def test_rows_in_equals_kept_plus_quarantined(rows: list[tuple[str, str]], policy: str) -> None:
    df = pl.DataFrame({"smiles": [r[0] for r in rows], "y": [r[1] for r in rows]})
    ds = molecule_task(df, target="y", labels=["a", "b"], duplicates=policy, name="user/h")
    card = ds.card
    assert card.n_rows_in == len(rows) == len(ds) + card.n_quarantined
    assert len({q.row for q in card.quarantined}) == card.n_quarantined  # each row accounted for once
    assert ds.frame["inchikey"].n_unique() == len(ds)
    assert ds.spec.kind is TaskKind.BINARY
