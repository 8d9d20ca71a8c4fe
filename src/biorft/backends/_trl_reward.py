"""The reward `biorft.backends.trl.grpo_recipe` trains with: a grader as a TRL reward, named ``biorft_<grader>``.

The adapter itself is `biorft.graders.trl_reward` (also ``biorft.rewards.trl``): one implementation for the recipe
and for users who build their own ``GRPOTrainer``; this module only fixes the reward's name in TRL's logs
(``rewards/biorft_<grader>/mean``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from biorft.graders import TRLReward, trl_reward

__all__ = ["RewardFunc", "grader_reward"]

RewardFunc = Callable[..., list[float | None]]
"""A TRL reward function: ``reward(completions, **columns) -> list[float | None]``."""


def grader_reward(grader: Callable[[Any, Any], float], *, name: str | None = None) -> TRLReward:
    """`biorft.graders.trl_reward` with the recipe's default name ``biorft_<grader name>``.

    Args:
        grader: Any callable ``grader(sample, item) -> float`` (a `biorft.graders.Grader` or a stand-in).
        name: The reward's name in TRL's logs (``rewards/<name>/mean``); defaults to ``biorft_<grader.name>``.

    Returns:
        The reward function (see `biorft.graders.trl_reward` for what it does and raises).

    Examples:
        >>> def exact(sample, item):
        ...     return float(sample["output_text"].strip() == item["target"])
        >>> reward = grader_reward(exact)
        >>> reward.__name__
        'biorft_exact'
        >>> reward(completions=[[{"role": "assistant", "content": "yes"}], "no"], id=["a", "a"],
        ...        target=["yes", "yes"])
        [1.0, 0.0]
    """
    reward = trl_reward(grader, name=name)
    reward.__name__ = name or f"biorft_{reward.__name__}"
    return reward
