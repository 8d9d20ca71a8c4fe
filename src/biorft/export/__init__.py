"""Export splits to training formats, and read them back.

- [openai_rft][biorft.export.openai_rft]: OpenAI reinforcement fine-tuning JSONL (``messages`` ending with the user's
  message plus the
  grader item's fields at top level), ``grader.json`` and ``card.json``.
- [trl][biorft.export.trl]: Hugging Face ``datasets``-loadable JSONL or parquet with a conversational ``prompt`` column.
- [verl][biorft.export.verl]: parquet with ``data_source``, ``prompt``, ``ability``, ``reward_model``, ``extra_info``
  and a
  ``reward.py`` exposing ``compute_score``.
- [`validate_rft_jsonl`][biorft.export.validate_rft_jsonl]: check an RFT JSONL file against the service's rules.

Every writer is deterministic: the same splits give byte-identical files.

Examples:
    >>> import tempfile, biorft as br
    >>> splits = br.load_task("molecules/tox21").head(40).split("random_scaffold", seed=0)
    >>> paths = br.export.trl(splits, tempfile.mkdtemp())
    >>> row = br.export.read_trl(paths["train"])[0]
    >>> sorted(row)
    ['entity', 'id', 'kind', 'known_labels', 'prompt', 'target', 'task']
"""

from __future__ import annotations

from biorft.export._openai import openai_rft, read_openai_rft, rft_line
from biorft.export._trl import read_trl, trl, trl_row
from biorft.export._validate import RFTProblem, RFTValidationReport, validate_rft_jsonl
from biorft.export._verl import COMPUTE_SCORE_SHIM, read_verl, verl, verl_row

__all__ = [
    "COMPUTE_SCORE_SHIM",
    "RFTProblem",
    "RFTValidationReport",
    "openai_rft",
    "read_openai_rft",
    "read_trl",
    "read_verl",
    "rft_line",
    "trl",
    "trl_row",
    "validate_rft_jsonl",
    "verl",
    "verl_row",
]
