"""Difficulty filtering against a scripted server whose per-prompt accuracy is known (real openai client)."""

from __future__ import annotations

import json
import random
import threading
from typing import Any

import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

import biorft as br
from biorft.curate import by_pass_rate, pass_at_k, pass_rates, plot_pass_rates, wilson_interval
from biorft.errors import DatasetError
from biorft.evaluation import EvalRecord, EvalReport, evaluate
from tests.fakes.openai_server import FakeOpenAI

K = 8
FAST: dict[str, Any] = {"progress": False, "n_boot": 100, "retry_base_delay": 0.01, "retry_max_delay": 0.05}


class Scripted:
    """Answers each prompt correctly in a known number of its requests (deterministic) or with a known probability."""

    def __init__(self, data: Any, solved: dict[str, int] | None = None, accuracy: dict[str, float] | None = None):
        self.by_messages = {json.dumps(ex.messages): ex for ex in data.examples()}
        self.labels = data.spec.labels
        self.solved = solved
        self.accuracy = accuracy
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> str:
        ex = self.by_messages[json.dumps(body["messages"])]
        with self.lock:
            count = self.seen.get(ex.id, 0)
            self.seen[ex.id] = count + 1
        target = ex.item["target"]
        wrong = next(lab for lab in self.labels if lab != target)
        if self.solved is not None:
            right = count < self.solved[ex.id]
        else:
            assert self.accuracy is not None
            right = random.Random(f"{ex.id}/{count}").random() < self.accuracy[ex.id]
        return f"Reasoning.\nAnswer: {target if right else wrong}"


@pytest.fixture(scope="module")
def data():
    return br.load_task("genes/dosage_sensitive_tfs").head(27)


def run(data: Any, scripted: Scripted, k: int = K) -> EvalReport:
    with FakeOpenAI(scripted) as fake:
        client = openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)
        return evaluate(data, "scripted", client, samples=k, concurrency=8, **FAST)


def test_exact_pass_rates_and_exactly_the_band_selected(data) -> None:
    solved = {i: n % (K + 1) for n, i in enumerate(data.ids)}  # 0..8 of 8, three examples each
    report = run(data, Scripted(data, solved=solved))
    rates = pass_rates(report.records, spec=data.spec)
    assert {i: r.passed for i, r in rates.items()} == solved
    assert all(r.n == K for r in rates.values())
    picked = by_pass_rate(data, report, low=0.25, high=0.75)
    expected = [i for i in data.ids if 2 <= solved[i] <= 6]
    assert picked.ids == expected
    cur = picked.card.curation
    assert cur is not None
    assert (cur.model, cur.samples, cur.low, cur.high, cur.n_examples, cur.n_selected) == (
        "scripted",
        K,
        0.25,
        0.75,
        27,
        len(expected),
    )
    assert cur.histogram == {f"{j / K:.3f}": 3 for j in range(K + 1)}
    # defaults drop the never- and always-solved examples
    assert by_pass_rate(data, report).ids == [i for i in data.ids if 1 <= solved[i] <= 7]
    # the report carries pass@k / maj@k with intervals (4 of 8 right is a tie: no majority)
    assert report.metrics["pass@1"].value == pytest.approx(sum(solved.values()) / (K * len(solved)))
    assert report.metrics[f"pass@{K}"].value == pytest.approx(sum(s > 0 for s in solved.values()) / len(solved))
    assert report.metrics[f"maj@{K}"].value == pytest.approx(sum(s > K / 2 for s in solved.values()) / len(solved))
    m = report.metrics["pass@1"]
    assert m.ci_low <= m.value <= m.ci_high


def test_random_pass_rates_are_recovered_within_their_intervals(data) -> None:
    accuracy = {i: (n % 5) / 4 for n, i in enumerate(data.ids)}  # 0, .25, .5, .75, 1
    report = run(data, Scripted(data, accuracy=accuracy), k=16)
    rates = pass_rates(report.records, spec=data.spec)
    inside = sum(r.ci_low <= accuracy[i] <= r.ci_high for i, r in rates.items())
    assert inside >= 0.9 * len(rates)
    for i, r in rates.items():
        if accuracy[i] in (0.0, 1.0):
            assert r.rate == accuracy[i]


def test_bad_calls_raise_typed_errors(data) -> None:
    one = EvalReport.from_records(
        data.spec,
        "m",
        [
            EvalRecord(id=i, sample=0, output_text="", score=1.0, reason="correct", target=ex.item["target"])
            for i, ex in zip(data.ids, data.examples(), strict=True)
        ],
        n_boot=0,
    )
    with pytest.raises(DatasetError, match="samples"):
        by_pass_rate(data, one)
    with pytest.raises(DatasetError, match="low"):
        by_pass_rate(data, one, low=0.9, high=0.1)
    with pytest.raises(DatasetError, match="not in the data"):
        by_pass_rate(data.head(3), one)
    other = br.load_task("molecules/bbb_b3db").head(3)
    with pytest.raises(DatasetError, match="report is of"):
        by_pass_rate(other, one)


def test_histogram_plot_is_written(data, tmp_path) -> None:
    solved = {i: n % (K + 1) for n, i in enumerate(data.ids)}
    recs = [
        EvalRecord(
            id=i, sample=s, output_text="", score=float(s < solved[i]), reason="correct", target=ex.item["target"]
        )
        for i, ex in zip(data.ids, data.examples(), strict=True)
        for s in range(K)
    ]
    report = EvalReport.from_records(data.spec, "m", recs, n_boot=0)
    out = plot_pass_rates(report, tmp_path / "hist.png", low=0.1, high=0.9)
    assert out.stat().st_size > 1000


@given(st.integers(1, 30), st.data())
def test_pass_at_k_is_a_probability_increasing_in_k_and_c(n: int, draw: st.DataObject) -> None:
    c = draw.draw(st.integers(0, n))
    values = [pass_at_k(n, c, k) for k in range(1, n + 1)]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert values == sorted(values)
    assert values[0] == pytest.approx(c / n)
    if c < n:
        assert pass_at_k(n, c, 1) <= pass_at_k(n, c + 1, 1)


@given(st.integers(1, 200), st.data())
def test_wilson_interval_contains_the_rate(n: int, draw: st.DataObject) -> None:
    c = draw.draw(st.integers(0, n))
    low, high = wilson_interval(c, n)
    assert 0.0 <= low <= c / n <= high <= 1.0


def test_only_samples_with_a_usable_answer_vote_in_maj_at_k() -> None:
    recs = [EvalRecord(id="a", sample=0, output_text="", score=1.0, reason="correct", answer="x", target="x")]
    recs += [
        EvalRecord(id="a", sample=s, output_text="", score=0.0, reason=reason, answer="junk", target="x")
        for s, reason in ((1, "invalid_molecule"), (2, "out_of_range"), (3, "hedged"))
    ]
    assert pass_rates(recs)["a"].majority_correct is True
