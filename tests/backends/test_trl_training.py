"""A real (tiny) GRPO run on CPU: TRL trains a randomly initialised model with biorft's data and reward.

Nothing is downloaded: the model (2-layer Llama, hidden size 32) and a byte-level BPE tokenizer are built here.
Runs in a few seconds on 2 cores; skipped only when torch / the trl extra are not installed (CI installs them).
"""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from tests.backends import test_trl as stubs

import biorft
from biorft.backends.trl import grpo_recipe

pytestmark = [pytest.mark.training, stubs.requires_trl]

STEPS = 3
NUM_GENERATIONS = 4
BATCH = 8  # completions per step: 2 prompts x 4 generations


def training_task() -> Any:
    """The task trained on. One-line switch once the datasets stream lands:
    ``return biorft.load_task("molecules/bbb_b3db").head(16)``."""
    return stubs.bbb_task(16)


def task_grader(spec: Any) -> Any:
    """The task's grader. One-line switch once the graders stream lands: ``return biorft.grader_for(spec)``."""
    return ShapedStandInGrader()


class ShapedStandInGrader:
    """Stand-in with biorft's grader signature: 1 for the exact final answer, partial credit for its characters.

    The partial credit makes rewards vary inside a GRPO group even for a random model, so the run has a learning
    signal and the logged reward mean is a non-trivial number to check.
    """

    name = "bbb_stand_in"
    referenced_fields = frozenset({"target"})

    def __call__(self, sample: Any, item: dict[str, Any]) -> float:
        text = sample["output_text"] if isinstance(sample, dict) else str(sample)
        target = item["target"]
        if text.strip().endswith(f"Answer: {target}"):
            return 1.0
        return 0.5 * len(set(text) & set(target)) / len(set(target))


class Recording:
    """Wraps a grader and records what the reward adapter asked it (item, score)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "grader")
        self.referenced_fields = getattr(inner, "referenced_fields", frozenset())
        self.calls: list[tuple[dict[str, Any], float]] = []

    def __call__(self, sample: Any, item: dict[str, Any]) -> float:
        score = float(self.inner(sample, item))
        self.calls.append((dict(item), score))
        return score


def test_grpo_trains_tiny_model_with_biorft_reward(tmp_path: Any) -> None:
    task = training_task()
    grader = Recording(task_grader(task.spec))
    model, tokenizer = stubs.tiny_model_and_tokenizer(task)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}

    trainer = grpo_recipe(
        model,
        task,
        grader,
        tokenizer=tokenizer,
        output_dir=tmp_path,
        max_steps=STEPS,
        num_generations=NUM_GENERATIONS,
        per_device_train_batch_size=BATCH,
        max_completion_length=16,
        learning_rate=1e-2,
        save_strategy="no",
        allow_hackable=True,  # the stand-in grader pays partial credit for any overlap: fine for a smoke test
    )
    trainer.train()

    # the reward was logged every step, in [0, 1], under biorft's reward name
    logs = [h for h in trainer.state.log_history if "reward" in h]
    assert [h["step"] for h in logs] == list(range(1, STEPS + 1))
    for h in logs:
        assert 0.0 <= h["reward"] <= 1.0
        assert f"rewards/biorft_{grader.name}/mean" in h

    # every completion was graded against its example's reference item, rebuilt from the dataset columns
    assert len(grader.calls) == STEPS * BATCH
    items = {p.id: biorft.reference_item(task.spec, p.example) for p in task.examples()}
    for item, score in grader.calls:
        assert item == items[item["id"]]
        assert 0.0 <= score <= 1.0

    # GRPO groups: each prompt's NUM_GENERATIONS completions are graded together against the same item
    groups = [grader.calls[i : i + NUM_GENERATIONS] for i in range(0, len(grader.calls), NUM_GENERATIONS)]
    assert all(len({item["id"] for item, _ in group}) == 1 for group in groups)

    # the logged reward of each step is the mean of that step's grades
    for k, h in enumerate(logs):
        step_scores = [score for _, score in grader.calls[k * BATCH : (k + 1) * BATCH]]
        assert h["reward"] == pytest.approx(statistics.fmean(step_scores), abs=1e-5)

    # a group with differing rewards has non-zero advantages, so the optimiser must have moved the weights
    if any(len({score for _, score in group}) > 1 for group in groups):
        changed = [n for n, p in model.named_parameters() if not p.detach().equal(before[n])]
        assert changed, "rewards varied within a group but no weight changed"
