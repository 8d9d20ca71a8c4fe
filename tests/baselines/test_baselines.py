"""Baselines answer in the graders' format and are evaluated through the same reports."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft.baselines import (
    FamilyRule,
    FingerprintForest,
    FingerprintLinear,
    GeneNeighbours,
    LabelPrior,
    Majority,
    for_task,
    morgan_fingerprints,
    run_baselines,
)
from biorft.errors import DatasetError
from biorft.schema import Example, TaskSpec
from tests.evaluation._helpers import (
    TinyDataset,
    TinyGrader,
    binary_spec,
    make_dataset,
    multiclass_spec,
    multilabel_spec,
    regression_spec,
)


def mol_spec(kind: str = "binary") -> TaskSpec:
    extra = (
        {"labels": ("alcohol", "aromatic"), "positive_label": "aromatic"} if kind == "binary" else {"tolerance": 1.0}
    )
    return TaskSpec(name=f"molecules/tiny_{kind}", domain="molecules", kind=kind, instructions="?", **extra)


def molecules(kind: str = "binary") -> TinyDataset:
    rows = []
    for k in range(1, 31):
        rows.append(
            Example(id=f"a{k:02d}", entity="C" * k + "O", target="alcohol" if kind == "binary" else 1.0 + 0.01 * k)
        )
        rows.append(
            Example(
                id=f"b{k:02d}",
                entity="c1ccccc1" + "C" * k + "N",
                target="aromatic" if kind == "binary" else 5.0 + 0.01 * k,
            )
        )
    rows.sort(key=lambda r: (int(r.id[1:]) % 5 == 0, r.id))  # every 5th chain length goes to the test split
    return TinyDataset(mol_spec(kind), rows)


def genes() -> TinyDataset:
    tf = [f"ZNF{i}" for i in range(100, 120)] + [f"HOXA{i}" for i in range(1, 12)] + [f"SOX{i}" for i in range(1, 10)]
    other = [f"RPL{i}" for i in range(3, 30)] + [f"OR{i}A{j}" for i in range(1, 4) for j in range(1, 5)]
    rows = [Example(id=s, entity=s, target="sensitive") for s in tf]
    rows += [Example(id=s, entity=s, target="insensitive") for s in other]
    rows.sort(key=lambda r: (sum(map(ord, r.id)) % 7 == 0, r.id))
    return TinyDataset(binary_spec(), rows)


def split(ds: TinyDataset, test_share: float = 0.2):
    n = len(ds)
    cut = round(n * (1 - test_share))
    return TinyDataset(ds.spec, ds.rows[:cut]), TinyDataset(ds.spec, ds.rows[cut:])


@pytest.mark.parametrize("spec", [binary_spec(), multiclass_spec(), multilabel_spec(), regression_spec()])
def test_prior_baselines_answer_every_example_in_the_graders_format(spec) -> None:
    train, test = split(make_dataset(spec, 50))
    for baseline in (Majority(), LabelPrior(seed=3)):
        report = baseline.fit(train).evaluate(test, TinyGrader(spec), n_boot=20)
        assert report.source == "baseline"
        assert report.model == baseline.name
        assert report.n_examples == len(test)
        assert all(r.reason not in ("no_answer", "parse_error") for r in report.records)
        assert all(json.loads(r.output_text)["answer"] is not None for r in report.records)


def test_majority_is_the_most_frequent_training_label() -> None:
    train, test = split(make_dataset(binary_spec(), 60))
    top, count = Counter(r.target for r in train.rows).most_common(1)[0]
    report = Majority().fit(train).evaluate(test, TinyGrader(train.spec), n_boot=0)
    assert {r.answer for r in report.records} == {top}
    assert {r.confidence for r in report.records} == {round(count / len(train), 4)}
    assert report.metrics["accuracy"].value == pytest.approx(sum(r.target == top for r in test.rows) / len(test))
    assert report.metrics["balanced_accuracy"].value == pytest.approx(0.5)


def test_majority_regression_and_multilabel() -> None:
    train, test = split(make_dataset(regression_spec(), 40))
    out = next(Majority().fit(train).outputs(test))
    targets = sorted(r.target for r in train.rows)
    mid = len(targets) // 2
    assert json.loads(out["output_text"])["answer"] == pytest.approx((targets[mid - 1] + targets[mid]) / 2)
    spec = multilabel_spec()
    rows = [
        Example(
            id=str(i),
            entity="C",
            target=["nr-ar"] if i < 3 else [],
            metadata={"known_labels": ["nr-ar"] if i < 4 else ["sr-are"]},
        )
        for i in range(10)
    ]
    # nr-ar is positive in 3 of the 4 examples that measured it: majority positive despite 6 unmeasured rows
    out = next(Majority().fit(TinyDataset(spec, rows)).outputs(TinyDataset(spec, rows[:1])))
    assert json.loads(out["output_text"]) == {"answer": ["nr-ar"]}


@given(st.integers(min_value=0, max_value=2**32))
def test_label_prior_is_reproducible_per_seed(seed: int) -> None:
    train, test = split(make_dataset(multiclass_spec(), 30))
    a = list(LabelPrior(seed=seed).fit(train).outputs(test))
    b = list(LabelPrior(seed=seed).fit(train).outputs(test))
    assert a == b


def test_label_prior_follows_the_training_distribution() -> None:
    spec = binary_spec()
    train = TinyDataset(
        spec, [Example(id=str(i), entity="G", target="sensitive" if i < 20 else "insensitive") for i in range(100)]
    )
    test = TinyDataset(spec, [Example(id=f"t{i}", entity="G", target="sensitive") for i in range(2000)])
    answers = Counter(json.loads(o["output_text"])["answer"] for o in LabelPrior().fit(train).outputs(test))
    assert answers["sensitive"] / 2000 == pytest.approx(0.2, abs=0.03)


def test_morgan_fingerprints_handle_bad_smiles() -> None:
    fps = morgan_fingerprints(["CCO", "CCO", "C1CC", "c1ccccc1"], n_bits=512)
    assert fps.shape == (4, 512)
    assert (fps[0] == fps[1]).all()
    assert fps[2].sum() == 0
    assert (fps[0] != fps[3]).any()


@pytest.mark.parametrize("cls", [FingerprintForest, FingerprintLinear])
def test_fingerprint_models_learn_a_learnable_task(cls) -> None:
    train, test = split(molecules("binary"))
    kwargs = {"n_estimators": 30, "n_jobs": 1} if cls is FingerprintForest else {}
    report = cls(n_bits=512, **kwargs).fit(train).evaluate(test, TinyGrader(train.spec), n_boot=0)
    assert report.metrics["accuracy"].value == 1.0
    assert "auroc" in report.metrics
    assert all(r.confidence is not None and r.confidence >= 0.5 for r in report.records)
    rtrain, rtest = split(molecules("regression"))
    reg = cls(n_bits=512, **kwargs).fit(rtrain).evaluate(rtest, TinyGrader(rtrain.spec), n_boot=0)
    assert reg.metrics["spearman"].value > 0.5
    assert reg.metrics["mae"].value < 1.0
    assert reg.metrics["answered"].value == 1.0


def test_fingerprint_multilabel_trains_each_label_on_measured_examples_only() -> None:
    spec = TaskSpec(
        name="molecules/tiny_ml", domain="molecules", kind="multilabel", labels=("x", "y"), instructions="?"
    )
    rows = []
    for k in range(1, 21):
        # x: aromatic; y: measured only for alcohols, where it is always positive
        rows.append(Example(id=f"a{k}", entity="C" * k + "O", target=["y"], metadata={"known_labels": ["x", "y"]}))
        rows.append(Example(id=f"b{k}", entity="c1ccccc1" + "C" * k, target=["x"], metadata={"known_labels": ["x"]}))
    ds = TinyDataset(spec, rows)
    base = FingerprintForest(n_estimators=20, n_bits=256, n_jobs=1).fit(ds)
    answers = [json.loads(o["output_text"])["answer"] for o in base.outputs(ds)]
    # y is constant positive where measured: missing y on aromatics was not learned as a negative
    assert answers[0] == ["y"]
    assert answers[1] == ["x", "y"]


def test_gene_neighbours_use_symbol_families() -> None:
    train, test = split(genes(), 0.25)
    report = GeneNeighbours(k=3).fit(train).evaluate(test, TinyGrader(train.spec), n_boot=0)
    assert report.metrics["accuracy"].value >= 0.9
    majority = Majority().fit(train).evaluate(test, TinyGrader(train.spec), n_boot=0)
    assert report.metrics["balanced_accuracy"].value > majority.metrics["balanced_accuracy"].value
    # a symbol sharing nothing with the training genes gets the training majority
    unknown = TinyDataset(train.spec, [Example(id="q", entity="QQ", target="sensitive")])
    top = Counter(r.target for r in train.rows).most_common(1)[0][0]
    assert json.loads(next(GeneNeighbours().fit(train).outputs(unknown))["output_text"])["answer"] == top


def test_gene_neighbours_regression_is_a_weighted_mean() -> None:
    spec = TaskSpec(name="genes/tiny_reg", domain="genes", kind="regression", instructions="?")
    train = TinyDataset(
        spec, [Example(id=s, entity=s, target=v) for s, v in [("ZNF1", 1.0), ("ZNF2", 1.0), ("RPL5", 9.0)]]
    )
    test = TinyDataset(spec, [Example(id="q", entity="ZNF3", target=1.0)])
    value = json.loads(next(GeneNeighbours(k=2).fit(train).outputs(test))["output_text"])["answer"]
    assert value == pytest.approx(1.0)


def test_applicability_and_errors() -> None:
    assert [b.name for b in for_task(mol_spec())] == [
        "baseline:majority",
        "baseline:label_prior",
        "baseline:fp_forest",
        "baseline:fp_linear",
        "baseline:desc_gbm",
    ]
    with pytest.raises(DatasetError, match="does not apply"):
        FingerprintForest().fit(genes())
    with pytest.raises(DatasetError, match="does not apply"):
        GeneNeighbours().fit(molecules())
    with pytest.raises(DatasetError, match="empty"):
        Majority().fit(TinyDataset(binary_spec(), []))
    with pytest.raises(DatasetError, match="not fitted"):
        list(Majority().outputs(genes()))
    with pytest.raises(DatasetError, match="fitted on genes/tiny_binary"):
        list(Majority().fit(genes()).outputs(molecules()))


def test_run_baselines_on_splits() -> None:
    ds = genes()
    splits = ds.split("random", (0.7, 0.1, 0.2))
    reports = run_baselines(splits, TinyGrader(ds.spec), n_boot=10)
    assert [r.model for r in reports] == [
        "baseline:majority",
        "baseline:label_prior",
        "baseline:gene_knn",
        "baseline:family_rule",
    ]
    assert all(r.n_examples == len(splits.test) for r in reports)
    assert [r.params["kind"] for r in reports] == ["baseline", "baseline", "shortcut", "shortcut"]


def test_family_rule_uses_the_family_in_train_and_the_prior_elsewhere() -> None:
    spec = TaskSpec(name="genes/fam", domain="genes", kind="binary", labels=("a", "b"), instructions="?")
    train = TinyDataset(
        spec,
        [Example(id=s, entity=s, target=t) for s, t in [("ZNF1", "b"), ("ZSCAN4", "b"), ("HOXA1", "a"), ("SOX2", "a")]],
    )
    test = TinyDataset(spec, [Example(id=s, entity=s, target="a") for s in ("ZKSCAN3", "HOXD13", "PAX6")])
    answers = [json.loads(o["output_text"]) for o in FamilyRule().fit(train).outputs(test)]
    assert [a["answer"] for a in answers] == ["b", "a", "a"]
    assert answers[2]["confidence"] == 0.5  # unseen family: no information (1 / number of labels)
    assert FamilyRule.kind == GeneNeighbours.kind == "shortcut"
    assert Majority.kind == "baseline"


def test_cross_validated_baselines_predict_every_gene_once() -> None:
    from biorft.datasets import load_task

    ds = load_task("genes/bivalent_vs_no_methylation")
    folds = ds.folds(k=5, method="family", seed=0)
    reports = run_baselines(folds, n_boot=0)
    for r in reports:
        assert sorted(rec.id for rec in r.records) == sorted(ds.ids)
        assert r.params["folds"] == {"k": 5, "method": "family", "seed": 0, "test_sizes": folds.sizes}
    rule = next(r for r in reports if r.model == "baseline:family_rule")
    # family folds never show a test family in train: the family rule has no information, and scores chance
    assert {json.loads(rec.output_text)["confidence"] for rec in rule.records} == {0.5}
    assert rule.metrics["auroc"].value == 0.5


def test_fingerprint_baselines_without_scikit_learn_name_the_extra() -> None:
    code = """
import sys
sys.modules["sklearn"] = None  # as if the baselines extra were not installed
from biorft.baselines import FingerprintForest
from biorft.errors import MissingDependencyError
from tests.baselines.test_baselines import molecules
try:
    FingerprintForest().fit(molecules())
except MissingDependencyError as e:
    print(e)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=".").stdout
    assert "pip install 'biorft[baselines]'" in out
