"""Graders as reward functions for TRL (GRPO) and verl.

- [`trl`][biorft.rewards.trl] wraps a grader in TRL's reward-function signature ``reward_func(completions, **kwargs) ->
  list[float | None]``: completions are strings or conversational message lists, and the dataset's columns arrive
  as keyword lists (``target=[...]``, ``known_labels=[...]``), beside ``prompts``, ``completion_ids`` and TRL's
  hooks (``trainer_state``, ``log_extra``, ``log_metric``). Each completion becomes an OpenAI-style sample
  ([`to_sample`][biorft.rewards.to_sample]) and is graded against the item rebuilt from the columns, exactly as
  [biorft.schema.reference_item][biorft.schema.reference_item] made it (the columns `biorft.backends.trl.grpo_dataset`
  writes).
- [verl][biorft.rewards.verl] wraps a grader in verl's custom reward signature ``compute_score(data_source,
  solution_str,
  ground_truth, extra_info=None) -> float``.

Both return picklable callables that score exactly like ``grader(sample, item)``.

Examples:
    >>> from biorft.graders import LabelGrader
    >>> reward = trl(LabelGrader(["BBB+", "BBB-"], name="bbb"))
    >>> reward.__name__
    'bbb'
    >>> reward([[{"role": "assistant", "content": "Answer: BBB+"}], "Answer: BBB-"], target=["BBB+", "BBB+"])
    [1.0, 0.0]
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from biorft.backends._trl_dataset import grader_fields, item_from_columns
from biorft.errors import GraderError
from biorft.graders import Grader

__all__ = ["TRLReward", "VerlReward", "completion_text", "to_sample", "trl", "verl"]

_NAME_RE = re.compile(r"[^0-9A-Za-z_]+")
_TRL_KWARGS = frozenset(
    {"prompts", "completions", "completion_ids", "trainer_state", "log_extra", "log_metric", "environments"}
)
"""Keyword arguments TRL passes besides the dataset columns."""
_UNSCORABLE = frozenset({"no_answer", "parse_error", "format_error"})
"""Reasons counted in the ``biorft/unscorable`` metric: the completion stated no usable answer."""


def completion_text(completion: Any) -> str:
    """The text of one TRL completion: a string, a message dict, or a list of messages (the assistant's turns).

    Only assistant turns are model output (a message without a role counts as one); tool results and other roles
    are left out. Message content may be a string or a list of parts, whose text parts (``{"type": "text",
    "text": ...}`` or plain strings) are joined; several assistant turns are joined by newlines.

    Args:
        completion: ``str`` (TRL's standard format), one message, or a list of ``{"role", "content"}`` messages
            (conversational format).

    Returns:
        The text the grader reads (``""`` when there is none).

    Examples:
        >>> completion_text([{"role": "assistant", "content": [{"type": "text", "text": "Answer: 3"}]}])
        'Answer: 3'
        >>> completion_text("Answer: 1.5")
        'Answer: 1.5'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        completion = [completion]
    if not isinstance(completion, Sequence):
        return ""
    return "\n".join(
        _content_text(m.get("content"))
        for m in completion
        if isinstance(m, Mapping) and m.get("role", "assistant") == "assistant"
    )


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts = (p.get("text") if isinstance(p, Mapping) and p.get("type", "text") == "text" else p for p in content)
    return "".join(t for t in texts if isinstance(t, str))


def to_sample(text: str) -> dict[str, Any]:
    """The OpenAI-grader ``sample`` for a completion text: ``output_text``, plus ``output_json`` when it parses.

    OpenAI fills ``output_json`` when the output parses as JSON; this does the same, so a reward grades a
    completion exactly as the OpenAI RFT grader would.

    Args:
        text: The completion text.

    Returns:
        ``{"output_text": text}``, with ``"output_json"`` added when the text is a JSON object or array.

    Examples:
        >>> to_sample('{"answer": "BBB+"}')
        {'output_text': '{"answer": "BBB+"}', 'output_json': {'answer': 'BBB+'}}
        >>> to_sample("Answer: BBB+")
        {'output_text': 'Answer: BBB+'}
    """
    sample: dict[str, Any] = {"output_text": text}
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            return sample
        if isinstance(parsed, dict | list):
            sample["output_json"] = parsed
    return sample


def _grader_name(grader: Any) -> str:
    return str(getattr(grader, "name", None) or getattr(grader, "__name__", None) or type(grader).__name__)


def _row(item: Mapping[str, Any], index: int) -> str:
    return f"row {item['id']!r}" if "id" in item else f"row {index} of the batch (it has no id)"


class TRLReward:
    """A grader as a TRL reward function (see [`trl`][biorft.rewards.trl]).

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


def trl(grader: Callable[[Any, Any], float], *, name: str | None = None, task: str | None = None) -> TRLReward:
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
        >>> reward = trl(NumericGrader(abs_tol=0.5, name="logS"), task="molecules/logs")
        >>> reward(["Answer: -2.2", "Answer: 1"], target=[-2.0, 0.0], task=["molecules/logs", "other"],
        ...        prompts=["p1", "p2"], completion_ids=[[1], [2]], trainer_state=None)
        [1.0, None]
        >>> def exact(sample, item):
        ...     return float(sample["output_text"].strip() == item["target"])
        >>> trl(exact)(["yes", [{"role": "assistant", "content": "no"}]], target=["yes", "yes"])
        [1.0, 0.0]
    """
    return TRLReward(grader, name=name, task=task)


class VerlReward:
    """A grader as a verl ``compute_score`` function (see [`verl`][biorft.rewards.verl])."""

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

    Examples:
        >>> from biorft.graders import LabelGrader
        >>> compute_score = verl(LabelGrader(["active", "inactive"]))
        >>> compute_score("molecules/demo", "Reasoning...\nAnswer: active", "active")
        1.0
        >>> compute_score("molecules/demo", "Answer: active", None, extra_info={"item": {"target": "inactive"}})
        0.0
    """
    return VerlReward(grader, details=details)
