"""The canonical split pinned in each card, benchmark splits, Tox21 per-assay tasks and source-quality metadata."""

from __future__ import annotations

import json
import pathlib
from importlib import resources

import polars as pl
import pytest

import biorft as br
from biorft.datasets import TaskDataset
from biorft.errors import DatasetError

DATA = pathlib.Path(str(resources.files("biorft.datasets").joinpath("data")))
INDEX = json.loads((DATA / "index.json").read_text())


@pytest.mark.parametrize("entry", INDEX["tasks"], ids=lambda e: e["name"])
def test_every_bundled_task_pins_its_canonical_split(entry: dict[str, object]) -> None:
    ds = br.load_task(str(entry["name"]))
    assert ds.card.version == entry["version"] == ds.spec.version  # card version always equals the index version
    pin = ds.card.splits
    assert pin is not None
    assert set(pin.checksums) == {"train", "valid", "test"}
    splits = ds.split()
    assert splits.stats.checksums == pin.checksums
    assert (splits.stats.method, splits.stats.fractions) == (pin.method, pin.fractions)
    splits.check_leakage()


def test_molecule_tasks_are_data_version_2() -> None:
    from biorft.datasets._specs import MOLECULE_DATA_VERSION

    assert MOLECULE_DATA_VERSION == "2.0.0"
    versions = {e["version"] for e in INDEX["tasks"] if e["domain"] == "molecules"}
    assert versions == {"2.0.0"}


def test_drift_and_subsets_are_refused() -> None:
    ds = br.load_task("molecules/bbb_b3db")
    pin = ds.card.splits
    assert pin is not None
    tampered = pin.model_copy(update={"checksums": {**pin.checksums, "test": "0" * 64}})
    drifted = TaskDataset(ds.spec, ds.frame, ds.card.model_copy(update={"splits": tampered}))
    with pytest.raises(DatasetError, match=r"no longer reproduces the ids pinned in the card \(parts \['test'\]"):
        drifted.split()
    with pytest.raises(DatasetError, match="pinned for 7576 examples but this dataset has 10"):
        ds.head(10).split()
    assert len(ds.head(10).split("random", seed=0).train) == 8  # an explicit method always works


def test_user_tasks_default_to_the_domain_canonical_method() -> None:
    smiles = [f"c1ccccc1{'C' * i}" for i in range(1, 30)] + ["C1CCCCC1", "CCO"]
    df = pl.DataFrame({"smiles": smiles, "y": [1, 0] * 15 + [1]})
    ds = br.molecule_task(df, labels={1: "a", 0: "b"}, name="user/canon")
    assert ds.card.splits is None
    assert ds.split().stats.method == "scaffold"
    assert ds.split().stats.checksums == ds.split("scaffold", (0.8, 0.1, 0.1), 0).stats.checksums


def test_cli_build_exports_the_canonical_split(tmp_path: pathlib.Path) -> None:
    from biorft.cli import main

    assert main(["build", "molecules/solubility_aqsoldb", "--out", str(tmp_path)]) == 0
    ids = [json.loads(line)["id"] for line in (tmp_path / "test.jsonl").read_text().splitlines()]
    assert sorted(ids) == sorted(br.load_task("molecules/solubility_aqsoldb").split().test.ids)


def test_benchmark_splits_fix_the_test_part() -> None:
    ds = br.load_task("molecules/solubility_aqsoldb")
    runs = ds.benchmark_splits(seeds=3)
    assert [r.stats.seed for r in runs] == [1, 2, 3]
    assert all(r.test.ids == ds.split().test.ids for r in runs)
    assert len({tuple(r.valid.ids) for r in runs}) == 3
    for r in runs:
        r.check_leakage()
        assert len(r.train) + len(r.valid) + len(r.test) == len(ds)
    custom = ds.benchmark_splits(seeds=[7], method="random_scaffold", test_fraction=0.2)
    assert abs(len(custom[0].test) / len(ds) - 0.2) < 0.03
    custom[0].check_leakage()
    assert custom[0].stats.method == "benchmark:random_scaffold"


def test_tox21_per_assay_tasks_leave_untested_rows_out() -> None:
    from biorft.datasets._specs import TOX21_ASSAY_TASKS

    multi = br.load_task("molecules/tox21")
    measured = dict(zip(multi.frame["id"].to_list(), multi.frame["known_labels"].to_list(), strict=True))
    assert len(TOX21_ASSAY_TASKS) == 12
    for name, assay in TOX21_ASSAY_TASKS.items():
        ds = br.load_task(name)
        assert ds.spec.kind.value == "binary"
        assert set(ds.frame["target"].unique().to_list()) == {"active", "inactive"}
        # every molecule of the assay task that is also in the multilabel task was measured in that assay there
        shared = [i for i in ds.ids if i in measured]
        assert shared
        assert all(assay in measured[i] for i in shared)


def test_source_quality_is_kept_and_filterable() -> None:
    bbb = br.load_task("molecules/bbb_b3db")
    assert {"logbb", "b3db_category"} <= set(bbb.frame.columns)
    assert bbb.frame["logbb"].dtype == pl.Float64
    assert set(bbb.frame["b3db_category"].drop_nulls().unique().to_list()) <= {"A", "B", "C", "D"}
    aq = br.load_task("molecules/solubility_aqsoldb")
    assert {"sd", "occurrences", "reliability"} <= set(aq.frame.columns)
    strict = aq.filter(pl.col("reliability") != "G1", note="multi-source rows only")
    assert 0 < len(strict) < len(aq)
    assert strict.card.splits is None
    assert strict.card.notes[-1].startswith("filtered: multi-source rows only")
    strict.split("scaffold").check_leakage()
