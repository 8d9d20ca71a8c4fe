"""Gene families: the symbol rule, the ``family`` split and folds, and the family leakage check."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biorft.datasets import Splits, TaskDataset, gene_family, load_task
from biorft.datasets._families import family_groups, family_keys, shared_families
from biorft.errors import DatasetError
from biorft.schema import DatasetCard, TaskSpec

GENE_TASKS = ("genes/dosage_sensitive_tfs", "genes/bivalent_vs_no_methylation", "genes/bivalent_vs_lys4_only")

POOL = [
    *(f"ZNF{i}" for i in (10, 22, 263, 763)),
    *("ZSCAN5A", "ZFP41", "ZKSCAN3", "ZBTB17", "ZIM2", "ZIC1"),
    *(f"HOX{c}{i}" for c in "ABCD" for i in (1, 9, 13)),
    *("SOX2", "SOX9", "SRY", "FOXA1", "FOXP2", "FOXJ3", "KLF6", "SP1", "SP140L"),
    *("NR2F2", "RARB", "RXRG", "RORC", "ESRRG", "THRB", "PPARD"),
    *("TBX5", "TBXT", "PAX6", "NKX2-1", "NKX6-1", "MEF2BNB-MEF2B", "MEF2C", "CCDC169-SOHLH2", "SOHLH1", "CCDC88A"),
    *("GATA2", "IRX3", "LHX2", "LMX1B", "TP63", "E2F1", "RP11-793H13.10", "AL035078.4", "MITF", "TFEB"),
]


def gene_ds(symbols: list[str], labels: list[str]) -> TaskDataset:
    spec = TaskSpec(name="test/genes", domain="genes", kind="binary", labels=("a", "b"), instructions="?")
    n = len(symbols)
    frame = pl.DataFrame(
        {
            "id": [f"g{i:04d}" for i in range(n)],
            "entity": symbols,
            "target": labels,
            "symbol": symbols,
            "ensembl_id": [f"ENSG{i:011d}" for i in range(n)],
        }
    )
    card = DatasetCard(task=spec.name, version="1.0.0", licence="CC0-1.0", n_rows_in=n, n_kept=n, n_quarantined=0)
    return TaskDataset(spec, frame, card)


def leading_letters(symbol: str) -> str:
    """An outside family rule: the symbol's leading letters (ZNF263 -> ZNF, HOXB13 -> HOXB)."""
    return re.match(r"[A-Z]*", symbol).group(0)  # type: ignore[union-attr]


def test_named_families_are_one_group_each() -> None:
    assert {gene_family(s) for s in ("ZNF263", "ZSCAN5A", "ZFP41", "ZKSCAN3", "ZBTB17", "ZIM2")} == {"ZNF"}
    assert {gene_family(f"HOX{c}{i}") for c in "ABCD" for i in (1, 13)} == {"HOX"}
    assert {gene_family(s) for s in ("SOX2", "SOX21", "SRY")} == {"SOX"}
    assert {gene_family(s) for s in ("FOXA1", "FOXP2", "FOXR2", "FOXS1")} == {"FOX"}
    assert {gene_family(s) for s in ("KLF1", "KLF17", "SP1")} == {"KLF"}
    assert {gene_family(s) for s in ("NR4A1", "RARA", "RXRB", "RORA", "ESR1", "ESRRG", "THRB", "PPARD")} == {"NR"}
    assert gene_family("NKX2-1") == gene_family("NKX6-3") == "NKX"
    assert gene_family("RP11-793H13.10") == "RP11-793H13.10"  # unnamed genes are families of their own
    assert family_keys(gene_family("CCDC169-SOHLH2")) == ("CCD", "SOH")


def test_family_groups_join_read_through_genes() -> None:
    groups = family_groups([gene_family(s) for s in ("SOHLH1", "CCDC169-SOHLH2", "CCDC88A", "HOXA1")])
    assert groups == {"CCD+SOH": [0, 1, 2], "HOX": [3]}


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(st.sampled_from(POOL), min_size=12, max_size=120),
    seed=st.integers(0, 2**16),
    k=st.integers(2, 6),
)
def test_family_split_and_folds_never_share_a_family(picks: list[str], seed: int, k: int) -> None:
    symbols = list(dict.fromkeys(picks))
    if len(family_groups([gene_family(s) for s in symbols])) < 3:
        return
    ds = gene_ds(symbols, ["a" if i % 3 else "b" for i in range(len(symbols))])
    splits = ds.split("family", seed=seed)
    splits.check_leakage()
    parts = [part.frame["symbol"].to_list() for _, part in splits]
    assert sum(map(len, parts)) == len(symbols)
    for rule in (gene_family, leading_letters):  # ours, and a finer outside rule
        assert not shared_families([[rule(s) for s in p] for p in parts])
    n_groups = len(family_groups([gene_family(s) for s in symbols]))
    if n_groups < k:
        with pytest.raises(DatasetError, match="families"):
            ds.folds(k=k, method="family", seed=seed)
        return
    folds = ds.folds(k=k, method="family", seed=seed)
    assert len(folds) == k
    tested = [i for _, test in folds for i in test.ids]
    assert sorted(tested) == sorted(ds.ids)  # every example tested exactly once
    for train, test in folds:
        assert set(train.ids).isdisjoint(test.ids)
        assert len(train) + len(test) == len(ds)
        for rule in (gene_family, leading_letters):
            train_fam = {rule(s) for s in train.frame["symbol"].to_list()}
            test_fam = {rule(s) for s in test.frame["symbol"].to_list()}
            assert not (set().union(*map(family_keys, train_fam)) & set().union(*map(family_keys, test_fam)))
    folds.check_leakage()


@pytest.mark.parametrize("task", GENE_TASKS)
def test_bundled_family_split_has_no_shared_family(task: str) -> None:
    ds = load_task(task)
    splits = ds.split("family", seed=0)
    splits.check_leakage()
    parts = [part.frame["symbol"].to_list() for _, part in splits]
    assert not shared_families([[leading_letters(s) for s in p] for p in parts])
    assert all(len(p) > 0 for p in parts)


def test_check_leakage_names_the_shared_family() -> None:
    ds = load_task("genes/bivalent_vs_no_methylation")
    good = ds.split("family", seed=0)
    hox = ds.frame.filter(pl.col("symbol").str.starts_with("HOX"))["id"].to_list()
    leaky = Splits(train=good.train, valid=good.valid, test=ds.subset([*good.test.ids, hox[0]]), stats=good.stats)
    with pytest.raises(DatasetError, match=r"gene families in two parts: HOX"):
        leaky.check_leakage()
    with pytest.raises(DatasetError, match=r"gene families in two parts"):
        ds.split("cold", seed=0).check_leakage()  # a random gene-level split shares families


def test_family_split_needs_a_gene_task() -> None:
    with pytest.raises(DatasetError, match="needs a gene task"):
        load_task("molecules/bbb_b3db").head(50).split("family")


def test_evaluate_over_folds_answers_every_gene_once() -> None:
    import openai
    from tests.fakes.openai_server import FakeOpenAI

    import biorft as br

    ds = load_task("genes/bivalent_vs_no_methylation")
    folds = ds.folds(k=5, method="family", seed=0)
    with FakeOpenAI(lambda body: "Answer: bivalent") as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        report = br.evaluate(folds, model="m", client=client, progress=False, n_boot=0)
    assert sorted(r.id for r in report.records) == sorted(ds.ids)
    assert report.n_examples == len(ds)
