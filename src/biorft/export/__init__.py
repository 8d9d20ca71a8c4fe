"""Writers and checkers for training data formats (OpenAI RFT JSONL, TRL, verl).

Example:
    >>> from biorft.export import validate_rft_jsonl
    >>> callable(validate_rft_jsonl)
    True
"""

from __future__ import annotations

from biorft.export._validate import RFTProblem, RFTValidationReport, validate_rft_jsonl

__all__ = ["RFTProblem", "RFTValidationReport", "validate_rft_jsonl"]
