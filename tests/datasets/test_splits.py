from __future__ import annotations

import hashlib
import math
import pathlib
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.datasets.conftest import synthetic

from biorft.datasets import Splits, load_task
from biorft.datasets._splits import target_sizes
from biorft.errors import DatasetError

FRACTIONS = st.sampled_from([(0.8, 0.1, 0.1), (0.7, 0.15, 0.15), (0.6, 0.2, 0.2), (0.5, 0.25, 0.25), (0.9, 0.1, 0.0)])


def _ids(splits: Splits) -> dict[str, list[str]]:
    return {name: ds.ids for name, ds in splits}


def _disjoint_covering(splits: Splits, n: int) -> None:
    ids = _ids(splits)
    all_ids = [i for part in ids.values() for i in part]
    assert len(all_ids) == len(set(all_ids)) == n
    assert sum(splits.stats.sizes.values()) == n


@given(n=st.integers(3, 400), fractions=FRACTIONS, seed=st.integers(0, 2**16))
def test_random_split_sizes_exact(n: int, fractions: tuple[float, float, float], seed: int) -> None:
    ds = synthetic(n, n_groups=5, seed=seed)
    splits = ds.split("random", fractions, seed)
    _disjoint_covering(splits, n)
    assert _ids(ds.split("random", fractions, seed)) == _ids(splits)  # same data + seed => same split
    assert [splits.stats.sizes[p] for p in ("train", "valid", "test")] == target_sizes(n, fractions)
    roomy = all(n * f >= 1 for f in fractions if f > 0)
    for p, f in zip(("train", "valid", "test"), fractions, strict=True):
        if roomy:  # every part asked for gets at least one example by rounding alone: within one example
            assert abs(splits.stats.sizes[p] - n * f) < 1
        else:  # tiny data: parts are topped up to one example each
            assert (splits.stats.sizes[p] > 0) == (f > 0)
    splits.check_leakage()


@given(
    n=st.integers(10, 400),
    fractions=FRACTIONS,
    seed=st.integers(0, 2**16),
    kind=st.sampled_from(["binary", "multiclass"]),
)
def test_stratified_within_one_per_class(n: int, fractions: tuple[float, float, float], seed: int, kind: str) -> None:
    labels = ("a", "b") if kind == "binary" else ("a", "b", "c", "d")
    ds = synthetic(n, n_groups=5, seed=seed, kind=kind, labels=labels)
    splits = ds.split("stratified", fractions, seed)
    _disjoint_covering(splits, n)
    totals = Counter(ds.frame["target"].to_list())
    for (name, part), f in zip(splits, fractions, strict=True):
        counts = Counter(part.frame["target"].to_list())
        for lab, total in totals.items():
            assert abs(counts.get(lab, 0) - total * f) < 1 + 1e-9, (name, lab, counts, total, f)


@given(n=st.integers(20, 300), seed=st.integers(0, 2**16), kind=st.sampled_from(["regression", "multilabel"]))
def test_stratified_other_kinds(n: int, seed: int, kind: str) -> None:
    ds = synthetic(n, n_groups=5, seed=seed, kind=kind, labels=("x", "y", "z"))
    splits = ds.split("stratified", (0.8, 0.1, 0.1), seed)
    _disjoint_covering(splits, n)
    assert splits.valid.frame.height > 0
    assert splits.test.frame.height > 0


@given(
    n=st.integers(12, 400),
    groups=st.integers(3, 60),
    big=st.sampled_from([0.0, 0.2, 0.45]),
    method=st.sampled_from(["scaffold", "random_scaffold", "cold"]),
    seed=st.integers(0, 2**16),
    fractions=FRACTIONS,
)
def test_group_splits_keep_groups_whole(
    n: int, groups: int, big: float, method: str, seed: int, fractions: tuple[float, float, float]
) -> None:
    ds = synthetic(n, n_groups=groups, seed=seed, big_group=big)
    key = "entity" if method == "cold" else "scaffold"
    n_groups = ds.frame[key].n_unique()
    if n_groups < 3:  # too few groups to fill every part asked for: a clear error, or parts filled anyway
        try:
            splits = ds.split(method, fractions, seed)
        except DatasetError as exc:
            message = str(exc)
        else:
            message = ""
        if message:
            assert "group(s)" in message
            return
    splits = ds.split(method, fractions, seed)
    _disjoint_covering(splits, n)
    splits.check_leakage()
    assert splits.stats.checksums == ds.split(method, fractions, seed).stats.checksums
    seen: dict[str, str] = {}
    for name, part in splits:
        for g in part.frame[key].to_list():
            assert seen.setdefault(g, name) == name, f"group {g!r} in {seen[g]} and {name}"
    for p, f in zip(("valid", "test"), fractions[1:], strict=True):
        if f > 0:
            assert splits.stats.sizes[p] > 0, "an asked-for part came out empty"
        else:
            assert splits.stats.sizes[p] == 0


def test_scaffold_balanced_on_real_data() -> None:
    ds = load_task("molecules/solubility_aqsoldb")
    splits = ds.split("scaffold")
    n = len(ds)
    for p, f in zip(("train", "valid", "test"), (0.8, 0.1, 0.1), strict=True):
        assert abs(splits.stats.sizes[p] - n * f) <= 0.01 * n
    assert any("went to train first" in note for note in splits.stats.notes)
    biggest = ds.frame["scaffold"].value_counts().sort("count", descending=True)["scaffold"][0]
    assert biggest in set(splits.train.frame["scaffold"].to_list())
    assert splits.stats.seed is None


def test_scaffold_is_deterministic_and_ignores_seed() -> None:
    ds = load_task("molecules/bbb_b3db")
    assert _ids(ds.split("scaffold", seed=0)) == _ids(ds.split("scaffold", seed=123))


@pytest.mark.parametrize("method", ["random", "stratified", "random_scaffold", "cold"])
def test_seeded_methods_are_deterministic_and_seed_sensitive(method: str) -> None:
    ds = load_task("molecules/bbb_b3db")
    a, b, c = ds.split(method, seed=7), ds.split(method, seed=7), ds.split(method, seed=8)
    assert _ids(a) == _ids(b)
    assert a.stats.checksums == b.stats.checksums
    assert _ids(a) != _ids(c)
    assert a.stats.checksums != c.stats.checksums


def test_split_files_byte_identical(tmp_path: pathlib.Path) -> None:
    from biorft import export

    def digest(folder: pathlib.Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    ds = load_task("molecules/tox21")
    export.trl(ds.split("random_scaffold", seed=3), tmp_path / "a")
    export.trl(load_task("molecules/tox21").split("random_scaffold", seed=3), tmp_path / "b")
    export.trl(ds.split("random_scaffold", seed=4), tmp_path / "c")
    export.trl(ds.split("random_scaffold", seed=3), tmp_path / "d", format="parquet")
    export.trl(ds.split("random_scaffold", seed=3), tmp_path / "e", format="parquet")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "d") == digest(tmp_path / "e")
    assert digest(tmp_path / "a")["train.jsonl"] != digest(tmp_path / "c")["train.jsonl"]


def test_stats_recorded_in_card() -> None:
    splits = load_task("genes/dosage_sensitive_tfs").split("stratified", seed=0)
    assert splits.card.splits == splits.stats
    assert splits.train.card.splits == splits.stats
    assert set(splits.stats.checksums) == {"train", "valid", "test"}
    assert splits.stats.label_counts["test"]["dosage-sensitive"] in (12, 13)
    assert math.isclose(sum(splits.stats.achieved.values()), 1.0, abs_tol=1e-5)


def test_check_leakage_names_overlap() -> None:
    ds = synthetic(30, n_groups=3)
    good = ds.split("scaffold")
    leaky = Splits(train=good.train, valid=good.valid, test=ds.subset(["m00000", *good.test.ids]), stats=good.stats)
    with pytest.raises(DatasetError, match=r"id value\(s\) in both train and test: 'm00000'|in both valid and test"):
        leaky.check_leakage()
    with pytest.raises(DatasetError, match=r"inchikey value\(s\) in both .*'KEY00000'"):
        leaky.check_leakage()


def test_scaffold_leakage_detected_for_scaffold_splits_only() -> None:
    ds = synthetic(60, n_groups=4)
    rnd = ds.split("random", seed=1)
    rnd.check_leakage()  # random splits share scaffolds by design: not leakage
    fake = Splits(
        train=rnd.train, valid=rnd.valid, test=rnd.test, stats=rnd.stats.model_copy(update={"method": "scaffold"})
    )
    with pytest.raises(DatasetError, match=r"scaffold value\(s\) in both"):
        fake.check_leakage()


@pytest.mark.parametrize(
    ("fractions", "message"),
    [
        ((0.8, 0.1, 0.2), "sum to 1.1, not 1"),
        ((0.8, 0.2), "three numbers"),
        ((1.2, -0.1, -0.1), ">= 0"),
        ((0.0, 0.5, 0.5), "train fraction must be > 0"),
    ],
)
def test_bad_fractions(fractions: tuple[float, ...], message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        synthetic(20, n_groups=3).split("random", fractions)


def test_unknown_method_and_tiny_data() -> None:
    with pytest.raises(DatasetError, match=r"unknown split method 'scafold' \(did you mean 'scaffold'"):
        synthetic(20, n_groups=3).split("scafold")
    with pytest.raises(DatasetError, match="need at least 3"):
        synthetic(2, n_groups=1).split("random")
    with pytest.raises(DatasetError, match="only 1 scaffold group"):
        synthetic(20, n_groups=1).split("scaffold")
