"""Compound identity: connectivity / tautomer keys, compound groups, conflict policies, group-aware splits."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biorft.chem import connectivity_key, parse, tautomer_key
from biorft.datasets import molecule_task
from biorft.datasets._identity import group_keys
from biorft.datasets._splits import split_methods
from biorft.errors import DatasetError

# Families of SMILES that are one compound (stereoisomers, tautomers, salts, charge states): a split must never put
# two members of a family in different parts. Ground truth for the tests, independent of biorft's keys.
FAMILIES: tuple[tuple[str, ...], ...] = (
    ("C[C@H](N)C(=O)O", "C[C@@H](N)C(=O)O", "CC(N)C(=O)O", "[Na+].C[C@H](N)C(=O)[O-]", "C[C@@H]([NH3+])C(=O)O.[Cl-]"),
    ("O=c1cccc[nH]1", "Oc1ccccn1", "Cl.Oc1ccccn1"),
    ("Oc1ccccc1", "O=C1CC=CC=C1", "[O-]c1ccccc1.[Na+]"),
    ("CC(=O)CC(C)=O", "CC(O)=CC(C)=O", "C/C(O)=C/C(C)=O"),
    ("O[C@H]([C@@H](O)C(=O)O)C(=O)O", "O[C@@H]([C@@H](O)C(=O)O)C(=O)O", "OC(C(O)C(=O)O)C(=O)O"),
    ("OC(=O)/C=C/C(=O)O", "OC(=O)/C=C\\C(=O)O", "OC(=O)C=CC(=O)O"),
    ("O=C1NC(=O)C=CN1", "Oc1ccnc(O)n1", "O=c1cc[nH]c(=O)[nH]1"),
    ("C[C@H](O)CC", "C[C@@H](O)CC"),
    ("c1ccccc1C",),
    ("c1ccc2ccccc2c1",),
    ("CCO",),
    ("CCCCO",),
    ("C1CCCCC1",),
    ("c1ccncc1",),
    ("CC(=O)Nc1ccccc1",),
    ("CN1C=NC2=C1C(=O)N(C(=O)N2C)C",),
    ("c1ccc(cc1)C(=O)O",),
    ("Clc1ccccc1",),
    ("CCN(CC)CC",),
    ("OCC(O)CO",),
)
_LEVELS = ("id", "entity", "inchikey", "connectivity", "tautomer", "group")


def test_keys_join_stereoisomers_and_tautomers() -> None:
    a, b = parse("C[C@H](N)C(=O)O"), parse("C[C@@H](N)C(=O)O")
    from biorft.chem import inchikey

    ka, kb = inchikey(a), inchikey(b)
    assert ka
    assert kb
    assert ka != kb
    assert connectivity_key(ka) == connectivity_key(kb)
    assert tautomer_key(parse("O=c1cccc[nH]1")) == tautomer_key(parse("Oc1ccccn1"))
    assert tautomer_key(parse("CC(=O)CC(C)=O")) == tautomer_key(parse("CC(O)=CC(C)=O"))
    assert tautomer_key(parse("Oc1ccccc1")) != tautomer_key(parse("Oc1ccccc1C"))


def test_group_keys_is_transitive() -> None:
    # row 0 ~ row 1 by level 0, row 1 ~ row 2 by level 1: one group; row 3 alone
    assert group_keys([("a", "x"), ("a", "y"), ("b", "y"), ("c", "z")], ["k0", "k1", "k2", "k3"]) == [
        "k0",
        "k0",
        "k0",
        "k3",
    ]


def _family_rows(draw_labels: list[int], members: list[tuple[int, int]]) -> pl.DataFrame:
    smiles = [FAMILIES[f][m % len(FAMILIES[f])] for f, m in members]
    return pl.DataFrame(
        {
            "id": [f"r{i}" for i in range(len(members))],
            "smiles": smiles,
            "family": [str(f) for f, _ in members],
            "y": draw_labels,
        }
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    members=st.lists(
        st.tuples(st.integers(0, len(FAMILIES) - 1), st.integers(0, 4)), min_size=12, max_size=45, unique=True
    ),
    labels=st.data(),
    seed=st.integers(0, 1000),
    conflicts=st.sampled_from(["keep", "majority", "quarantine"]),
)
def test_no_compound_in_two_parts_for_any_method(
    members: list[tuple[int, int]], labels: st.DataObject, seed: int, conflicts: str
) -> None:
    ys = labels.draw(st.lists(st.integers(0, 1), min_size=len(members), max_size=len(members)))
    frame = _family_rows(ys, members)
    try:
        ds = molecule_task(
            frame,
            id="id",
            target="y",
            labels={1: "active", 0: "inactive"},
            keep_columns=["family"],
            conflicts=conflicts,
            name="user/families",
        )
    except DatasetError:
        return  # every row quarantined by the conflict policy: nothing to split
    assert ds.card.n_rows_in == len(ds) + ds.card.n_quarantined
    assert ds.card.conflict_policy == conflicts
    family_of = dict(zip(ds.frame["id"].to_list(), ds.frame["family"].to_list(), strict=True))
    if len(ds) < 3:
        return
    for method in split_methods():
        try:
            splits = ds.split(method, (0.6, 0.2, 0.2), seed)
        except DatasetError as exc:
            refused = str(exc)
        else:
            refused = ""
        if refused:
            assert "group" in refused or "empty" in refused  # too few groups for three parts
            continue
        splits.check_leakage()
        where: dict[str, str] = {}
        for part, sub in splits:
            for rid in sub.ids:
                fam = family_of[rid]
                assert where.setdefault(fam, part) == part, f"{method}: family {fam} in {where[fam]} and {part}"
        for level in _LEVELS:
            seen: dict[str, str] = {}
            for part, sub in splits:
                for v in sub.frame[level].drop_nulls().to_list():
                    assert seen.setdefault(v, part) == part, (method, level, v)


def test_conflict_policies_are_counted() -> None:
    df = pl.DataFrame(
        {
            "smiles": ["C[C@H](N)C(=O)O", "C[C@@H](N)C(=O)O", "CC(N)C(=O)O", "Oc1ccccc1", "O=C1CC=CC=C1", "CCO"],
            "y": [1, 1, 0, 1, 0, 0],
        }
    )
    keep = molecule_task(df, labels={1: "a", 0: "b"}, conflicts="keep", name="user/c")
    assert len(keep) == 6
    assert keep.card.identity["conflicting_groups"] == 2
    assert keep.frame.filter(pl.col("entity").str.contains("N"))["group"].n_unique() == 1
    majority = molecule_task(df, labels={1: "a", 0: "b"}, conflicts="majority", name="user/c")
    assert len(majority) == 3  # alanine keeps its two 'a' rows, the phenol tie is removed, ethanol stays
    assert majority.card.identity["quarantined_by_conflicts"] == 3
    assert any("majority tie" in q.reason for q in majority.card.quarantined)
    strict = molecule_task(df, labels={1: "a", 0: "b"}, conflicts="quarantine", name="user/c")
    assert strict.frame["entity"].to_list() == ["CCO"]
    with pytest.raises(DatasetError, match="unknown conflicts policy"):
        molecule_task(df, labels={1: "a", 0: "b"}, conflicts="drop", name="user/c")


def test_regression_conflicts_use_the_tolerance() -> None:
    df = pl.DataFrame({"smiles": ["C[C@H](N)C(=O)O", "C[C@@H](N)C(=O)O", "CC(N)C(=O)O"], "y": [1.0, 1.2, 4.0]})
    ds = molecule_task(df, kind="regression", tolerance=0.5, conflicts="majority", name="user/r")
    assert sorted(ds.frame["target"].to_list()) == [1.0, 1.2]
    assert "median" in ds.card.quarantined[0].reason


def test_leakage_error_names_level_and_rows() -> None:
    from biorft.datasets import Splits

    df = pl.DataFrame({"smiles": ["C[C@H](N)C(=O)O", "C[C@@H](N)C(=O)O", "CCO", "CCCO"], "y": [1, 0, 1, 0]})
    ds = molecule_task(df, labels={1: "a", 0: "b"}, name="user/leak")
    good = ds.split("random", (0.5, 0.25, 0.25), 0)
    ids = ds.ids
    bad = Splits(
        train=ds.subset([ids[0], ids[2]]), valid=ds.subset([ids[1]]), test=ds.subset([ids[3]]), stats=good.stats
    )
    with pytest.raises(DatasetError) as err:
        bad.check_leakage()
    msg = str(err.value)
    assert "connectivity value(s) in both train and valid" in msg
    assert "group value(s)" in msg
    assert ids[0] in msg
    assert ids[1] in msg


def test_a_registered_method_with_extra_groups_keeps_them_whole() -> None:
    from biorft.datasets._splits import _METHODS, SplitMethod, register_split_method

    from .conftest import synthetic

    def by_parity(frame: pl.DataFrame) -> dict[str, list[int]]:  # rows with ids ending in 0 / 5 are one family
        ids = frame["id"].to_list()
        return {"fam": [i for i, x in enumerate(ids) if x[-1] in "05"]}

    register_split_method(SplitMethod("test_family", "random", groups=by_parity), overwrite=True)
    try:
        ds = synthetic(60, n_groups=30, seed=1)
        for seed in range(5):
            splits = ds.split("test_family", (0.5, 0.25, 0.25), seed)
            splits.check_leakage()
            holders = {name for name, part in splits if any(x[-1] in "05" for x in part.ids)}
            assert len(holders) == 1
    finally:
        _METHODS.pop("test_family", None)
