"""``limit=N``: a seeded sample, stratified by label for classification tasks, never the first N rows."""

from __future__ import annotations

import collections

import openai
from hypothesis import example, given
from hypothesis import strategies as st

import biorft as br
from biorft.evaluation import evaluate
from biorft.evaluation._sample import sample_ids
from biorft.schema import TaskSpec
from tests.fakes.openai_server import FakeOpenAI

SPEC = TaskSpec(name="t", domain="other", kind="multiclass", labels=("a", "b", "c"), instructions="x")
REG = TaskSpec(name="r", domain="other", kind="regression", instructions="x")


@example(labels=list("abbbbc"), limit=3, seed=0)  # a rare label must not be the one given back
@given(
    labels=st.lists(st.sampled_from("abc"), min_size=1, max_size=200),
    limit=st.integers(1, 250),
    seed=st.integers(0, 5),
)
def test_a_stratified_sample_keeps_every_share(labels: list[str], limit: int, seed: int) -> None:
    rows = [(f"x{i}", lab) for i, lab in enumerate(labels)]
    ids, info = sample_ids(SPEC, rows, limit, seed=seed)
    assert ids == sample_ids(SPEC, rows, limit, seed=seed)[0]  # seeded
    order = [i for i, _ in rows]
    assert ids == [i for i in order if i in set(ids)]  # dataset order, no repeats
    assert len(ids) == min(limit, len(rows))
    if info is None:
        assert limit >= len(rows)
        return
    assert (info.n, info.of, info.seed, info.stratified_by) == (len(ids), len(rows), seed, "label")
    have = collections.Counter(labels)
    got = collections.Counter(dict(rows)[i] for i in ids)
    assert got == collections.Counter(info.counts)
    for label, n in have.items():
        share = limit * n / len(rows)
        if limit >= len(have):
            assert got[label] >= 1  # every label present stays present
        assert abs(got[label] - share) <= max(1.0, len(have) - 1)


def test_regression_tasks_get_a_plain_seeded_sample() -> None:
    rows = [(f"x{i}", float(i)) for i in range(50)]
    ids, info = sample_ids(REG, rows, 10, seed=1)
    assert info is not None
    assert info.stratified_by is None
    assert len(ids) == 10
    assert ids != [f"x{i}" for i in range(10)]
    assert ids != sample_ids(REG, rows, 10, seed=2)[0]


def test_limit_on_a_real_task_measures_both_classes_not_the_first_rows() -> None:
    ds = br.load_task("molecules/bbb_b3db")
    test = ds.split("scaffold").test
    first = [ex.item["target"] for ex in test.head(10).examples()]
    with FakeOpenAI() as fake:
        client = openai.AsyncOpenAI(base_url=fake.base_url, api_key="sk-test")
        report = evaluate(test, "m", client, limit=10, progress=False, n_boot=0)
        assert fake.count("/v1/chat/completions") == 10
    targets = collections.Counter(r.target for r in report.records)
    assert len(targets) == 2, (targets, first)  # both classes, whatever the first rows hold
    assert report.sample is not None
    assert report.sample.of == len(test)
    counts = collections.Counter(ex.item["target"] for ex in test.examples())
    for label, n in report.sample.counts.items():
        assert abs(n - 10 * counts[label] / len(test)) < 1
    assert "seeded sample of 10 of" in report.table()
