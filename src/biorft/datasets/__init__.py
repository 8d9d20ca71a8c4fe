"""Curated and user-built task datasets: registry, builders, splits.

Bundled tasks work offline and are versioned; each carries a :class:`~biorft.schema.DatasetCard` with provenance,
licence, checksums and the rows quarantined during curation (see ``data/NOTICE``).

Examples:
    >>> import biorft as br
    >>> ds = br.load_task("molecules/bbb_b3db")
    >>> splits = ds.split("scaffold", fractions=(0.8, 0.1, 0.1))
    >>> splits.check_leakage()
    >>> ex = next(splits.test.examples())
    >>> ex.messages[-1]["role"], ex.item["target"] in ds.spec.labels
    ('user', True)
"""

from __future__ import annotations

from biorft.datasets._build import DUPLICATE_POLICIES
from biorft.datasets._dataset import PromptedExample, TaskDataset
from biorft.datasets._families import gene_family
from biorft.datasets._folds import Folds
from biorft.datasets._genes import GeneMatch, GeneTable, gene_table, gene_task
from biorft.datasets._molecules import molecule_task
from biorft.datasets._registry import list_tasks, load_task, register_task, unregister_task
from biorft.datasets._splits import SPLIT_METHODS, Splits

__all__ = [
    "DUPLICATE_POLICIES",
    "SPLIT_METHODS",
    "Folds",
    "GeneMatch",
    "GeneTable",
    "PromptedExample",
    "Splits",
    "TaskDataset",
    "gene_family",
    "gene_table",
    "gene_task",
    "list_tasks",
    "load_task",
    "molecule_task",
    "register_task",
    "unregister_task",
]
