"""biorft: reinforcement fine-tuning of reasoning models on biomedical tasks.

Typed task schemas, curated gene and molecule datasets, verifiable graders that score identically in-process, as
OpenAI python graders and as TRL / verl rewards, and thin wrappers for RFT jobs and endpoint evaluation.

Importing biorft is cheap: every public name is loaded on first use.

Examples:
    >>> import biorft as br
    >>> isinstance(br.__version__, str)
    True
    >>> br.TaskKind("binary").value
    'binary'
"""

from __future__ import annotations

import importlib
from typing import Any

from biorft._version import __version__

# name -> (module, attribute); attribute None means the module itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    # schema
    "TaskSpec": ("biorft.schema", "TaskSpec"),
    "Example": ("biorft.schema", "Example"),
    "DatasetCard": ("biorft.schema", "DatasetCard"),
    "TaskKind": ("biorft.schema", "TaskKind"),
    "Domain": ("biorft.schema", "Domain"),
    "TaskInfo": ("biorft.schema", "TaskInfo"),
    "reference_item": ("biorft.schema", "reference_item"),
    # errors
    "BiorftError": ("biorft.errors", "BiorftError"),
    "SchemaError": ("biorft.errors", "SchemaError"),
    "DatasetError": ("biorft.errors", "DatasetError"),
    "GraderError": ("biorft.errors", "GraderError"),
    "BackendError": ("biorft.errors", "BackendError"),
    "MissingDependencyError": ("biorft.errors", "MissingDependencyError"),
    # datasets
    "list_tasks": ("biorft.datasets", "list_tasks"),
    "load_task": ("biorft.datasets", "load_task"),
    "register_task": ("biorft.datasets", "register_task"),
    "molecule_task": ("biorft.datasets", "molecule_task"),
    "gene_task": ("biorft.datasets", "gene_task"),
    "TaskDataset": ("biorft.datasets", "TaskDataset"),
    "Splits": ("biorft.datasets", "Splits"),
    # graders
    "grader_for": ("biorft.graders", "grader_for"),
    "Grader": ("biorft.graders", "Grader"),
    "GradeResult": ("biorft.graders", "GradeResult"),
    "Reason": ("biorft.graders", "Reason"),
    # audit
    "audit": ("biorft._audit", "audit"),
    "AuditResult": ("biorft._audit", "AuditResult"),
    # evaluation
    "evaluate": ("biorft.evaluation", "evaluate"),
    "compare": ("biorft.evaluation", "compare"),
    "EvalReport": ("biorft.evaluation", "EvalReport"),
    "Metric": ("biorft.evaluation", "Metric"),
    # backends
    "OpenAIRFT": ("biorft.backends.openai_rft", "OpenAIRFT"),
    "JobHandle": ("biorft.backends.openai_rft", "JobHandle"),
    # submodules used as namespaces
    "export": ("biorft.export", None),
    "rewards": ("biorft.rewards", None),
    "graders": ("biorft.graders", None),
    "datasets": ("biorft.datasets", None),
    "evaluation": ("biorft.evaluation", None),
    "baselines": ("biorft.baselines", None),
    "errors": ("biorft.errors", None),
    "schema": ("biorft.schema", None),
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'biorft' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
