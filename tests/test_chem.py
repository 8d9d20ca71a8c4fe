from __future__ import annotations

import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft import chem


@pytest.mark.parametrize(
    ("smiles", "expected"),
    [
        ("CC(=O)[O-].[Na+]", "CC(=O)O"),  # salt: counter-ion dropped, acid neutralised
        ("C[NH3+].[Cl-]", "CN"),
        ("OCC", "CCO"),
        ("c1ccccc1O.O.O", "Oc1ccccc1"),  # hydrate water dropped
        ("C[N+](C)(C)C", "C[N+](C)(C)C"),  # quaternary ammonium has no neutral form: kept
    ],
)
def test_standardize_smiles(smiles: str, expected: str) -> None:
    rec = chem.standardize_smiles(smiles)
    assert isinstance(rec, chem.StandardizedMolecule)
    assert rec.smiles == expected
    assert len(rec.inchikey) == 27
    assert rec.inchikey == chem.inchikey(chem.parse(expected))


@pytest.mark.parametrize("bad", ["", "   ", "C1CC", "not smiles", "C(C)(C)(C)(C)C", "[Xx]"])
def test_bad_smiles_never_raise(bad: str) -> None:
    assert chem.parse(bad) is None
    res = chem.standardize_smiles(bad)
    assert isinstance(res, chem.StandardizeFailure)
    assert res.reason


def test_parse_rejects_non_strings() -> None:
    assert chem.parse(None) is None  # type: ignore[arg-type]
    assert isinstance(chem.standardize_smiles(3), chem.StandardizeFailure)  # type: ignore[arg-type]


def test_scaffold() -> None:
    assert chem.murcko_scaffold(chem.parse("CCCc1ccc(CC2CC2)cc1")) == "c1ccc(CC2CC2)cc1"
    assert chem.murcko_scaffold(chem.parse("CCCCO")) == ""


def test_rdkit_log_is_silenced(capfd: pytest.CaptureFixture[str]) -> None:
    chem.parse("C1CC")
    chem.standardize_smiles("C(C)(C)(C)(C)C")
    captured = capfd.readouterr()
    assert "SMILES Parse Error" not in captured.err + captured.out
    assert "Explicit valence" not in captured.err + captured.out


def test_standardize_many_parallel_matches_serial() -> None:
    smiles = ["CCO", "C1CC", "c1ccccc1C(=O)O", "[Na+].[Cl-]", "CCN(CC)CC"] * 3
    serial = list(chem.standardize_many(smiles, n_jobs=1))
    parallel = list(chem.standardize_many(smiles, n_jobs=2, chunk_size=4))
    assert serial == parallel
    assert len(serial) == len(smiles)


def test_read_sdf_keeps_bad_records(tmp_path: pathlib.Path) -> None:
    from rdkit import Chem

    path = tmp_path / "x.sdf"
    writer = Chem.SDWriter(str(path))
    for smi, y in [("CCO", "1"), ("c1ccccc1", "0")]:
        m = Chem.MolFromSmiles(smi)
        m.SetProp("y", y)
        writer.write(m)
    writer.close()
    bad = Chem.MolFromSmiles("C(C)(C)(C)(C)C", sanitize=False)  # pentavalent carbon: fails sanitisation
    path.write_text(path.read_text() + Chem.MolToMolBlock(bad) + "$$$$\n")
    rows = chem.read_sdf(str(path))
    assert [r["smiles"] for r in rows[:2]] == ["CCO", "c1ccccc1"]
    assert rows[0]["y"] == "1"
    assert len(rows) == 3
    assert rows[2]["smiles"] == ""
    assert rows[2]["_sdf_error"]


@given(st.sampled_from(["CCO", "c1ccccc1", "CC(=O)Nc1ccc(O)cc1", "C1CCNCC1", "CC(C)Cc1ccc(C(C)C(=O)O)cc1"]))
def test_canonical_smiles_is_a_fixed_point(smiles: str) -> None:
    first = chem.standardize_smiles(smiles)
    assert isinstance(first, chem.StandardizedMolecule)
    again = chem.standardize_smiles(first.smiles)
    assert again == first


def test_standardize_many_falls_back_when_workers_cannot_start() -> None:
    """A script read from stdin cannot be re-imported by spawned workers: finish serially, never hang."""
    import subprocess
    import sys

    script = "from biorft.chem import standardize_many\nprint(len(list(standardize_many(['CCO'] * 5000, n_jobs=2))))\n"
    proc = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.strip() == "5000"
