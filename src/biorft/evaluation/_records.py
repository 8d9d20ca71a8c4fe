"""One graded model output ([EvalRecord][biorft.evaluation.EvalRecord]) and the one function that grades an output.

Every path into a report (the endpoint runner, a file of existing outputs, an OpenAI Batch output file, the
non-LLM baselines) grades through `grade_output`, so the same text gets the same record everywhere.

Examples:
    >>> from types import SimpleNamespace
    >>> class Exact:
    ...     name = "exact"
    ...     def explain(self, sample, item):
    ...         ok = sample["output_text"].strip() == item["target"]
    ...         return SimpleNamespace(score=float(ok), reason="correct" if ok else "incorrect",
    ...                                answer=sample["output_text"].strip(), detail="", confidence=None)
    >>> rec = grade_output(Exact(), "yes", {"id": "e1", "target": "yes"}, sample=0)
    >>> rec.score, rec.reason, rec.id
    (1.0, 'correct', 'e1')
    >>> EvalRecord.from_dict(rec.to_dict()) == rec
    True
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from biorft.errors import GraderError
from biorft.graders import GraderLike, to_sample

__all__ = ["EvalRecord", "GraderLike", "grade_output"]


class EvalRecord(BaseModel):
    """One graded output of one sample for one example.

    Attributes:
        id: The example id.
        sample: Sample index (0 .. n-1) for this example.
        output_text: The model's full output text.
        score: The grader's score in [0, 1].
        reason: The grader's reason (the ``Reason`` enum's value, e.g. ``"correct"``).
        answer: The answer the grader extracted (a label, a list of labels, a number) or None.
        confidence: The model's stated confidence in its answer, when it gave one.
        detail: The grader's one-line explanation.
        target: The reference answer (``item["target"]``).
        known_labels: For multilabel items, the labels that were measured (``item["known_labels"]``).
        prompt_tokens: Input tokens billed for the request (its share, when one request carried several samples).
        completion_tokens: Output tokens billed (reasoning tokens included, as the API counts them; a share by text
            length, when one request carried several samples).
        reasoning_tokens: Reasoning tokens, when the endpoint reports them.
        latency_s: Seconds the successful request took, when it came from an endpoint.
        finish_reason: Why generation stopped (``"stop"``, ``"length"``, ...), when known.
        cached: True when this output was read from the cache instead of requested in this run.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    sample: int = Field(ge=0)
    output_text: str
    score: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)
    reason: str
    answer: Any = None
    confidence: float | None = None
    detail: str = ""
    target: Any = None
    known_labels: tuple[str, ...] | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    latency_s: float | None = None
    finish_reason: str | None = None
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``model_dump(mode="json")``)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvalRecord:
        """Inverse of [to_dict][biorft.evaluation.EvalRecord.to_dict] (validates the fields)."""
        return cls.model_validate(data)

    def with_usage(self, **fields: Any) -> EvalRecord:
        """A copy with usage / timing fields replaced."""
        return self.model_validate({**self.model_dump(), **fields})


def _jsonable(value: Any) -> Any:
    """Make an extracted answer JSON-friendly (tuples and sets become sorted lists, enums their value)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=str)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    enum_value = getattr(value, "value", None)
    if isinstance(enum_value, str | int | float):
        return enum_value
    return str(value)


def _reason_text(reason: Any) -> str:
    value = getattr(reason, "value", reason)
    return str(value)


def grade_output(
    grader: GraderLike,
    text: str,
    item: dict[str, Any],
    *,
    sample: int = 0,
    **fields: Any,
) -> EvalRecord:
    """Grade one output text against one reference item.

    Args:
        grader: Anything with ``explain(sample, item)`` (a [`biorft.graders.Grader`][biorft.graders.Grader]).
        text: The model's output text.
        item: The reference item (``reference_item(spec, example)``); its ``id`` names the record.
        sample: The sample index.
        **fields: Usage and timing fields stored on the record (``prompt_tokens``, ``latency_s``, ...).

    Returns:
        The graded record.

    Raises:
        GraderError: When the grader raises or returns a score outside [0, 1]; graders must score every
            output, so this is a grader bug and the message names the example.

    Examples:
        >>> from types import SimpleNamespace
        >>> class Zero:
        ...     def explain(self, sample, item):
        ...         return SimpleNamespace(score=0.0, reason="no_answer", answer=None)
        >>> grade_output(Zero(), "", {"id": "x", "target": "a"}).reason
        'no_answer'
    """
    example_id = str(item.get("id"))
    name = getattr(grader, "name", type(grader).__name__)
    try:
        result = grader.explain(to_sample(text), item)  # the same sample as training rewards get
    except Exception as exc:
        raise GraderError(
            f"grader {name!r} raised {type(exc).__name__} on example {example_id!r} (sample {sample}): {exc}; "
            "graders must return a result for every output, so fix or report the grader"
        ) from exc
    raw_score = getattr(result, "score", None)
    if isinstance(raw_score, bool) or not isinstance(raw_score, numbers.Real):
        raise GraderError(
            f"grader {name!r} returned score {raw_score!r} ({type(raw_score).__name__}) for example {example_id!r} "
            f"(sample {sample}); scores must be finite numbers in [0, 1]"
        )
    score = float(raw_score)
    if not (math.isfinite(score) and 0.0 <= score <= 1.0):
        raise GraderError(
            f"grader {name!r} returned score {score!r} for example {example_id!r} (sample {sample}); "
            "scores must be finite numbers in [0, 1]"
        )
    confidence = getattr(result, "confidence", None)
    conf: float | None = None
    if isinstance(confidence, int | float) and not isinstance(confidence, bool) and math.isfinite(confidence):
        conf = float(confidence)
    known = item.get("known_labels")
    return EvalRecord(
        id=example_id,
        sample=sample,
        output_text=text,
        score=score,
        reason=_reason_text(getattr(result, "reason", "")),
        answer=_jsonable(getattr(result, "answer", None)),
        confidence=conf,
        detail=str(getattr(result, "detail", "") or ""),
        target=_jsonable(item.get("target")),
        known_labels=None if known is None else tuple(str(k) for k in known),
        **fields,
    )
