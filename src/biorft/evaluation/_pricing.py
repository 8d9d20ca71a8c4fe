"""Token prices and cost estimates.

A small table of list prices (USD per million tokens) for common OpenAI models. Prices change; the table is a
convenience for rough estimates, not a bill. Pass ``prices={"my-model": Price(0.5, 1.5)}`` to
[biorft.evaluate][biorft.evaluation.evaluate]
to add or override entries. A model that matches no entry gets no estimate (``cost_usd = None``) and a note saying
so. Model names match an entry exactly or by prefix followed by ``-`` (so dated snapshots such as
``gpt-4o-2024-08-06`` use ``gpt-4o``); the longest matching entry wins. Fine-tuned models (``ft:...``) have their own
prices and are unknown unless you add them.

Examples:
    >>> estimate_cost("gpt-4o-2024-08-06", prompt_tokens=1_000_000, completion_tokens=100_000)
    (3.5, 'gpt-4o: $2.50 in / $10.00 out per 1M tokens')
    >>> estimate_cost("my-local-llama", 10, 10)[0] is None
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["PRICES", "Price", "estimate_cost"]


@dataclass(frozen=True)
class Price:
    """USD per million tokens.

    Attributes:
        input: Price of a million input (prompt) tokens.
        output: Price of a million output tokens (reasoning tokens are billed as output).

    Examples:
        >>> Price(1.0, 4.0).cost(500_000, 250_000)
        1.5
    """

    input: float
    output: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Cost in USD of the given token counts."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


PRICES: Mapping[str, Price] = {
    # OpenAI standard-tier list prices (USD / 1M tokens) as published in 2025; check the provider for today's.
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-5": Price(1.25, 10.00),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "o1": Price(15.00, 60.00),
    "o1-mini": Price(1.10, 4.40),
    "o3": Price(2.00, 8.00),
    "o3-mini": Price(1.10, 4.40),
    "o4-mini": Price(1.10, 4.40),
}
"""Default price table (USD per million tokens)."""


def _lookup(model: str, table: Mapping[str, Price]) -> tuple[str, Price] | None:
    if model in table:
        return model, table[model]
    best: tuple[str, Price] | None = None
    for name, price in table.items():
        if model.startswith(name + "-") and (best is None or len(name) > len(best[0])):
            best = (name, price)
    return best


def estimate_cost(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    prices: Mapping[str, Price] | None = None,
    *,
    discount: float = 1.0,
) -> tuple[float | None, str]:
    """Estimated cost of the tokens, and a note saying which price was used.

    Args:
        model: Model name as sent to the endpoint.
        prompt_tokens: Input tokens.
        completion_tokens: Output tokens (reasoning included).
        prices: Entries that extend or override [`PRICES`][biorft.evaluation.PRICES].
        discount: Multiplier on the list price (0.5 for the OpenAI Batch API).

    Returns:
        ``(cost_usd or None, note)``.

    Examples:
        >>> estimate_cost("o4-mini", 1_000_000, 0, discount=0.5)
        (0.55, 'o4-mini: $1.10 in / $4.40 out per 1M tokens, x0.5')
    """
    table = {**PRICES, **(prices or {})}
    hit = _lookup(model, table)
    if hit is None:
        return None, f"unknown model {model!r}: no price in the table; pass prices={{{model!r}: Price(input, output)}}"
    name, price = hit
    note = f"{name}: ${price.input:.2f} in / ${price.output:.2f} out per 1M tokens"
    if discount != 1.0:
        note += f", x{discount:g}"
    return price.cost(prompt_tokens, completion_tokens) * discount, note
