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

__all__ = ["EmptyReplyError", "Reply", "read_body", "read_choices"]


@dataclass(frozen=True)
class Reply:
    """What evaluation keeps of one result."""

    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int


# A null message content is a real answer only when the model refused or a filter stopped it.
_NO_TEXT_FINISH = frozenset({"content_filter", "refusal"})


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def _int(x: Any) -> int:
    return int(x) if isinstance(x, int | float) and not isinstance(x, bool) else 0


def _choice(choice: Any) -> tuple[str, str | None]:
    """The text and finish reason of one chat choice.

    Raises:
        EmptyReplyError: When its message content is null without a refusal or a content filter to explain it.
    """
    message = _get(choice, "message")
    text = _get(message, "content")
    finish = _get(choice, "finish_reason")
    if text is None:
        if _get(message, "refusal"):
            finish = finish if finish not in (None, "stop") else "refusal"
        elif finish not in _NO_TEXT_FINISH:
            raise EmptyReplyError("the endpoint returned a message whose content is null")
    return ("" if text is None else str(text)), (None if finish is None else str(finish))


def _shares(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (equal parts when they are all 0); the parts sum to ``total``.

    Largest remainders, ties to the earlier part, so the split is exact and deterministic.

    Examples:
        >>> _shares(10, [1, 1, 1])
        [4, 3, 3]
        >>> _shares(7, [0, 30, 10])
        [0, 5, 2]
    """
    if not any(weights):
        weights = [1] * len(weights)
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    rest = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def read_choices(body: Any) -> list[Reply]:
    """Every usable choice of a chat completion asked for several (``n``), in the order the endpoint gave them.

    The request's token usage is reported once for all its choices; it is split over the usable choices so that
    the records sum to what the request was billed, never counting it once per choice: prompt tokens in equal
    parts, completion and reasoning tokens in proportion to each choice's text length. A choice whose content is
    null (without a refusal or a content filter) is left out: it is no answer, and the caller asks for it again.
    A responses result, or a completion with one choice, gives what [read_body][biorft.evaluation._bodies.read_body]
    gives.

    Raises:
        EmptyReplyError: When the result holds no usable choice at all.

    Examples:
        >>> body = {"choices": [{"message": {"content": "Answer: yes"}, "finish_reason": "stop"},
        ...                     {"message": {"content": None}, "finish_reason": "stop"},
        ...                     {"message": {"content": "Answer: no, since"}, "finish_reason": "stop"}],
        ...         "usage": {"prompt_tokens": 11, "completion_tokens": 7}}
        >>> [(r.text, r.prompt_tokens, r.completion_tokens) for r in read_choices(body)]
        [('Answer: yes', 6, 3), ('Answer: no, since', 5, 4)]
    """
    choices = _get(body, "choices") if not isinstance(body, str | bytes | list) else None
    if not choices or len(choices) == 1:
        return [read_body(body)]
    usable: list[tuple[str, str | None]] = []
    for choice in choices:
        try:
            usable.append(_choice(choice))
        except EmptyReplyError:
            continue
    if not usable:
        raise EmptyReplyError("the endpoint returned choices whose content is null")
    usage = _get(body, "usage")
    lengths = [len(text) for text, _ in usable]
    prompt = _shares(_int(_get(usage, "prompt_tokens")), [1] * len(usable))
    completion = _shares(_int(_get(usage, "completion_tokens")), lengths)
    reasoning = _shares(_int(_get(_get(usage, "completion_tokens_details"), "reasoning_tokens")), lengths)
    return [
        Reply(text=text, finish_reason=finish, prompt_tokens=p, completion_tokens=c, reasoning_tokens=r)
        for (text, finish), p, c, r in zip(usable, prompt, completion, reasoning, strict=True)
    ]


def read_body(body: Any) -> Reply:
    """Parse a chat completion (``choices``) or a response (``output``), dict or SDK object.

    Raises:
        EmptyReplyError: When the result is not a JSON object, holds neither choices nor output items, or its
            message content is null (without a refusal or a content filter to explain it).
    """
    if not isinstance(body, dict) and (isinstance(body, str | bytes | list | int | float) or body is None):
        kind = "text" if isinstance(body, str | bytes) else type(body).__name__
        raise EmptyReplyError(f"the endpoint answered HTTP 200 with {kind}, not a JSON result object")
    usage = _get(body, "usage")
    choices = _get(body, "choices")
    if choices is not None:
        if not choices:
            raise EmptyReplyError("the endpoint returned no choices")
        text, finish = _choice(choices[0])
        return Reply(
            text=text,
            finish_reason=finish,
            prompt_tokens=_int(_get(usage, "prompt_tokens")),
            completion_tokens=_int(_get(usage, "completion_tokens")),
            reasoning_tokens=_int(_get(_get(usage, "completion_tokens_details"), "reasoning_tokens")),
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
