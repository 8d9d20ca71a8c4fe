"""What a grader is given: the ``sample`` made from a model's output text, and the ``item`` from wherever it travelled.

One implementation for every place a grade happens: evaluation and the TRL reward build the sample with
`to_sample`; the verl reward, in-process and in the exported ``reward.py``, turns verl's ``compute_score``
arguments into ``(sample, item)`` with `verl_inputs`. An item that went through a file comes back as JSON text,
with numpy arrays and scalars (parquet readers) or with null fields (Arrow structs hold every field);
`clean_item` gives the item exactly as ``reference_item`` made it.
"""

from __future__ import annotations

import json
from typing import Any


def to_sample(text: str) -> dict[str, Any]:
    """The OpenAI-grader ``sample`` of an output text: ``output_text``, plus ``output_json`` when the text parses.

    OpenAI fills ``output_json`` when the output is JSON; this does the same, so every biorft path grades an output
    exactly as the OpenAI RFT grader would.

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


def plain_value(value: Any) -> Any:
    """``value`` with numpy arrays and scalars (as parquet readers return them) turned into lists and numbers."""
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    return value


def clean_item(item: Any) -> dict[str, Any] | None:
    """The item as a grader reads it: JSON text decoded, plain values, null fields left out; ``None`` if no dict."""
    if isinstance(item, str | bytes):
        try:
            item = json.loads(item)
        except ValueError:
            return None
    item = plain_value(item)
    if not isinstance(item, dict):
        return None
    return {k: v for k, v in item.items() if v is not None}


def verl_inputs(solution_str: Any, ground_truth: Any, extra_info: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verl's ``compute_score`` arguments as the grader's ``(sample, item)``.

    The item is ``extra_info["item"]`` (a dict or JSON text) when the row carries it, else
    ``{"target": ground_truth}``; a response that is not a string is graded as an empty output.

    Examples:
        >>> verl_inputs("Answer: a", "b", {"item": '{"id": "x", "target": "a", "known_labels": null}'})
        ({'output_text': 'Answer: a'}, {'id': 'x', 'target': 'a'})
        >>> verl_inputs(None, "b")
        ({'output_text': ''}, {'target': 'b'})
    """
    info = plain_value(extra_info)
    item = clean_item(info.get("item")) if isinstance(info, dict) else None
    if item is None:
        item = clean_item({"target": ground_truth}) or {}
    return to_sample(solution_str if isinstance(solution_str, str) else ""), item
