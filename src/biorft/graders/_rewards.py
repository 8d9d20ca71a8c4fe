"""Graders as reward functions for TRL (GRPO) and verl: the reward side of the grader I/O contract.

- `trl_reward` (``biorft.rewards.trl``) wraps a grader in TRL's reward-function signature
  ``reward_func(completions, **kwargs) -> list[float | None]``: completions are strings or conversational message
  lists, and the dataset's columns arrive as keyword lists (``target=[...]``, ``known_labels=[...]``), beside
  ``prompts``, ``completion_ids`` and TRL's hooks (``trainer_state``, ``log_extra``, ``log_metric``). Each
  completion becomes an OpenAI-style sample (`to_sample`) and is graded against the item rebuilt from the columns
  (`item_from_columns`), exactly as `biorft.schema.reference_item` made it.
- `verl_reward` (``biorft.rewards.verl``) wraps a grader in verl's custom reward signature
  ``compute_score(data_source, solution_str, ground_truth, extra_info=None) -> float``; the exported ``reward.py``
  (`verl_reward_source`) runs the same argument handling (the runtime's ``verl_inputs``) on the grader's exported
  source.

Both return picklable callables that score exactly like ``grader(sample, item)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from biorft.errors import GraderError
from biorft.graders._base import Grader
from biorft.graders._io import completion_text, grader_fields, item_from_columns, to_sample
from biorft.graders._rt.inputs import verl_inputs

__all__ = ["COMPUTE_SCORE_SHIM", "TRLReward", "VerlReward", "trl_reward", "verl_reward", "verl_reward_source"]

_NAME_RE = re.compile(r"[^0-9A-Za-z_]+")
_TRL_KWARGS = frozenset(
    {"prompts", "completions", "completion_ids", "trainer_state", "log_extra", "log_metric", "environments"}
)
"""Keyword arguments TRL passes besides the dataset columns."""
_UNSCORABLE = frozenset({"no_answer", "parse_error", "format_error"})
"""Reasons counted in the ``biorft/unscorable`` metric: the completion stated no usable answer."""


def _grader_name(grader: Any) -> str:
    return str(getattr(grader, "name", None) or getattr(grader, "__name__", None) or type(grader).__name__)


def _row(item: Mapping[str, Any], index: int) -> str:
    return f"row {item['id']!r}" if "id" in item else f"row {index} of the batch (it has no id)"


class TRLReward:
    """A grader as a TRL reward function (see `trl_reward`).

    Attributes:
        grader: The wrapped grader.
        task: Only rows of this task are scored (``None``: every row).
        fields: The item keys rebuilt from the dataset columns.
        required: The columns every dataset must have and every scored row must have non-null.
    """

    def __init__(
        self, grader: Callable[[Any, Any], float], *, name: str | None = None, task: str | None = None
    ) -> None:
        if not callable(grader):
            raise GraderError(
                f"trl(grader): expected a biorft Grader or a callable grader(sample, item) -> float, got "
                f"{type(grader).__name__}"
            )
        self.grader = grader
        self.task = task
        self.fields, self.required = grader_fields(grader)
        self.__name__ = name or (_NAME_RE.sub("_", _grader_name(grader)).strip("_") or "biorft_reward")

    def __call__(self, completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Score a batch: one reward per completion, ``None`` where the row has no reference or another task."""
        columns = self._columns(len(completions), kwargs)
        explain = getattr(self.grader, "explain", None)
        tasks = columns.get("task")
        scores: list[float | None] = []
        reasons: list[str] = []
        for i, completion in enumerate(completions):
            item = item_from_columns(columns, i, self.fields)
            skip = self.task is not None and tasks is not None and tasks[i] != self.task
            if skip or any(item.get(f) is None for f in self.required):
                scores.append(None)
                reasons.append("")
                continue
            score, reason = self._grade(explain, to_sample(completion_text(completion)), item, i)
            scores.append(score)
            reasons.append(reason)
        if callable(explain) and scores:
            self._log(kwargs, scores, reasons)
        return scores

    def _columns(self, n: int, kwargs: Mapping[str, Any]) -> dict[str, Sequence[Any]]:
        columns: dict[str, Sequence[Any]] = {}
        for key in self.fields:
            values = kwargs.get(key)
            if values is None:
                continue
            if isinstance(values, str) or not isinstance(values, Sequence) or len(values) != n:
                got = f"{len(values)} values" if isinstance(values, Sequence) else type(values).__name__
                raise GraderError(
                    f"reward {self.__name__!r}: column {key!r} must be a list with one value per completion ({n}), "
                    f"got {got}"
                )
            columns[key] = values
        missing = sorted(f for f in self.required if f not in columns)
        if missing:
            present = sorted(k for k in kwargs if k not in _TRL_KWARGS)
            raise GraderError(
                f"reward {self.__name__!r}: the dataset has no column(s) {missing}, which grader "
                f"{_grader_name(self.grader)!r} reads; build the training dataset with "
                f"biorft.backends.trl.grpo_dataset(...) or add the column(s) (columns seen: {present})"
            )
        return columns

    def _grade(self, explain: Any, sample: dict[str, Any], item: dict[str, Any], index: int) -> tuple[float, str]:
        try:
            if callable(explain):
                result = explain(sample, item)
                raw, reason = result.score, getattr(result.reason, "value", result.reason)
            else:
                raw, reason = self.grader(sample, item), ""
        except Exception as exc:
            raise GraderError(
                f"reward {self.__name__!r}: the grader raised {type(exc).__name__}: {exc} on {_row(item, index)}; "
                "graders must return a score for every output, so fix the grader"
            ) from exc
        try:
            score = float(raw)
        except (TypeError, ValueError):
            score = math.nan
        if not (math.isfinite(score) and 0.0 <= score <= 1.0):
            raise GraderError(
                f"reward {self.__name__!r}: the grader returned {raw!r} for {_row(item, index)}; scores must be in "
                "[0, 1], so fix the grader"
            )
        return score, "" if reason is None else str(reason)

    @staticmethod
    def _log(kwargs: Mapping[str, Any], scores: list[float | None], reasons: list[str]) -> None:
        log_extra, log_metric = kwargs.get("log_extra"), kwargs.get("log_metric")
        if callable(log_extra):
            log_extra("biorft_reason", reasons)
        graded = [r for r, s in zip(reasons, scores, strict=True) if s is not None]
        if callable(log_metric) and graded:
            log_metric("biorft/unscorable", sum(r.lower() in _UNSCORABLE for r in graded) / len(graded))


def trl_reward(grader: Callable[[Any, Any], float], *, name: str | None = None, task: str | None = None) -> TRLReward:
    """Wrap ``grader`` as a TRL ``GRPOTrainer`` reward function.

    The function takes ``completions`` (strings, or conversational lists of messages) and the dataset columns as
    keyword lists, and returns one reward per completion. Each item is rebuilt from the item columns
    (``id``, ``task``, ``kind``, ``entity``, ``target``, ``known_labels``) plus any other column the grader reads
    (``referenced_fields``), leaving out null values, so it equals `biorft.schema.reference_item`'s item. A row
    whose required fields (``target``, or the grader's ``referenced_fields`` except ``known_labels``) are null,
    or whose ``task`` column differs from ``task`` when given (multi-task datasets), gets ``None``, which TRL
    skips. When the grader has ``explain`` (every biorft grader does), each completion's reason goes to TRL's
    completions table (column ``biorft_reason``) and the share of unscorable answers (no answer / parse error /
    format error) is logged as the metric ``biorft/unscorable``.

    Args:
        grader: A `biorft.graders.Grader`, or any callable ``grader(sample, item) -> float`` (optionally with
            ``name``, ``referenced_fields`` and ``explain``; without ``referenced_fields`` it is assumed to read
            ``target``).
        name: The function's ``__name__`` (TRL logs rewards under it); defaults to the grader's name.
        task: Only score rows whose ``task`` column equals this task name.

    Returns:
        A picklable callable with TRL's reward-function signature.

    Raises:
        GraderError: ``grader`` is not callable; or, at call time, the dataset lacks a column the grader reads, a
            column does not hold one value per completion, or the grader raises or returns a score outside [0, 1]
            (setup or grader bugs, never model output; the message names the column or the row id).

    Examples:
        >>> from biorft.graders import NumericGrader
        >>> reward = trl_reward(NumericGrader(abs_tol=0.5, name="logS"), task="molecules/logs")
        >>> reward(["Answer: -2.2", "Answer: 1"], target=[-2.0, 0.0], task=["molecules/logs", "other"],
        ...        prompts=["p1", "p2"], completion_ids=[[1], [2]], trainer_state=None)
        [1.0, None]
        >>> def exact(sample, item):
        ...     return float(sample["output_text"].strip() == item["target"])
        >>> trl_reward(exact)(["yes", [{"role": "assistant", "content": "no"}]], target=["yes", "yes"])
        [1.0, 0.0]
    """
    return TRLReward(grader, name=name, task=task)


class VerlReward:
    """A grader as a verl ``compute_score`` function (see `verl_reward`)."""

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
        sample, item = verl_inputs(solution_str, ground_truth, extra_info)
        result = self.grader.explain(sample, item)
        if self.details:
            return {"score": result.score, "reason": result.reason.value, "correct": float(result.correct)}
        return result.score


def verl_reward(grader: Grader, *, details: bool = False) -> VerlReward:
    r"""Wrap ``grader`` as verl's ``compute_score(data_source, solution_str, ground_truth, extra_info=None)``.

    The item is ``extra_info["item"]`` when the verl dataset carries it (``biorft.export.verl`` writes it; a dict or
    JSON text, numpy values and null fields as parquet readers return them), else ``{"target": ground_truth}``; the
    response is graded as the sample `to_sample` makes. The exported ``reward.py`` handles the arguments with the
    same function, so both score every row alike.

    Args:
        grader: The grader.
        details: Return ``{"score", "reason", "correct"}`` (verl logs the extra keys) instead of the bare score.

    Returns:
        A picklable callable with verl's custom reward signature.

    Examples:
        >>> from biorft.graders import LabelGrader
        >>> compute_score = verl_reward(LabelGrader(["active", "inactive"]))
        >>> compute_score("molecules/demo", "Reasoning...\nAnswer: active", "active")
        1.0
        >>> compute_score("molecules/demo", "Answer: active", None, extra_info={"item": {"target": "inactive"}})
        0.0
    """
    return VerlReward(grader, details=details)


COMPUTE_SCORE_SHIM = '''

# --- biorft: verl entry point ---------------------------------------------------------------------------------
# verl calls compute_score(data_source, solution_str, ground_truth, extra_info=None) for each rollout
# (custom_reward_function.path=reward.py, custom_reward_function.name=compute_score). verl_inputs (above, from
# the biorft runtime) makes the (sample, item) pair exactly as biorft.rewards.verl does in-process.


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    """Score one rollout in [0, 1] with the exported biorft grader; never raises."""
    try:
        sample, item = verl_inputs(solution_str, ground_truth, extra_info)
        return float(grade(sample, item))
    except Exception:
        return 0.0
'''
"""The verl entry point appended to a grader's exported source (`verl_reward_source`)."""


def verl_reward_source(grader: Any) -> str:
    r"""Verl's ``reward.py`` for a grader: its self-contained source plus the ``compute_score`` entry point.

    Args:
        grader: A grader with ``to_source()`` (every `biorft.graders.Grader`).

    Returns:
        The module text.

    Raises:
        GraderError: ``to_source()`` defines no ``grade(sample, item)``.

    Examples:
        >>> from biorft.graders import LabelGrader
        >>> namespace = {}
        >>> exec(verl_reward_source(LabelGrader(["active", "inactive"])), namespace)
        >>> namespace["compute_score"]("t", "Answer: active", None, {"item": '{"target": "active"}'})
        1.0
    """
    source = str(grader.to_source())
    if "def grade(" not in source:
        raise GraderError(f"grader {getattr(grader, 'name', '?')!r}: to_source() defines no grade(sample, item)")
    if "def verl_inputs(" not in source:
        source += "\n\n" + _runtime_inputs()
    return source.rstrip("\n") + "\n" + COMPUTE_SCORE_SHIM


def _runtime_inputs() -> str:
    """The runtime's ``inputs`` module, for a foreign grader source that does not embed the biorft runtime."""
    from biorft.graders._export import runtime_module

    return runtime_module("inputs")
