from __future__ import annotations

import pathlib
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
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


# Stereoisomer pairs (enantiomers / cis-trans diastereomers) whose scaffolds keep stereo when asked to.
_STEREO_PAIRS = [
    ("N1([C@H]2CCC[C@H]2c2ccccc2)CCCC1", "N1([C@H]2CCC[C@@H]2c2ccccc2)CCCC1"),
    ("CN1CCC[C@H]1c1cccnc1", "CN1CCC[C@@H]1c1cccnc1"),  # nicotine and its enantiomer
    ("OC[C@H]1CCC[C@@H]2CCCC[C@H]12", "OC[C@H]1CCC[C@H]2CCCC[C@H]12"),
    ("c1ccccc1/C=C/c1ccncc1", "c1ccccc1/C=C\\c1ccncc1"),
]


@pytest.mark.parametrize(("a", "b"), _STEREO_PAIRS)
def test_stereoisomers_share_a_scaffold(a: str, b: str) -> None:
    ra, rb = chem.standardize_smiles(a), chem.standardize_smiles(b)
    assert isinstance(ra, chem.StandardizedMolecule)
    assert isinstance(rb, chem.StandardizedMolecule)
    assert ra.inchikey != rb.inchikey  # different compounds ...
    assert ra.scaffold == rb.scaffold != ""  # ... one stereo-free scaffold group, as in Chemprop / TDC / DeepChem
    assert "@" not in ra.scaffold
    assert "/" not in ra.scaffold
    assert "\\" not in ra.scaffold
    sa = chem.standardize_smiles(a, stereo_scaffold=True)
    sb = chem.standardize_smiles(b, stereo_scaffold=True)
    assert isinstance(sa, chem.StandardizedMolecule)
    assert isinstance(sb, chem.StandardizedMolecule)
    assert (sa.smiles, sa.inchikey) == (ra.smiles, ra.inchikey)
    assert sa.scaffold != sb.scaffold  # the opt-in stereo-aware scaffolds keep the stereoisomers apart
    assert chem.murcko_scaffold(chem.parse(a), stereo=True) == sa.scaffold
    assert chem.murcko_scaffold(chem.parse(a)) == ra.scaffold


def test_scaffold_matches_rdkit_murcko_scaffold_smiles() -> None:
    from rdkit.Chem.Scaffolds import MurckoScaffold

    for a, b in _STEREO_PAIRS:
        for s in (a, b, "CCO", "CC(=O)Nc1ccc(O)cc1"):
            mol = chem.parse(s)
            assert chem.murcko_scaffold(mol) == MurckoScaffold.MurckoScaffoldSmiles(mol=mol, includeChirality=False)


@settings(deadline=None)
@given(
    pairs=st.lists(st.sampled_from(range(len(_STEREO_PAIRS))), min_size=1, max_size=4, unique=True),
    method=st.sampled_from(["scaffold", "random_scaffold"]),
    seed=st.integers(0, 1000),
)
def test_stereoisomers_never_straddle_split_parts(pairs: list[int], method: str, seed: int) -> None:
    from biorft.datasets import molecule_task

    rows = []
    for i in pairs:
        rows += [(s, float(j)) for j, s in enumerate(_STEREO_PAIRS[i])]
    filler = ["CCO", "CCN", "CCCl", "c1ccccc1", "C1CCOCC1", "c1ccncc1", "C1CCNC1", "c1ccc2ccccc2c1", "C1CC1", "CCC"]
    rows += [(s, 0.5) for s in filler]
    frame = pl.DataFrame({"smiles": [r[0] for r in rows], "y": [r[1] for r in rows]})
    ds = molecule_task(frame, kind="regression")
    assert len(ds) == len(rows)  # stereoisomers are different compounds: none merged
    splits = ds.split(method, seed=seed)
    splits.check_leakage()
    part_of = {smi: name for name, part in splits for smi in part.frame["smiles"].to_list()}
    for i in pairs:
        a, b = (chem.standardize_smiles(s) for s in _STEREO_PAIRS[i])
        assert isinstance(a, chem.StandardizedMolecule)
        assert isinstance(b, chem.StandardizedMolecule)
        assert part_of[a.smiles] == part_of[b.smiles], _STEREO_PAIRS[i]


def test_cached_standardisation_is_identical_on_bundled_data() -> None:
    """standardize_many's per-process caches never change a result: same canonical SMILES, InChIKeys, scaffolds."""
    from biorft.datasets import load_task

    frame = load_task("molecules/bbb_b3db").frame
    raw = frame["smiles"].to_list()[:1500]
    # repeats hit the cache; organometallic ligands are protonated to valid molecules whose SMILES parse back
    organometallic = ["[Fe+2].c1cc[cH-]c1.c1cc[cH-]c1C", "[Mn].C[c-]1cccc1.[C-]#[O+].[C-]#[O+].[C-]#[O+]"] * 2
    raw = raw + raw[::3] + [s + "." + "[Na+]" for s in raw[:200]] + organometallic
    cached = list(chem.standardize_many(raw, chunk_size=500))
    assert cached == [chem.standardize_smiles(s) for s in raw]
    fe, mn = cached[-4], cached[-3]
    assert isinstance(fe, chem.StandardizedMolecule)
    assert isinstance(mn, chem.StandardizedMolecule)
    for record in (fe, mn):
        again = chem.standardize_smiles(record.smiles)
        assert isinstance(again, chem.StandardizedMolecule)
        assert (again.smiles, again.inchikey) == (record.smiles, record.inchikey)
    keep = frame.head(1500)
    assert [r.smiles for r in cached[:1500]] == keep["smiles"].to_list()
    assert [r.inchikey for r in cached[:1500]] == keep["inchikey"].to_list()
    assert [r.scaffold for r in cached[:1500]] == keep["scaffold"].to_list()


def _builder_passes(raw: list[str], n_jobs: int) -> list[tuple[object, ...]]:
    """Each row through the builders' pass: (canonical SMILES, InChIKey, scaffold, tautomer key) or a reason."""
    with chem._Workers(n_jobs, claims=True) as workers:
        rows = list(chem._identify_many(raw, workers, chunk_size=64))
    described: dict[str, object] = {}
    for r in rows:
        if not isinstance(r, chem.StandardizeFailure) and r[2] is not None:
            assert described.setdefault(f"{r[0]} {r[1]}", r[2]) == r[2]  # a molecule described twice: equal
    out: list[tuple[object, ...]] = []
    for r, text in zip(rows, raw, strict=True):
        if isinstance(r, chem.StandardizeFailure):
            out.append((r.reason,))
            continue
        d = described.get(f"{r[0]} {r[1]}") or chem._describe_text(text)
        assert isinstance(d, tuple | chem.StandardizeFailure)
        out.append((r[0], d.reason) if isinstance(d, chem.StandardizeFailure) else (r[0], *d))
    return out


def test_builder_passes_give_each_rows_own_values() -> None:
    """The builders' pass (one description per molecule, by whichever process meets it first) == per-molecule values.

    Salts, stereoisomers, tautomers, repeats and failures are mixed in; in parallel with small chunks, the copy of a
    molecule that gets described can sit in another chunk or worker than the row that uses it.
    """
    from biorft.datasets import load_task

    raw = load_task("molecules/bbb_b3db").frame["smiles"].to_list()[:600]
    raw = raw + [s + ".[Na+].[Cl-]" for s in raw[:150]] + raw[::7] + [p for pair in _STEREO_PAIRS for p in pair]
    raw += ["O=c1cccc[nH]1", "Oc1ccccn1", "C1CC", "", "CC(=O)[O-].[Na+]", "OC(C)=O"]
    # organometallic ligands: anions, radicals and protonated forms of one ring
    raw += ["[Fe+2].c1cc[cH-]c1.c1cc[cH-]c1C", "[Mn].C[c-]1cccc1.[C-]#[O+].[C-]#[O+].[C-]#[O+]", "[cH-]1cccc1"]
    raw += ["[CH]1C=CC=C1", "C1=CCC=C1", "[Fe].c1cc[cH-]c1", "[CH2]C", "CC"]
    expected: list[tuple[object, ...]] = []
    for s in raw:
        rec = chem.standardize_smiles(s)
        if isinstance(rec, chem.StandardizeFailure):
            expected.append((rec.reason,))
        else:
            taut = chem.tautomer_key(chem.parse(rec.smiles))
            expected.append((rec.smiles, rec.inchikey, rec.scaffold, taut))
    assert _builder_passes(raw, 1) == expected
    assert _builder_passes(raw, 2) == expected


def test_molecule_task_falls_back_when_workers_cannot_start(tmp_path: pathlib.Path) -> None:
    """The pass finishes in this process, with every row and the same result as without workers."""
    import subprocess
    import sys

    from biorft.datasets import molecule_task

    path = tmp_path / "m.csv"  # 4,500 rows, 1,517 distinct amino ethers
    rows = [f"{'C' * (1 + i % 37)}O{'C' * (1 + i % 41)}N,{i % 2}\n" for i in range(4500)]
    path.write_text("smiles,y\n" + "".join(rows))
    script = (
        "from biorft.datasets import molecule_task\n"
        f"ds = molecule_task({str(path)!r}, kind='binary', labels={{0: 'a', 1: 'b'}}, n_jobs=2)\n"
        "print(ds.frame.hash_rows().sum(), len(ds), ds.card.n_quarantined)\n"
    )
    proc = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=300, check=True)
    serial = molecule_task(path, kind="binary", labels={0: "a", 1: "b"}, n_jobs=1)
    assert len(serial) > 1000
    assert proc.stdout.split() == [
        str(serial.frame.hash_rows().sum()),
        str(len(serial)),
        str(serial.card.n_quarantined),
    ]


def test_molecule_task_describes_a_molecule_no_process_claimed(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A false 'claimed' in the shared claims leaves a molecule undescribed: the builder describes it itself."""
    from biorft.datasets import molecule_task

    path = tmp_path / "m.csv"
    path.write_text("smiles,y\nCCO,1\nOCC,1\n[Na+].CC(=O)[O-],0\nc1ccccc1O,0\nC1CC,1\nO=c1cccc[nH]1,1\n")
    expected = molecule_task(path, kind="binary", labels={0: "a", 1: "b"})
    real = chem._identify_many

    def nobody_claims(smiles: Any, workers: Any, **kw: Any) -> Any:
        for r in real(smiles, workers, **kw):
            yield r if isinstance(r, chem.StandardizeFailure) else (r[0], r[1], None)

    monkeypatch.setattr(chem, "_identify_many", nobody_claims)
    again = molecule_task(path, kind="binary", labels={0: "a", 1: "b"})
    assert again.frame.equals(expected.frame)
    assert [q.reason for q in again.card.quarantined] == [q.reason for q in expected.card.quarantined]
