"""Graders as reward functions for TRL (GRPO) and verl.

- [`trl`][biorft.rewards.trl] wraps a grader in TRL's reward-function signature
  ``reward_func(completions, **kwargs) -> list[float | None]``: completions are strings or conversational message
  lists, and the dataset's columns arrive as keyword lists (``target=[...]``, ``known_labels=[...]``), beside
  ``prompts``, ``completion_ids`` and TRL's hooks (``trainer_state``, ``log_extra``, ``log_metric``). Each
  completion becomes an OpenAI-style sample ([`to_sample`][biorft.rewards.to_sample]) and is graded against the item
  rebuilt from the columns, exactly as [reference_item][biorft.schema.reference_item] made it (the columns
  [`grpo_dataset`][biorft.backends.trl.grpo_dataset] and [`export.trl`][biorft.export.trl] write).
- [`verl`][biorft.rewards.verl] wraps a grader in verl's custom reward signature ``compute_score(data_source,
  solution_str, ground_truth, extra_info=None) -> float``, with the same argument handling as the ``reward.py``
  that [`export.verl`][biorft.export.verl] writes.

Both return picklable callables that score exactly like ``grader(sample, item)``. They are the reward side of the
grader I/O contract in `biorft.graders` (sample and item adapters, item field names), re-exported here.

Examples:
    >>> from biorft.graders import LabelGrader
    >>> reward = trl(LabelGrader(["BBB+", "BBB-"], name="bbb"))
    >>> reward.__name__
    'bbb'
    >>> reward([[{"role": "assistant", "content": "Answer: BBB+"}], "Answer: BBB-"], target=["BBB+", "BBB+"])
    [1.0, 0.0]
"""

from __future__ import annotations

from biorft.graders._io import completion_text, to_sample
from biorft.graders._rewards import TRLReward, VerlReward
from biorft.graders._rewards import trl_reward as trl
from biorft.graders._rewards import verl_reward as verl

__all__ = ["TRLReward", "VerlReward", "completion_text", "to_sample", "trl", "verl"]
