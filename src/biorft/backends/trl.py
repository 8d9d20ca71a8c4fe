"""TRL GRPO backend: biorft tasks and graders as a ``datasets.Dataset`` and a configured ``trl.GRPOTrainer``.

biorft does not write its own trainer: it supplies the data (a conversational ``prompt`` plus the grader's item
columns) and the reward (the task's grader, the same one the OpenAI RFT export and the evaluation runner use), and
TRL trains. Importing this module is cheap; ``trl``, ``datasets`` and ``torch`` load on first use and are installed
by the ``trl`` extra (install ``torch`` first, CPU or CUDA build of your choice, then ``pip install 'biorft[trl]'``).

- `grpo_dataset`: a split as a ``datasets.Dataset`` (``prompt`` + ``id``, ``task``, ``kind``, ``entity``,
  ``target`` in its native type per task kind, ``known_labels`` for multilabel tasks).
- `grpo_rows`: the same rows as plain dicts, for other trainers or file formats.
- `grpo_recipe`: a ready ``trl.GRPOTrainer`` for a model name/path or a preloaded model and tokenizer.

Examples:
    >>> from biorft.backends import trl as biorft_trl
    >>> sorted(biorft_trl.__all__)
    ['grpo_dataset', 'grpo_recipe', 'grpo_rows']
"""

from __future__ import annotations

from biorft.backends._trl_dataset import grpo_rows
from biorft.backends._trl_recipe import grpo_dataset, grpo_recipe

__all__ = ["grpo_dataset", "grpo_recipe", "grpo_rows"]
