"""The balanced multilabel reward pays no fixed answer more than the label-prior draws (hypothesis)."""

from __future__ import annotations

import itertools
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from biorft.graders import SetGrader
from biorft.graders._labels import label_prevalence

LABELS = ["a", "b", "c", "d"]


@st.composite
def datasets(draw: Any) -> list[dict[str, Any]]:
    """Items with random positives and random measured labels (some items measure every label)."""
    n = draw(st.integers(1, 30))
    items = []
    for k in range(n):
        known = draw(st.one_of(st.none(), st.lists(st.sampled_from(LABELS), min_size=1, unique=True)))
        pool = LABELS if known is None else known
        target = draw(st.lists(st.sampled_from(pool), unique=True))
        item: dict[str, Any] = {"id": f"x{k}", "target": target}
        if known is not None:
            item["known_labels"] = known
        items.append(item)
    return items


def _answer(subset: tuple[str, ...]) -> str:
    return "Answer: " + (", ".join(subset) if subset else "none")


def _mean(grader: SetGrader, items: list[dict[str, Any]], subset: tuple[str, ...]) -> float:
    return math.fsum(grader(_answer(subset), it) for it in items) / len(items)


def _prior_expectation(grader: SetGrader, items: list[dict[str, Any]], rates: dict[str, float]) -> float:
    """Exact expected mean reward of independent draws at ``rates``: a mixture of every fixed subset."""
    total = 0.0
    for size in range(len(LABELS) + 1):
        for subset in itertools.combinations(LABELS, size):
            weight = math.prod(rates[lab] if lab in subset else 1.0 - rates[lab] for lab in LABELS)
            if weight:
                total += weight * _mean(grader, items, subset)
    return total


@settings(max_examples=60, deadline=None)
@given(datasets())
def test_no_fixed_answer_beats_the_label_prior(items: list[dict[str, Any]]) -> None:
    rates = label_prevalence(items, LABELS)
    grader = SetGrader(LABELS, metric="balanced", prevalence=rates)
    prior = _prior_expectation(grader, items, rates)
    means = [_mean(grader, items, s) for n in range(len(LABELS) + 1) for s in itertools.combinations(LABELS, n)]
    # every fixed subset (none, all, any other) earns exactly the same: the prior's expectation
    for mean in means:
        assert mean <= prior + 1e-9
        assert math.isclose(mean, prior, abs_tol=1e-9)


@given(datasets(), st.dictionaries(st.sampled_from(LABELS), st.floats(0, 1)))
def test_balanced_reward_is_a_reward(items: list[dict[str, Any]], partial: dict[str, float]) -> None:
    rates = {lab: partial.get(lab, 0.5) for lab in LABELS}
    grader = SetGrader(LABELS, metric="balanced", prevalence=rates)
    for item in items:
        oracle = grader(_answer(tuple(item["target"])), item)
        assert oracle == 1.0  # the reference answer always scores 1
        for n in range(len(LABELS) + 1):
            for subset in itertools.combinations(LABELS, n):
                assert 0.0 <= grader(_answer(subset), item) <= 1.0


def test_f1_pays_the_constant_none_and_balanced_does_not() -> None:
    items = [{"target": []}] * 8 + [{"target": ["a"]}, {"target": ["b"]}]
    rates = label_prevalence(items, LABELS)
    f1 = SetGrader(LABELS)
    balanced = SetGrader(LABELS, metric="balanced", prevalence=rates)
    assert _mean(f1, items, ()) == 0.8  # "none" is paid on every example without positives
    assert math.isclose(_mean(balanced, items, ()), _prior_expectation(balanced, items, rates))
    assert math.isclose(_mean(balanced, items, ("a", "b", "c", "d")), _mean(balanced, items, ()))
