"""Which base models accept reinforcement fine-tuning, and the RFT hyperparameters the API takes.

Sources (checked 2026-11-25): OpenAI's RFT guide serves ``o4-mini-2025-04-16``; Azure OpenAI documents
``o4-mini`` version 2025-04-16 (GA) and ``gpt-5`` version 2025-08-07 (private preview). A fine-tuned checkpoint
of an allowed model (``ft:o4-mini-2025-04-16:...``) may be trained further. Anything else is refused locally unless
the caller passes ``allow_any_model=True`` (for models released after this list was written).

RFT hyperparameters (``openai.types.fine_tuning.ReinforcementHyperparametersParam``): ``n_epochs``,
``batch_size``, ``learning_rate_multiplier``, ``eval_interval``, ``eval_samples``, ``compute_multiplier`` (each a
positive number or ``"auto"``) and ``reasoning_effort`` (``"default"``, ``"low"``, ``"medium"``, ``"high"``).

Examples:
    >>> check_model("o4-mini-2025-04-16")
    'o4-mini-2025-04-16'
    >>> check_hyperparameters({"n_epochs": 2, "reasoning_effort": "low"})
    {'n_epochs': 2, 'reasoning_effort': 'low'}
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from biorft.backends._errors import InvalidHyperparameter, UnsupportedModel

__all__ = ["DEFAULT_MODEL", "RFT_MODELS", "check_hyperparameters", "check_model"]

DEFAULT_MODEL = "o4-mini-2025-04-16"

#: Base models documented to support RFT, with where they are documented.
RFT_MODELS: dict[str, str] = {
    "o4-mini-2025-04-16": "OpenAI RFT guide; Azure OpenAI (GA)",
    "o4-mini": "Azure OpenAI model name (version 2025-04-16, GA)",
    "gpt-5-2025-08-07": "Azure OpenAI (private preview)",
    "gpt-5": "Azure OpenAI model name (version 2025-08-07, private preview)",
}

_INT_PARAMS = ("n_epochs", "batch_size", "eval_interval", "eval_samples")
_FLOAT_PARAMS = ("learning_rate_multiplier", "compute_multiplier")
REASONING_EFFORTS = ("default", "low", "medium", "high")
HYPERPARAMETERS = (*_INT_PARAMS, *_FLOAT_PARAMS, "reasoning_effort")


def check_model(model: str, *, allow_any_model: bool = False) -> str:
    """Return ``model`` when it supports RFT, else raise [UnsupportedModel][biorft.errors.UnsupportedModel].

    Args:
        model: The base model, or a fine-tuned checkpoint ``ft:<base>:...`` of an allowed base model.
        allow_any_model: Skip the allow-list (the service still decides).

    Returns:
        The model name, unchanged.

    Raises:
        UnsupportedModel: Naming the allowed models and the override.

    Examples:
        >>> check_model("gpt-4o-mini")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        biorft.errors.UnsupportedModel: model 'gpt-4o-mini' is not documented to support ...
        >>> check_model("ft:o4-mini-2025-04-16:acme::abc123")
        'ft:o4-mini-2025-04-16:acme::abc123'
    """
    if not isinstance(model, str) or not model.strip():
        raise UnsupportedModel("model must be a non-empty model name such as 'o4-mini-2025-04-16'")
    if allow_any_model:
        return model
    base = model.split(":")[1] if model.startswith("ft:") and model.count(":") >= 2 else model
    if base in RFT_MODELS:
        return model
    raise UnsupportedModel(
        f"model {model!r} is not documented to support reinforcement fine-tuning; use one of "
        f"{sorted(RFT_MODELS)} (or a fine-tuned checkpoint 'ft:<one of them>:...'), or pass allow_any_model=True "
        "(CLI: --allow-any-model) if the service now supports it"
    )


def _positive(name: str, value: Any, kind: type) -> None:
    if value == "auto":
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if kind is int:
        ok = ok and isinstance(value, int)
    if not ok:
        what = "a positive integer" if kind is int else "a positive number"
        raise InvalidHyperparameter(f"hyperparameters[{name!r}] = {value!r}: must be {what} or 'auto'")


def check_hyperparameters(hyperparameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check RFT hyperparameters locally; return them as a plain dict (empty when None).

    Args:
        hyperparameters: Names and values as ``ReinforcementHyperparametersParam`` takes them.

    Returns:
        A new dict with the same items.

    Raises:
        InvalidHyperparameter: Naming the parameter, the bad value, and (for a typo) the closest valid name.

    Examples:
        >>> check_hyperparameters({"reasoning_effort": "extreme"})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        biorft.errors.InvalidHyperparameter: hyperparameters['reasoning_effort'] = 'extreme': must be ...
        >>> check_hyperparameters({"epochs": 3})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        biorft.errors.InvalidHyperparameter: unknown RFT hyperparameter 'epochs' (did you mean ...
    """
    if hyperparameters is None:
        return {}
    if not isinstance(hyperparameters, Mapping):
        raise InvalidHyperparameter(f"hyperparameters must be a dict, got {type(hyperparameters).__name__}")
    out = dict(hyperparameters)
    for name, value in out.items():
        if name not in HYPERPARAMETERS:
            close = difflib.get_close_matches(str(name), HYPERPARAMETERS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InvalidHyperparameter(
                f"unknown RFT hyperparameter {name!r}{hint}; valid: {', '.join(HYPERPARAMETERS)}"
            )
        if name in _INT_PARAMS:
            _positive(name, value, int)
        elif name in _FLOAT_PARAMS:
            _positive(name, value, float)
        elif value not in REASONING_EFFORTS:
            raise InvalidHyperparameter(f"hyperparameters[{name!r}] = {value!r}: must be one of {REASONING_EFFORTS}")
    return out
