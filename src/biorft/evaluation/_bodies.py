"""Read the output text, finish reason and token usage from a chat-completions or responses result.

Works on the JSON dicts an endpoint returns (and the Batch API stores) as well as on the ``openai`` SDK's typed
objects, so every path into evaluation reads results the same way.

Examples:
    >>> body = {"choices": [{"message": {"content": "Answer: yes"}, "finish_reason": "stop"}],
    ...         "usage": {"prompt_tokens": 12, "completion_tokens": 3}}
    >>> read_body(body)
    Reply(text='Answer: yes', finish_reason='stop', prompt_tokens=12, completion_tokens=3, reasoning_tokens=0)
    >>> read_body({"status": "completed", "output": [{"type": "message", "content": [
    ...     {"type": "output_text", "text": "Answer: no"}]}], "usage": {"input_tokens": 5, "output_tokens": 2,
    ...     "output_tokens_details": {"reasoning_tokens": 1}}}).text
    'Answer: no'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from biorft.errors import EmptyReplyError

__all__ = ["EmptyReplyError", "Reply", "read_body"]


@dataclass(frozen=True)
class Reply:
    """What evaluation keeps of one result."""

    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def _int(x: Any) -> int:
    return int(x) if isinstance(x, int | float) and not isinstance(x, bool) else 0


def read_body(body: Any) -> Reply:
    """Parse a chat completion (``choices``) or a response (``output``), dict or SDK object.

    Raises:
        EmptyReplyError: When the result holds neither choices nor output items.
    """
    usage = _get(body, "usage")
    choices = _get(body, "choices")
    if choices is not None:
        if not choices:
            raise EmptyReplyError("the endpoint returned no choices")
        choice = choices[0]
        text = _get(_get(choice, "message"), "content")
        details = _get(usage, "completion_tokens_details")
        finish = _get(choice, "finish_reason")
        return Reply(
            text="" if text is None else str(text),
            finish_reason=None if finish is None else str(finish),
            prompt_tokens=_int(_get(usage, "prompt_tokens")),
            completion_tokens=_int(_get(usage, "completion_tokens")),
            reasoning_tokens=_int(_get(details, "reasoning_tokens")),
        )
    output = _get(body, "output")
    if output is None:
        raise EmptyReplyError("the result has neither 'choices' (chat completions) nor 'output' (responses)")
    parts = [
        str(_get(part, "text") or "")
        for item in output
        if _get(item, "type") == "message"
        for part in _get(item, "content") or []
        if _get(part, "type") == "output_text"
    ]
    incomplete = _get(_get(body, "incomplete_details"), "reason")
    status = _get(body, "status")
    details = _get(usage, "output_tokens_details")
    return Reply(
        text="".join(parts),
        finish_reason=str(incomplete) if incomplete else (None if status is None else str(status)),
        prompt_tokens=_int(_get(usage, "input_tokens")),
        completion_tokens=_int(_get(usage, "output_tokens")),
        reasoning_tokens=_int(_get(details, "reasoning_tokens")),
    )
