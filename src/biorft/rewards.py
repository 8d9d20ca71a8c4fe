"""Graders as reward functions for TRL (GRPO) and verl.

- :func:`trl` wraps a grader in TRL's reward-function signature ``reward_func(completions, **kwargs) ->
  list[float | None]``: completions are strings or conversational message lists, and the dataset's columns arrive
  as keyword lists (``target=[...]``, ``known_labels=[...]``), beside ``prompts``, ``completion_ids`` and
  ``trainer_state``. Each completion is graded against the item built from the columns the grader reads.
- :func:`verl` wraps a grader in verl's custom reward signature ``compute_score(data_source, solution_str,
  ground_truth, extra_info=None) -> float``.

Both return picklable callables that score exactly like ``grader(sample, item)``.

Example:
    >>> from biorft.graders import LabelGrader
    >>> reward = trl(LabelGrader(["BBB+", "BBB-"], name="bbb"))
    >>> reward.__name__
    'bbb'
    >>> reward([[{"role": "assistant", "content": "Answer: BBB+"}], "Answer: BBB-"], target=["BBB+", "BBB+"])
    [1.0, 0.0]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from biorft.errors import GraderError
from biorft.graders import Grader

__all__ = ["TRLReward", "VerlReward", "completion_text", "trl", "verl"]

_ITEM_COLUMNS = ("id", "task", "kind", "entity")
_NAME_RE = re.compile(r"[^0-9A-Za-z_]+")


def completion_text(completion: Any) -> str:
    """The text of one TRL completion: a string, a message dict, or a list of messages (the assistant's content).

    Message content may be a string or a list of parts (``{"type": "text", "text": ...}``); the text of every
    assistant message is joined (the last message alone when none is marked assistant).

    Example:
        >>> completion_text([{"role": "assistant", "content": [{"type": "text", "text": "Answer: 3"}]}])
        'Answer: 3'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return _content_text(completion.get("content"))
    if isinstance(completion, Sequence) and completion:
        messages = [m for m in completion if isinstance(m, dict)]
        assistant = [m for m in messages if m.get("role", "assistant") == "assistant"]
        chosen = assistant or messages[-1:]
        return "\n".join(_content_text(m.get("content")) for m in chosen)
    return ""


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in content]
        return "".join(t for t in texts if isinstance(t, str))
    return ""


class TRLReward:
    """A grader as a TRL reward function (see :func:`trl`)."""

    def __init__(self, grader: Grader, *, name: str | None = None, task: str | None = None) -> None:
        if not isinstance(grader, Grader):
            raise GraderError(f"trl(grader): expected a biorft Grader, got {type(grader).__name__}")
        self.grader = grader
        self.task = task
        self.__name__ = name or (_NAME_RE.sub("_", grader.name).strip("_") or "biorft_reward")

    def __call__(self, completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Score a batch: one reward per completion, ``None`` where the row has no reference or another task."""
        n = len(completions)
        columns: dict[str, Sequence[Any]] = {}
        for key in sorted(self.grader.referenced_fields | set(_ITEM_COLUMNS)):
            values = kwargs.get(key)
            if values is None:
                continue
            if isinstance(values, str) or not isinstance(values, Sequence) or len(values) != n:
                raise GraderError(
                    f"reward {self.__name__}: column {key!r} must be a list with one value per completion "
                    f"({n}), got {type(values).__name__}"
                )
            columns[key] = values
        missing = [f for f in sorted(self.grader.referenced_fields) if f not in columns and f != "known_labels"]
        if missing:
            present = sorted(
                k for k in kwargs if k not in ("prompts", "completions", "completion_ids", "trainer_state")
            )
            raise GraderError(
                f"reward {self.__name__}: the dataset has no column {missing[0]!r}, which grader {self.grader.name!r} "
                f"reads; add it to the training dataset (columns seen: {present})"
            )
        rewards: list[float | None] = []
        for i, completion in enumerate(completions):
            item = {key: values[i] for key, values in columns.items()}
            if self.task is not None and "task" in item and item["task"] != self.task:
                rewards.append(None)
                continue
            if any(item.get(f) is None for f in self.grader.referenced_fields if f != "known_labels"):
                rewards.append(None)
                continue
            if item.get("known_labels") is None:
                item.pop("known_labels", None)
            rewards.append(self.grader({"output_text": completion_text(completion)}, item))
        return rewards


def trl(grader: Grader, *, name: str | None = None, task: str | None = None) -> TRLReward:
    """Wrap ``grader`` as a TRL ``GRPOTrainer`` reward function.

    The function takes ``completions`` (strings, or conversational lists of messages) and the dataset columns as
    keyword lists, and returns one reward per completion. A row whose reference (e.g. ``target``) is ``None``, or
    whose ``task`` column differs from ``task`` when given (multi-task datasets), gets ``None``, which TRL skips.
    A missing column raises :class:`~biorft.errors.GraderError` naming it (a setup error, not model output).

    Args:
        grader: The grader.
        name: The function's ``__name__`` (TRL logs rewards under it); defaults to the grader's name.
        task: Only score rows whose ``task`` column equals this task name.

    Returns:
        A picklable callable with TRL's reward-function signature.

    Example:
        >>> from biorft.graders import NumericGrader
        >>> reward = trl(NumericGrader(abs_tol=0.5, name="logS"), task="molecules/logs")
        >>> reward(["Answer: -2.2", "Answer: 1"], target=[-2.0, 0.0], task=["molecules/logs", "other"],
        ...        prompts=["p1", "p2"], completion_ids=[[1], [2]], trainer_state=None)
        [1.0, None]
    """
    return TRLReward(grader, name=name, task=task)


class VerlReward:
    """A grader as a verl ``compute_score`` function (see :func:`verl`)."""

    def __init__(self, grader: Grader, *, details: bool = False) -> None:
        if not isinstance(grader, Grader):
            raise GraderError(f"verl(grader): expected a biorft Grader, got {type(grader).__name__}")
        self.grader = grader
        self.details = details
        self.__name__ = "compute_score"

    def __call__(
        self, data_source: Any, solution_str: str, ground_truth: Any, extra_info: Any = None, **kwargs: Any
    ) -> float | dict[str, Any]:
        """Score one response: ``extra_info["item"]`` when present, else ``{"target": ground_truth}``."""
        item = extra_info.get("item") if isinstance(extra_info, dict) else None
        if not isinstance(item, dict):
            item = {"target": ground_truth}
        result = self.grader.explain({"output_text": solution_str if isinstance(solution_str, str) else ""}, item)
        if self.details:
            return {"score": result.score, "reason": result.reason.value, "correct": float(result.correct)}
        return result.score


def verl(grader: Grader, *, details: bool = False) -> VerlReward:
    r"""Wrap ``grader`` as verl's ``compute_score(data_source, solution_str, ground_truth, extra_info=None)``.

    The item is ``extra_info["item"]`` when the verl dataset carries it (``biorft.export.verl`` writes it), else
    ``{"target": ground_truth}``.

    Args:
        grader: The grader.
        details: Return ``{"score", "reason", "correct"}`` (verl logs the extra keys) instead of the bare score.

    Returns:
        A picklable callable with verl's custom reward signature.

    Example:
        >>> from biorft.graders import LabelGrader
        >>> compute_score = verl(LabelGrader(["active", "inactive"]))
        >>> compute_score("molecules/demo", "Reasoning...\nAnswer: active", "active")
        1.0
        >>> compute_score("molecules/demo", "Answer: active", None, extra_info={"item": {"target": "inactive"}})
        0.0
    """
    return VerlReward(grader, details=details)
