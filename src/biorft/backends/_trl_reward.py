"""A biorft grader as a TRL ``GRPOTrainer`` reward function.

TRL calls a reward function as ``reward(prompts=..., completions=..., completion_ids=..., **columns)`` where
``columns`` holds every dataset column except ``prompt`` (one value per completion) plus trainer hooks
(``trainer_state``, ``log_extra``, ``log_metric``), and expects one ``float`` (or ``None``: "not applicable") per
completion. The adapter rebuilds each grader ``item`` from the item columns written by
`biorft.backends.trl.grpo_dataset`, turns the completion into an OpenAI-style ``sample``
(``{"output_text": ..., "output_json": ...}``) and calls ``grader(sample, item)``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from biorft.backends._trl_dataset import ITEM_COLUMNS, OPTIONAL_ITEM_COLUMNS, item_from_columns
from biorft.errors import BackendError

__all__ = ["GraderLike", "RewardFunc", "completion_text", "grader_fields", "grader_reward", "to_sample"]

RewardFunc = Callable[..., list[float | None]]
"""A TRL reward function: ``reward(completions, **columns) -> list[float | None]``."""

_UNSCORABLE = frozenset({"no_answer", "parse_error", "format_error"})


class GraderLike(Protocol):
    """What the adapter needs from a grader: the OpenAI python-grader call signature."""

    def __call__(self, sample: Any, item: dict[str, Any], /) -> float:
        """Score one sample against one item, in [0, 1]."""
        ...


def grader_fields(grader: object) -> tuple[tuple[str, ...], frozenset[str]]:
    """Which columns to rebuild the item from, and which of them the dataset must have.

    The item always carries the standard item columns present in the dataset; a grader's ``referenced_fields``
    (graders read only those) adds custom columns and makes them required (except optional ones such as
    ``known_labels``). A grader that does not declare ``referenced_fields`` is assumed to read ``target``.

    Args:
        grader: A grader, optionally with ``referenced_fields``.

    Returns:
        ``(fields, required)``: the item keys to rebuild, and those every dataset must have as columns and every
        scored row must have non-null.

    Example:
        >>> class G:
        ...     referenced_fields = frozenset({"target", "smiles", "known_labels"})
        >>> fields, required = grader_fields(G())
        >>> fields[-1], sorted(required)
        ('smiles', ['smiles', 'target'])
        >>> grader_fields(lambda sample, item: 1.0)[1]
        frozenset({'target'})
    """
    referenced = getattr(grader, "referenced_fields", None)
    if referenced is None:
        return ITEM_COLUMNS, frozenset({"target"})
    ref = frozenset(str(f) for f in referenced)
    fields = ITEM_COLUMNS + tuple(sorted(ref - set(ITEM_COLUMNS)))
    return fields, frozenset(ref - OPTIONAL_ITEM_COLUMNS)


def completion_text(completion: Any) -> str:
    """The text of one TRL completion: a plain string, or the assistant messages of a conversational one.

    Args:
        completion: ``str`` (standard format) or a list of ``{"role", "content"}`` messages (conversational).

    Returns:
        The text the grader should read (assistant turns joined by newlines).

    Example:
        >>> completion_text([{"role": "assistant", "content": "Answer: BBB+"}])
        'Answer: BBB+'
        >>> completion_text("Answer: 1.5")
        'Answer: 1.5'
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        completion = [completion]
    parts: list[str] = []
    for msg in completion:
        if not isinstance(msg, Mapping) or msg.get("role", "assistant") != "assistant":
            continue
        content = msg.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):  # content blocks: keep the text ones
            parts.extend(str(b.get("text", "")) for b in content if isinstance(b, Mapping) and b.get("type") == "text")
    return "\n".join(parts)


def to_sample(text: str) -> dict[str, Any]:
    """The OpenAI-grader ``sample`` for a completion text: ``output_text``, plus ``output_json`` when it parses.

    Args:
        text: The completion text.

    Returns:
        ``{"output_text": text}``, with ``"output_json"`` added when the text is a JSON object or array.

    Example:
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


def _reason_value(result: Any) -> str:
    reason = getattr(result, "reason", None)
    value = getattr(reason, "value", reason)
    return str(value) if value is not None else ""


def grader_reward(grader: GraderLike, *, name: str | None = None) -> RewardFunc:
    """Wrap a biorft grader as a TRL ``GRPOTrainer`` reward function.

    The returned function rebuilds each item from the dataset's item columns (see
    `biorft.backends.trl.grpo_dataset`), grades every completion and returns one score per completion.
    ``None`` (TRL: "not applicable") is returned only for rows whose required fields (``target``, or the grader's
    ``referenced_fields``) are null, e.g. rows of another task in a mixed dataset. When the grader has
    ``explain``, each completion's reason is added to TRL's completions table (column ``biorft_reason``) and the
    share of unscorable answers (no answer / parse error / format error) is logged as ``biorft/unscorable``.

    Args:
        grader: Any callable ``grader(sample, item) -> float`` (a `biorft.graders.Grader` or a stand-in).
        name: The reward's name in TRL's logs (``rewards/<name>/mean``); defaults to ``biorft_<grader.name>``.

    Returns:
        The reward function.

    Raises:
        BackendError: At call time, when the dataset lacks a column the grader reads, or the grader returns a score
            outside [0, 1] or raises (graders must not; the message names the row id).

    Example:
        >>> def exact(sample, item):
        ...     return float(sample["output_text"].strip() == item["target"])
        >>> reward = grader_reward(exact, name="exact")
        >>> reward(completions=[[{"role": "assistant", "content": "yes"}], "no"], id=["a", "a"],
        ...        target=["yes", "yes"])
        [1.0, 0.0]
    """
    fields, required = grader_fields(grader)
    label = name or f"biorft_{getattr(grader, 'name', None) or getattr(grader, '__name__', 'grader')}"
    explain = getattr(grader, "explain", None)

    def reward(completions: Sequence[Any], **columns: Any) -> list[float | None]:
        missing = sorted(f for f in required if f not in columns)
        if missing:
            raise BackendError(
                f"reward {label!r}: the dataset has no column(s) {missing}, which the grader reads; build the "
                "training dataset with biorft.backends.trl.grpo_dataset(...)"
            )
        scores: list[float | None] = []
        reasons: list[str] = []
        for i, completion in enumerate(completions):
            item = item_from_columns(columns, i, fields)
            if any(item.get(f) is None for f in required):
                scores.append(None)
                reasons.append("")
                continue
            sample = to_sample(completion_text(completion))
            try:
                if callable(explain):
                    result = explain(sample, item)
                    raw, reason = result.score, _reason_value(result)
                else:
                    raw, reason = grader(sample, item), ""
                score = float(raw)
            except Exception as exc:
                raise BackendError(
                    f"reward {label!r}: the grader raised {type(exc).__name__}: {exc} on row {item.get('id')!r}; "
                    "graders must return a score for every output, so fix the grader"
                ) from exc
            if not (math.isfinite(score) and 0.0 <= score <= 1.0):
                raise BackendError(
                    f"reward {label!r}: the grader returned {raw!r} for row {item.get('id')!r}; scores must be in "
                    "[0, 1], so fix the grader"
                )
            scores.append(score)
            reasons.append(reason)
        if callable(explain) and scores:
            log_extra, log_metric = columns.get("log_extra"), columns.get("log_metric")
            if callable(log_extra):
                log_extra("biorft_reason", reasons)
            if callable(log_metric):
                graded = [r for r, s in zip(reasons, scores, strict=True) if s is not None]
                if graded:
                    log_metric("biorft/unscorable", sum(r.lower() in _UNSCORABLE for r in graded) / len(graded))
        return scores

    reward.__name__ = label
    reward.__qualname__ = label
    return reward
