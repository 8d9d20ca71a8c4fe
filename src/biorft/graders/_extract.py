"""Public answer extraction: [`extract_answer`][biorft.graders.extract_answer]."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from biorft.graders._base import MODES, check_choice
from biorft.graders._result import Reason
from biorft.graders._rt.engine import resolve
from biorft.graders._rt.extract import extract
from biorft.graders._rt.text import is_refusal, norm_strong

__all__ = ["ExtractedAnswer", "extract_answer"]


@dataclass(frozen=True)
class ExtractedAnswer:
    """The answer an output states, as graders read it.

    Attributes:
        answer: The answer value (a string, or a JSON value from a JSON answer), ``None`` when there is none.
        reason: ``None`` when an answer was found, else ``NO_ANSWER`` or (strict mode) ``CONFLICTING``.
        detail: Why no answer was chosen, when ``reason`` is set.
        confidence: The stated confidence in [0, 1], if any.
        candidates: Every stated answer in text order as ``(form, value)``; form is ``"json"``, ``"tag"``,
            ``"line"``, ``"output_json"``, ``"boxed"`` or ``"bare"``.
    """

    answer: Any
    reason: Reason | None
    detail: str
    confidence: float | None
    candidates: tuple[tuple[str, Any], ...]


def _same(value: Any) -> tuple[Any, str, str]:
    if isinstance(value, str) and is_refusal(value):
        return None, "no_answer", f"the answer declines to answer: {value!r}"
    return (norm_strong(value) if isinstance(value, str) else repr(value)), "", ""


def extract_answer(sample: Any, *, mode: str = "strict") -> ExtractedAnswer:
    r"""Extract the answer from a model output without grading it.

    Strict mode needs every stated answer to agree (after case / whitespace normalisation); lenient mode takes the
    last one, or the last line when no answer marker is present. Never raises on any ``sample``; runs in linear time.

    Args:
        sample: ``{"output_text": ..., "output_json": ...}`` or the output text.
        mode: ``"strict"`` or ``"lenient"``.

    Returns:
        The chosen answer, why none was chosen, the stated confidence and all candidates.

    Examples:
        >>> extract_answer("Thinking...\nAnswer: BBB+\nConfidence: 80%").answer
        'BBB+'
        >>> extract_answer('Reasoning.\n```json\n{"answer": "BBB-", "confidence": 0.7}\n```').confidence
        0.7
        >>> extract_answer("<answer>A</answer>\nAnswer: B").reason
        <Reason.CONFLICTING: 'conflicting'>
    """
    lenient = check_choice("mode", mode, MODES) == "lenient"
    ext = extract(sample)
    _, reason, raw, detail, confidence = resolve(ext, lenient, _same)
    return ExtractedAnswer(
        answer=None if reason else raw,
        reason=Reason(reason) if reason else None,
        detail=detail,
        confidence=confidence,
        candidates=tuple((c.source, c.value) for c in ext.candidates),
    )
