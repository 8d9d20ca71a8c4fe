"""A real (tiny) GRPO run on CPU: TRL trains on a bundled task with the task's own grader, ``grader_for(spec)``.

Nothing is downloaded: the model (2-layer Llama, hidden size 32) and a byte-level BPE tokenizer are built here, and a
few supervised steps teach the model the answer format (``Answer: <label>``, either label), so its completions get
varied rewards from the real grader. The test then checks, completion by completion, that the rewards TRL logged are
the grader's scores of those very completions against their examples' reference items. Runs in seconds on 2 cores;
skipped only when torch / the trl extra are not installed (CI installs them and sets BIORFT_REQUIRE_TRL=1).
"""

from __future__ import annotations

import json
import statistics
from typing import Any

import pytest
from tests.backends import test_trl as stubs

import biorft
from biorft.backends._trl_reward import grader_reward
from biorft.backends.trl import grpo_recipe
from biorft.graders import completion_text, to_sample

pytestmark = [pytest.mark.training, stubs.requires_trl]

TASK = "molecules/bbb_b3db"
STEPS = 3
NUM_GENERATIONS = 4
BATCH = 8  # completions per step: 2 prompts x 4 generations


def teach_answer_format(model: Any, tokenizer: Any, task: Any, steps: int = 16) -> None:
    """Supervised warm-up: after the assistant tag, ``Answer: <label>`` for both labels (loss on the answer only).

    A few steps on a few examples leave a model that mostly answers in the format, with either label and some
    malformed answers: correct, incorrect and unscorable completions, so GRPO groups get different rewards.
    """
    import torch

    prompts, answers = [], []
    for ex in task.examples():
        prompt = tokenizer.apply_chat_template(ex.messages, tokenize=False, add_generation_prompt=True)
        for label in task.spec.labels:
            prompts.append(prompt)
            answers.append(f"Answer: {label}<|end|>")
    tokenizer.padding_side = "right"
    batch = tokenizer([p + a for p, a in zip(prompts, answers, strict=True)], return_tensors="pt", padding=True)
    labels = batch["input_ids"].clone()
    labels[batch["attention_mask"] == 0] = -100
    for row, prompt in enumerate(prompts):
        labels[row, : len(tokenizer(prompt)["input_ids"])] = -100
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-2)
    model.train()
    for _ in range(steps):
        loss = model(**batch, labels=labels).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()


class LoggedCompletions:
    """A ``TrainerCallback`` that keeps, at every log, what TRL logged per completion (its completions table)."""

    def __init__(self) -> None:
        self.trainer: Any = None
        self.steps: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:  # every other TrainerCallback event: nothing to do
        if name.startswith("on_"):
            return lambda *args, **kwargs: None
        raise AttributeError(name)

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if not logs or "reward" not in logs:
            return
        trl_logs = self.trainer._logs
        self.steps.append(
            {
                "step": state.global_step,
                "log": dict(logs),
                "prompt": list(trl_logs["prompt"]),
                "completion": list(trl_logs["completion"]),
                "rewards": {name: list(values) for name, values in trl_logs["rewards"].items()},
                "extra": {name: list(values) for name, values in trl_logs["extra"].items()},
            }
        )


def test_grpo_trains_on_a_bundled_task_with_its_grader(tmp_path: Any) -> None:
    task = biorft.load_task(TASK).head(16)
    grader = biorft.grader_for(task.spec)
    model, tokenizer = stubs.tiny_model_and_tokenizer(task)
    teach_answer_format(model, tokenizer, task.head(4))
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    logged = LoggedCompletions()

    trainer = grpo_recipe(
        model,
        task,
        tokenizer=tokenizer,
        output_dir=tmp_path,
        max_steps=STEPS,
        num_generations=NUM_GENERATIONS,
        per_device_train_batch_size=BATCH,
        max_completion_length=16,
        learning_rate=1e-2,
        save_strategy="no",
        callbacks=[logged],
    )
    logged.trainer = trainer
    trainer.train()

    reward_name = grader_reward(grader).__name__
    assert trainer.reward_func_names == [reward_name]  # the recipe's default reward: the task's grader
    items = {json.dumps(ex.messages): ex.item for ex in task.examples()}
    assert len(logged.steps) == STEPS
    all_scores: list[float] = []
    for k, step in enumerate(logged.steps):
        assert step["step"] == k + 1
        assert len(step["completion"]) == BATCH
        scores, reasons = [], []
        for prompt, completion in zip(step["prompt"], step["completion"], strict=True):
            item = items[json.dumps(prompt)]  # the completion's own example
            result = grader.explain(to_sample(completion_text(completion)), item)
            scores.append(result.score)
            reasons.append(result.reason.value)
        # the rewards TRL logged are the grader's scores on the same completions, one by one
        assert step["rewards"][reward_name] == pytest.approx(scores, abs=1e-6)
        assert step["extra"]["biorft_reason"] == reasons
        # and TRL's step metrics are their mean
        assert step["log"]["reward"] == pytest.approx(statistics.fmean(scores), abs=1e-5)
        assert step["log"][f"rewards/{reward_name}/mean"] == pytest.approx(statistics.fmean(scores), abs=1e-5)
        # GRPO groups: each prompt's NUM_GENERATIONS completions are graded against the same item
        groups = [step["prompt"][i : i + NUM_GENERATIONS] for i in range(0, BATCH, NUM_GENERATIONS)]
        assert all(len({json.dumps(p) for p in group}) == 1 for group in groups)
        all_scores += scores

    # the warmed-up model answers in the task's format, so the real grader gives both full and zero rewards
    assert 0.0 in all_scores
    assert 1.0 in all_scores, [s["completion"] for s in logged.steps]  # what the model said, when it fails
    # rewards varied within groups (non-zero advantages), so the optimiser must have moved the weights
    changed = [n for n, p in model.named_parameters() if not p.detach().equal(before[n])]
    assert changed, "rewards varied but no weight changed"
