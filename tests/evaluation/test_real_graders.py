"""The default grader path: biorft.graders.grader_for(spec), with outputs from an endpoint and from baselines."""

from __future__ import annotations

import json

import openai
import pytest

from biorft.baselines import FingerprintLinear, LabelPrior, Majority
from biorft.evaluation import evaluate, grade_outputs
from biorft.graders import grader_for
from tests.baselines.test_baselines import molecules, split
from tests.evaluation._helpers import binary_spec, make_dataset, multilabel_spec, regression_spec, scripted_answer
from tests.fakes.openai_server import FakeOpenAI


def test_evaluate_defaults_to_the_tasks_grader() -> None:
    ds = make_dataset(binary_spec(), 20)
    grader = grader_for(ds.spec)
    with FakeOpenAI(scripted_answer) as fake:
        client = openai.AsyncOpenAI(base_url=fake.base_url, api_key="sk-test")
        report = evaluate(ds, "m", client, progress=False, n_boot=20)  # no grader given
    for rec, ex in zip(report.records, ds.examples(), strict=True):
        expected = grader.explain({"output_text": rec.output_text}, ex.item)
        assert (rec.score, rec.reason, rec.confidence) == (expected.score, expected.reason.value, expected.confidence)
    # the scripted answers include hedges and missing answers: the real grader says so
    assert {"correct", "hedged"} <= {r.reason for r in report.records}
    assert "auroc" in report.metrics  # some answers state a confidence


@pytest.mark.parametrize("spec", [binary_spec(), multilabel_spec(), regression_spec()])
def test_baseline_answers_are_read_by_the_real_graders(spec) -> None:
    train, test = split(make_dataset(spec, 40))
    for baseline in (Majority(), LabelPrior()):
        report = baseline.fit(train).evaluate(test, n_boot=0)
        assert report.metrics["answered"].value == 1.0, [(r.output_text, r.reason) for r in report.records]


def test_fingerprint_baseline_confidences_reach_auroc_through_the_real_grader() -> None:
    train, test = split(molecules("binary"))
    report = FingerprintLinear(n_bits=512).fit(train).evaluate(test, n_boot=0)
    assert report.metrics["accuracy"].value == 1.0
    assert report.metrics["auroc"].n == len(test)
    again = grade_outputs(test, [{"id": r.id, "output_text": r.output_text} for r in report.records], n_boot=0)
    assert [json.loads(r.output_text)["answer"] for r in again.records] == [r.answer for r in again.records]
