"""One molecule standardiser: the dataset path (`biorft.chem`) and the grader path (`graders._rt.molecules`, also
embedded in exported sources) keep the same parent molecule, so the default molecule grader scores a dataset's
canonical SMILES against the raw SMILES it came from as 1.0, in-process, exported and under the grader image's
RDKit (see test_pins.py)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import biorft as br
from biorft import chem
from biorft.graders import MoleculeGrader, Reason
from biorft.graders._rt import molecules as rt
from tests.graders.clean import CleanInterpreter

# (raw SMILES as a source file gives it, the parent the standardiser must keep)
PANEL: dict[str, tuple[tuple[str, str], ...]] = {
    "salts": (
        ("[Na+].CC(=O)[O-]", "CC(=O)O"),
        ("CC(=O)Oc1ccccc1C(=O)[O-].[Na+]", "CC(=O)Oc1ccccc1C(=O)O"),
        ("C[NH3+].[Cl-]", "CN"),
        ("Cl.CN1CCC[C@H]1c1cccnc1", "CN1CCC[C@H]1c1cccnc1"),
        ("O=C([O-])C(=O)[O-].[K+].[K+]", "O=C(O)C(=O)O"),
        ("CCCCCCCCCCCCCCCCCC[N+](C)(C)C.[Br-]", "CCCCCCCCCCCCCCCCCC[N+](C)(C)C"),
    ),
    "mixtures": (
        ("O=C(O)C(=O)O.O=[Mo](=O)(=O)(O)O", "O=C(O)C(=O)O"),  # organic parent, not the heavier molybdic acid
        ("N#CC#N.O=S(=O)(O)O", "N#CC#N"),  # organic parent, not sulfuric acid
        ("CCO.O", "CCO"),
        ("O.O.O.CC(=O)Nc1ccc(O)cc1", "CC(=O)Nc1ccc(O)cc1"),
        ("c1ccccc1.CCCCCCCC", "CCCCCCCC"),  # the largest organic fragment (26 atoms with H vs 12)
        ("CCO.CCO", "CCO"),
    ),
    "metal complexes": (
        ("N[Pt](N)(Cl)Cl", "N[Pt](N)(Cl)Cl"),  # one fragment: kept whole
        ("[Fe+2].c1cc[cH-]c1.c1cc[cH-]c1", "C1=CC=CC1"),  # ionic ferrocene: the ligand, protonated
        ("[SbH6+3]", "[SbH6+3]"),  # its "neutral form" [SbH9] is no molecule: kept charged
        ("[Cu+2].[O-]S(=O)(=O)[O-].O.O.O.O.O", "O=S(=O)(O)O"),  # nothing organic: the largest fragment
        ("[Gd+3].[Cl-].[Cl-].[Cl-]", "[Gd+3]"),
        ("CC(=O)[O-].CC(=O)[O-].[Zn+2]", "CC(=O)O"),
    ),
    "charged species": (
        ("[NH3+]CC(=O)[O-]", "NCC(=O)O"),  # zwitterion
        ("C[n+]1ccccc1", "C[n+]1ccccc1"),  # no neutral form
        ("[O-][N+](=O)c1ccccc1", "O=[N+]([O-])c1ccccc1"),  # nitro stays a charge-separated group
        ("CC(=O)[O-]", "CC(=O)O"),
        ("C[NH+](C)C", "CN(C)C"),
    ),
    "isotopes": (
        ("[2H]C([2H])([2H])O", "[2H]C([2H])([2H])O"),  # isotopes are kept: a labelled compound is its own molecule
        ("[13CH3]O.[Na+].[Cl-]", "[13CH3]O"),
        ("[14C]c1ccccc1", "[14C]c1ccccc1"),
    ),
    "tautomers": (
        ("Oc1ccccn1", "Oc1ccccn1"),  # the tautomer given is kept (no tautomer canonicalisation) ...
        ("O=c1cccc[nH]1", "O=c1cccc[nH]1"),
        ("CC(=O)C", "CC(C)=O"),
        ("CC(O)=C", "C=C(C)O"),
    ),
}
CASES = [(group, raw, parent) for group, pairs in PANEL.items() for raw, parent in pairs]
RAWS = [raw for _, raw, _ in CASES]
GRADER = MoleculeGrader()


def _dataset_smiles(raw: str) -> str:
    record = chem.standardize_smiles(raw)
    assert record.ok, (raw, record)
    return record.smiles


def _answer(smiles: str) -> str:
    return f"Reasoning.\nAnswer: {smiles}"


@pytest.mark.parametrize(("group", "raw", "parent"), CASES)
def test_dataset_and_grader_keep_the_same_parent(group: str, raw: str, parent: str) -> None:
    canonical = _dataset_smiles(raw)
    assert canonical == chem.canonical_smiles(chem.parse(parent)), (group, raw, canonical)
    record = rt.parse_molecule(raw)
    assert record is not None
    assert record.canonical == canonical
    assert rt.inchikey(record.mol) == chem.standardize_smiles(raw).inchikey
    # the default molecule grader: the dataset's canonical SMILES and the raw SMILES are one molecule, both ways
    assert GRADER.explain(_answer(canonical), {"target": raw}).score == 1.0
    assert GRADER.explain(_answer(raw), {"target": canonical}).score == 1.0


def test_grader_identity_is_dataset_identity() -> None:
    """The grader calls two molecules the same exactly when the dataset gives them one InChIKey (de-duplication)."""
    keys = {raw: chem.standardize_smiles(raw).inchikey for raw in RAWS}
    for a in RAWS:
        for b in RAWS:
            same = GRADER.explain(_answer(a), {"target": b}).reason is Reason.CORRECT
            assert same == (keys[a] == keys[b]), (a, b)
    # standard InChI treats 2-hydroxypyridine / 2-pyridone as one molecule (mobile H), keto / enol as two
    assert keys["Oc1ccccn1"] == keys["O=c1cccc[nH]1"]
    assert keys["CC(=O)C"] != keys["CC(O)=C"]


def test_the_two_reported_disagreements_are_gone() -> None:
    for raw, parent in (("O=C(O)C(=O)O.O=[Mo](=O)(=O)(O)O", "O=C(O)C(=O)O"), ("N#CC#N.O=S(=O)(O)O", "N#CC#N")):
        assert GRADER(_answer(parent), {"target": raw}) == 1.0
        assert GRADER.explain(_answer("O=[Mo](=O)(=O)(O)O"), {"target": raw}).reason is not Reason.CORRECT


FRAGMENTS = ("CCO", "O", "[Na+]", "[Cl-]", "CC(=O)[O-]", "O=S(=O)(O)O", "c1ccccc1", "[Cu+2]", "C[NH3+]", "OCC(O)CO")


@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5), st.randoms())
def test_fragment_order_never_matters(fragments: list[str], random: object) -> None:
    shuffled = list(fragments)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    a, b = ".".join(fragments), ".".join(shuffled)
    sa, sb = chem.standardize_smiles(a), chem.standardize_smiles(b)
    assert sa.ok
    assert sb.ok
    assert sa.inchikey == sb.inchikey
    ra = rt.parse_molecule(a)
    assert ra is not None
    assert ra.canonical == sa.smiles
    assert GRADER(_answer(sa.smiles), {"target": b}) == 1.0


def test_standardize_mol_needs_no_text() -> None:
    """The text only lets string checks skip work: the molecule alone gives the same parent."""
    for raw in RAWS:
        with chem.quiet_rdkit():
            from_text = rt.standardize_mol(chem.parse(raw), raw)
            from_mol = rt.standardize_mol(chem.parse(raw))
        assert chem.canonical_smiles(from_text) == chem.canonical_smiles(from_mol) == _dataset_smiles(raw)


@pytest.fixture(scope="module")
def clean() -> Iterator[CleanInterpreter]:
    interpreter = CleanInterpreter(sys.executable)
    interpreter.load("molecule", GRADER.to_source())
    yield interpreter
    interpreter.close()


def test_exported_source_agrees(clean: CleanInterpreter) -> None:
    for raw in RAWS:
        canonical = _dataset_smiles(raw)
        for answer, target in ((canonical, raw), (raw, canonical)):
            got = clean.grade("molecule", {"output_text": _answer(answer)}, {"target": target})
            assert got["score"] == 1.0, (answer, target, got)
        for other in RAWS:
            sample, item = {"output_text": _answer(raw)}, {"target": other}
            want = GRADER.explain(sample, item)
            got = clean.grade("molecule", sample, item)
            assert (got["score"], got["reason"]) == (want.score, want.reason.value), (raw, other)


def test_user_build_scores_canonical_against_raw(tmp_path: Path) -> None:
    table = tmp_path / "mine.csv"
    pl.DataFrame({"smiles": RAWS, "y": [float(i) for i in range(len(RAWS))]}).write_csv(table)
    ds = br.molecule_task(table, kind="regression", target="y", duplicates="mean", name="user/panel")
    kept = dict(zip(ds.frame["inchikey"], ds.frame["entity"], strict=True))
    for raw in RAWS:
        key = chem.standardize_smiles(raw).inchikey
        assert GRADER(_answer(kept[key]), {"target": raw}) == 1.0, raw
        assert GRADER(_answer(raw), {"target": kept[key]}) == 1.0, raw


def _source_smiles(shared: Path, source_file: str) -> list[str]:
    path = shared / source_file
    frame = pl.read_csv(path, separator="\t" if path.suffix == ".tsv" else ",", infer_schema=False)
    column = next(c for c in frame.columns if c.lower() == "smiles")
    return [s for s in frame[column].to_list() if isinstance(s, str) and s.strip()]


@pytest.mark.slow
def test_every_bundled_molecule_scores_one_against_its_raw_smiles(shared_data: Path) -> None:
    """Every molecule of every bundled task: its canonical SMILES against each raw SMILES it was built from."""
    pairs: set[tuple[str, str]] = set()
    for info in br.list_tasks():
        if info.domain != "molecules":
            continue
        ds = br.load_task(info.name)
        card = json.loads(ds.card.model_dump_json())
        raws = [s for src in card["sources"] for s in _source_smiles(shared_data, src["file"])]
        by_key: dict[str, list[str]] = {}
        for raw, record in zip(raws, chem.standardize_many(raws), strict=True):
            if record.ok:
                by_key.setdefault(record.inchikey, []).append(raw)
        entities = dict(zip(ds.frame["inchikey"], ds.frame["entity"], strict=True))
        missing = sorted(set(entities) - set(by_key))
        assert not missing, f"{info.name}: {len(missing)} molecules not found in the raw source, e.g. {missing[:3]}"
        pairs.update((entities[key], raw) for key in entities for raw in by_key[key])
    assert len(pairs) > 20_000
    pairs = {(canonical, raw) for canonical, raw in pairs if canonical != raw}  # the rest: the fixed-point test
    bad = [
        (canonical, raw)
        for canonical, raw in sorted(pairs)
        if GRADER(_answer(canonical), {"target": raw}) != 1.0 or GRADER(_answer(raw), {"target": canonical}) != 1.0
    ]
    assert not bad, f"{len(bad)} of {len(pairs)} (canonical, raw) pairs score below 1.0, e.g. {bad[:5]}"


@pytest.mark.slow
def test_bundled_molecules_are_fixed_points() -> None:
    """Every bundled entity parses, and standardising it again gives itself and its InChIKey (no lossy SMILES)."""
    for info in br.list_tasks():
        if info.domain != "molecules":
            continue
        frame = br.load_task(info.name).frame
        again = list(chem.standardize_many(frame["entity"].to_list()))
        bad = [
            (entity, key, record)
            for entity, key, record in zip(frame["entity"], frame["inchikey"], again, strict=True)
            if not record.ok or (record.smiles, record.inchikey) != (entity, key)
        ]
        assert not bad, f"{info.name}: {len(bad)} entities are not fixed points, e.g. {bad[:3]}"
