"""Soft verifiers: rewards from a predictor, in-process, through the TRL and verl adapters, never exported."""

from __future__ import annotations

import math
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import biorft as br
from biorft import rewards
from biorft.baselines import FingerprintForest
from biorft.errors import GraderError
from biorft.graders import LabelGrader, Reason, SoftVerifier, WeightedSum, grader_for
from biorft.schema import TaskSpec


class Fixed:
    def __init__(self, value):
        self.value = value
        self.calls = 0

    def predict(self, entities):
        self.calls += 1
        return [self.value for _ in entities]


@pytest.fixture(scope="module")
def bbb():
    ds = br.load_task("molecules/bbb_b3db")
    splits = ds.split("scaffold")
    forest = FingerprintForest(n_estimators=20).fit(splits.train.head(600))
    return splits, forest


def binary_spec() -> TaskSpec:
    return TaskSpec(name="genes/demo", domain="genes", kind="binary", labels=("yes", "no"), instructions="?")


def test_reward_is_the_predictors_probability_of_the_answered_label(bbb) -> None:
    splits, forest = bbb
    soft = SoftVerifier.from_baseline(forest)
    for ex in list(splits.test.examples())[:20]:
        (pred,) = list(forest.outputs(splits.test.subset([ex.id])))
        import json

        parsed = json.loads(pred["output_text"])
        other = next(lab for lab in splits.spec.labels if lab != parsed["answer"])
        assert soft(f"Answer: {parsed['answer']}", ex.item) == pytest.approx(parsed["confidence"])
        assert soft(f"Answer: {other}", ex.item) == pytest.approx(1 - parsed["confidence"])
        assert soft(f"Answer: {parsed['answer']} or {other}", ex.item) == 0.0
        assert soft("I cannot tell.", ex.item) == 0.0


def test_unusable_answers_score_zero_with_the_hard_graders_reason() -> None:
    soft = SoftVerifier(Fixed({"yes": 0.9, "no": 0.1}), binary_spec())
    assert soft.explain("Answer: yes or no", {"entity": "X"}).reason is Reason.HEDGED
    assert soft.explain("no idea", {"entity": "X"}).reason is Reason.NO_ANSWER
    assert soft.explain("Answer: yes", {}).reason is Reason.BAD_ITEM
    r = soft.explain("Answer: yes", {"entity": "X"})
    assert (r.score, r.reason, r.answer) == (0.9, Reason.PARTIAL, "yes")


def test_hard_weight_blends_in_the_reference() -> None:
    soft = SoftVerifier(Fixed({"yes": 0.6, "no": 0.4}), binary_spec(), hard_weight=0.5)
    assert soft("Answer: yes", {"entity": "X", "target": "yes"}) == pytest.approx(0.8)
    assert soft("Answer: no", {"entity": "X", "target": "yes"}) == pytest.approx(0.2)
    assert soft.explain("Answer: no", {"entity": "X"}).reason is Reason.BAD_ITEM
    assert soft.referenced_fields >= {"entity", "target"}


def test_regression_kernel_and_multilabel_credit() -> None:
    spec = TaskSpec(
        name="molecules/logs",
        domain="molecules",
        kind="regression",
        units="log(mol/L)",
        tolerance=0.5,
        instructions="?",
    )
    soft = SoftVerifier(Fixed(-2.0), spec)
    assert soft("Answer: -2.0", {"entity": "CCO"}) == 1.0
    assert soft("Answer: -2.5", {"entity": "CCO"}) == pytest.approx(math.exp(-0.5))
    assert soft("Answer: -2 to -3", {"entity": "CCO"}) == 0.0
    ml = TaskSpec(name="molecules/ml", domain="molecules", kind="multilabel", labels=("a", "b"), instructions="?")
    soft_ml = SoftVerifier(Fixed({"a": 0.9, "b": 0.2}), ml)
    assert soft_ml('{"answer": ["a"]}', {"entity": "CCO"}) == pytest.approx((0.9 + 0.8) / 2)


def test_predictions_are_cached_per_entity() -> None:
    pred = Fixed({"yes": 0.7, "no": 0.3})
    soft = SoftVerifier(pred, binary_spec())
    for _ in range(5):
        soft("Answer: yes", {"entity": "X"})
    assert pred.calls == 1


def test_export_is_refused_and_hard_compositions_say_how_to_blend() -> None:
    soft = SoftVerifier(Fixed({"yes": 0.7, "no": 0.3}), binary_spec())
    with pytest.raises(GraderError, match="cannot carry a model"):
        soft.to_openai()
    with pytest.raises(GraderError, match="cannot carry"):
        soft.to_source()
    with pytest.raises(GraderError, match="hard_weight"):
        WeightedSum([(1.0, soft), (1.0, LabelGrader(["yes", "no"]))])
    with pytest.raises(GraderError, match="predict"):
        SoftVerifier(object(), binary_spec())  # type: ignore[arg-type]


def test_trl_and_verl_rewards_score_like_the_verifier(bbb) -> None:
    splits, forest = bbb
    soft = pickle.loads(pickle.dumps(SoftVerifier.from_baseline(forest, name="bbb_soft")))
    items = [ex.item for ex in list(splits.test.examples())[:8]]
    texts = [f"Answer: {'BBB+' if i % 2 else 'BBB-'}" for i in range(8)]
    expected = [soft({"output_text": t}, it) for t, it in zip(texts, items, strict=True)]
    trl_reward = rewards.trl(soft)
    got = trl_reward(texts, entity=[it["entity"] for it in items], id=[it["id"] for it in items])
    assert got == expected
    compute_score = rewards.verl(soft)
    assert [compute_score("x", t, None, {"item": it}) for t, it in zip(texts, items, strict=True)] == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_and_stays_bounded(text: str) -> None:
    soft = SoftVerifier(Fixed({"yes": 0.7, "no": 0.3}), binary_spec(), hard=grader_for(binary_spec()))
    score = soft({"output_text": text}, {"entity": "X", "target": "yes"})
    assert 0.0 <= score <= 1.0
