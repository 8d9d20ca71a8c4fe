"""Training backends: OpenAI / Azure OpenAI RFT (:mod:`biorft.backends.openai_rft`) and TRL GRPO.

Each backend is its own module, imported on first use, so ``import biorft.backends`` stays cheap and optional
dependencies are only needed by the backend that uses them.

Example:
    >>> import biorft.backends
    >>> biorft.backends.__all__
    []
"""

from __future__ import annotations

__all__: list[str] = []
