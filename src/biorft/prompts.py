"""Render task examples to chat messages with an answer format the task's grader understands.

Every prompt is two messages, ``system`` then ``user`` (the last message is the user's, as OpenAI RFT requires).
The system message states the task and the answer format; the user message carries the entity: the SMILES for a
molecule, the gene symbol and Ensembl ID for a gene.

The answer format is the contract with the graders: the model ends with a final line ``Answer: <answer>`` (or
replies with JSON ``{"answer": ...}``). Binary tasks may add a line ``Confidence: <0.0-1.0>``: the model's
probability that its stated answer is right.

Examples:
    >>> from biorft.schema import TaskSpec, Example
    >>> spec = TaskSpec(name="molecules/demo", domain="molecules", kind="binary", labels=("BBB+", "BBB-"),
    ...                 positive_label="BBB+", instructions="Does the molecule cross the blood-brain barrier?")
    >>> msgs = render_messages(spec, Example(id="m1", entity="CCO", inputs={"smiles": "CCO"}, target="BBB+"))
    >>> [m["role"] for m in msgs]
    ['system', 'user']
    >>> print(msgs[1]["content"])
    SMILES: CCO
    >>> "`Answer: <label>` where <label> is exactly one of: BBB+ or BBB-" in msgs[0]["content"]
    True
"""

from __future__ import annotations

from typing import Any

from biorft.schema import Domain, Example, TaskKind, TaskSpec

__all__ = ["answer_instructions", "render_messages", "response_format", "system_prompt", "user_prompt"]


def _fmt(x: float) -> str:
    return f"{x:g}"


def answer_instructions(spec: TaskSpec) -> str:
    """How the model must format its final answer, derived from the task kind (or ``spec.answer_instructions``).

    Args:
        spec: The task.

    Returns:
        The instruction text.

    Examples:
        >>> from biorft.schema import TaskSpec
        >>> spec = TaskSpec(name="t", domain="molecules", kind="regression", units="log10(mol/L)",
        ...                 instructions="Predict LogS.")
        >>> print(answer_instructions(spec))
        Think step by step, then end your reply with a final line of the form `Answer: <number>`, the number \
in log10(mol/L) (a plain decimal number such as -2.5, no units), or reply with JSON {"answer": <number>}.
    """
    if spec.answer_instructions:
        return spec.answer_instructions
    kind = spec.kind
    head = "Think step by step, then end your reply with a final line of the form"
    if kind is TaskKind.REGRESSION:
        unit = f" in {spec.units}" if spec.units else ""
        return (
            f"{head} `Answer: <number>`, the number{unit} (a plain decimal number such as -2.5, no units), "
            'or reply with JSON {"answer": <number>}.'
        )
    labels = list(spec.labels)
    if kind is TaskKind.MULTILABEL:
        return (
            f"{head} `Answer: <labels>`: every label that applies, separated by commas, chosen from "
            f"{', '.join(labels)}; write `Answer: none` when no label applies. "
            'Alternatively reply with JSON {"answer": [<labels>]}.'
        )
    options = " or ".join(labels) if len(labels) == 2 else ", ".join(labels[:-1]) + " or " + labels[-1]
    text = (
        f"{head} `Answer: <label>` where <label> is exactly one of: {options}. "
        'Alternatively reply with JSON {"answer": "<label>"}. Give one label only.'
    )
    if kind is TaskKind.BINARY:
        text += " You may add a last line `Confidence: <0.0-1.0>`: your probability that the answer is right."
    return text


def system_prompt(spec: TaskSpec) -> str:
    """The system message: the task's instructions, the value range for regression tasks, the answer format.

    Examples:
        >>> from biorft.schema import TaskSpec
        >>> spec = TaskSpec(name="t", domain="genes", kind="binary", labels=("a", "b"), instructions="Classify.")
        >>> system_prompt(spec).splitlines()[0]
        'Classify.'
    """
    parts = [spec.instructions.strip()]
    if spec.kind is TaskKind.REGRESSION and spec.value_range is not None:
        lo, hi = spec.value_range
        unit = f" {spec.units}" if spec.units else ""
        parts.append(f"Values in this task lie between {_fmt(lo)} and {_fmt(hi)}{unit}.")
    parts.append(answer_instructions(spec))
    return "\n\n".join(parts)


def user_prompt(spec: TaskSpec, example: Example) -> str:
    """The user message: the entity to answer about (SMILES for molecules; symbol and Ensembl ID for genes).

    Examples:
        >>> from biorft.schema import TaskSpec, Example
        >>> spec = TaskSpec(name="t", domain="genes", kind="binary", labels=("a", "b"), instructions="Classify.")
        >>> print(user_prompt(spec, Example(id="g", entity="GATA4", target="a",
        ...                                 inputs={"symbol": "GATA4", "ensembl_id": "ENSG00000136574"})))
        Gene: GATA4 (Ensembl ID ENSG00000136574)
    """
    inputs = example.inputs
    if spec.domain is Domain.MOLECULES:
        smiles = inputs.get("smiles", example.entity)
        return f"SMILES: {smiles}"
    if spec.domain is Domain.GENES:
        symbol = inputs.get("symbol", example.entity)
        ens = inputs.get("ensembl_id")
        return f"Gene: {symbol}" + (f" (Ensembl ID {ens})" if ens else "")
    extra = "".join(f"\n{k}: {v}" for k, v in sorted(inputs.items()))
    return f"{example.entity}{extra}"


def render_messages(spec: TaskSpec, example: Example) -> list[dict[str, str]]:
    """Render ``example`` to chat messages: ``[system, user]``.

    Args:
        spec: The task.
        example: The example to ask about.

    Returns:
        Two messages, the last with role ``user``.

    Examples:
        >>> from biorft.schema import TaskSpec, Example
        >>> spec = TaskSpec(name="t", domain="molecules", kind="regression", instructions="Predict LogS.")
        >>> render_messages(spec, Example(id="1", entity="CCO", target=0.5))[1]
        {'role': 'user', 'content': 'SMILES: CCO'}
    """
    return [
        {"role": "system", "content": system_prompt(spec)},
        {"role": "user", "content": user_prompt(spec, example)},
    ]


def response_format(spec: TaskSpec) -> dict[str, Any]:
    """A JSON-schema ``response_format`` for structured outputs: ``{"answer": ...}`` typed by the task kind.

    Binary tasks also allow an optional ``confidence`` in [0, 1].

    Examples:
        >>> from biorft.schema import TaskSpec
        >>> spec = TaskSpec(name="t", domain="genes", kind="binary", labels=("a", "b"), instructions="x")
        >>> response_format(spec)["json_schema"]["schema"]["properties"]["answer"]
        {'type': 'string', 'enum': ['a', 'b']}
    """
    answer: dict[str, Any]
    if spec.kind is TaskKind.REGRESSION:
        answer = {"type": "number"}
    elif spec.kind is TaskKind.MULTILABEL:
        answer = {"type": "array", "items": {"type": "string", "enum": list(spec.labels)}}
    else:
        answer = {"type": "string", "enum": list(spec.labels)}
    props: dict[str, Any] = {"answer": answer}
    required = ["answer"]
    if spec.kind is TaskKind.BINARY:
        props["confidence"] = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
        required.append("confidence")  # strict mode requires every key; null means "not stated"
    name = "".join(ch if ch.isalnum() else "_" for ch in spec.name)[:64]
    return {
        "type": "json_schema",
        "json_schema": {
            "name": name,
            "strict": True,
            "schema": {"type": "object", "properties": props, "required": required, "additionalProperties": False},
        },
    }
