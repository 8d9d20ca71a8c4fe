"""biorft: reinforcement fine-tuning of reasoning models on biomedical tasks.

Typed task schemas, curated gene and molecule datasets, verifiable graders that score identically in-process, as
OpenAI python graders and as TRL / verl rewards, and thin wrappers for RFT jobs and endpoint evaluation.

Importing biorft is cheap: every public name is loaded on first use. Type checkers (mypy, pyright) see each
name's real type and signature.

Examples:
    >>> import biorft as br
    >>> isinstance(br.__version__, str)
    True
    >>> br.TaskKind("binary").value
    'binary'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from biorft._version import __version__

if TYPE_CHECKING:
    # What type checkers see: the real objects behind the lazy names below (kept equal to _LAZY by a test).
    from biorft import baselines as baselines
    from biorft import datasets as datasets
    from biorft import errors as errors
    from biorft import evaluation as evaluation
    from biorft import export as export
    from biorft import graders as graders
    from biorft import rewards as rewards
    from biorft import schema as schema
    from biorft._audit import AuditResult as AuditResult
    from biorft._audit import audit as audit
    from biorft.backends.openai_rft import JobHandle as JobHandle
    from biorft.backends.openai_rft import OpenAIRFT as OpenAIRFT
    from biorft.datasets import Splits as Splits
    from biorft.datasets import TaskDataset as TaskDataset
    from biorft.datasets import gene_task as gene_task
    from biorft.datasets import list_tasks as list_tasks
    from biorft.datasets import load_task as load_task
    from biorft.datasets import molecule_task as molecule_task
    from biorft.datasets import register_task as register_task
    from biorft.errors import BackendError as BackendError
    from biorft.errors import BiorftError as BiorftError
    from biorft.errors import DatasetError as DatasetError
    from biorft.errors import GraderError as GraderError
    from biorft.errors import MissingDependencyError as MissingDependencyError
    from biorft.errors import SchemaError as SchemaError
    from biorft.evaluation import EvalReport as EvalReport
    from biorft.evaluation import Metric as Metric
    from biorft.evaluation import compare as compare
    from biorft.evaluation import evaluate as evaluate
    from biorft.graders import Grader as Grader
    from biorft.graders import GradeResult as GradeResult
    from biorft.graders import Reason as Reason
    from biorft.graders import grader_for as grader_for
    from biorft.schema import DatasetCard as DatasetCard
    from biorft.schema import Domain as Domain
    from biorft.schema import Example as Example
    from biorft.schema import TaskInfo as TaskInfo
    from biorft.schema import TaskKind as TaskKind
    from biorft.schema import TaskSpec as TaskSpec
    from biorft.schema import reference_item as reference_item

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
    "curate": ("biorft.curate", None),
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
