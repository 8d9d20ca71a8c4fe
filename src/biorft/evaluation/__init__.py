"""Evaluate any OpenAI-compatible endpoint (or existing outputs, Batch API files, baselines) on a task.

- :func:`evaluate` runs a model over a dataset with bounded concurrency, retries with back-off, an append-only
  response cache (resumable, re-scorable) and a progress bar, grades every output with the task's grader and
  returns an :class:`EvalReport`.
- :func:`grade_outputs` grades a file of outputs you already have; :func:`write_batch_input` and
  :func:`score_batch_output` go through the OpenAI Batch API instead.
- :class:`EvalReport` holds per-example :class:`EvalRecord` s and :class:`Metric` s with seeded bootstrap 95% CIs,
  and renders Markdown (:meth:`EvalReport.table`), JSON and plots; :func:`compare` puts reports side by side with
  paired bootstrap differences; `study_table` builds the model x task matrix of a whole study (each task's
primary metric with its CI or +/- sd over seeds, baselines and published reference rows included).

Metric names by task kind: every task has ``mean_reward``, ``answered`` and ``reason/<reason>`` shares;
binary / multiclass add ``accuracy``, ``balanced_accuracy``, ``macro_f1``, ``mcc`` (and ``auroc`` / ``auprc`` for
binary tasks whose answers carry a confidence); multilabel adds ``micro_f1`` and ``macro_f1``; regression adds
``mae``, ``rmse``, ``spearman``, ``pearson`` and ``within_tolerance``.

Examples:
    >>> from biorft.evaluation import EvalRecord, EvalReport
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="molecules/logs", domain="molecules", kind="regression", units="log(mol/L)",
    ...                 tolerance=0.5, instructions="Predict LogS.")
    >>> recs = [EvalRecord(id=str(i), sample=0, output_text=f"Answer: {i + 0.3}", score=1.0, reason="correct",
    ...                    answer=i + 0.3, target=float(i)) for i in range(20)]
    >>> report = EvalReport.from_records(spec, "my-model", recs, n_boot=200)
    >>> round(report.metrics["mae"].value, 2), report.metrics["spearman"].value
    (0.3, 1.0)
"""

from __future__ import annotations

from biorft.evaluation._batch import score_batch_output, write_batch_input
from biorft.evaluation._cache import CacheError
from biorft.evaluation._compare import Comparison, ComparisonGroup, compare
from biorft.evaluation._metrics import Metric
from biorft.evaluation._outputs import grade_outputs
from biorft.evaluation._pricing import PRICES, Price, estimate_cost
from biorft.evaluation._records import EvalRecord
from biorft.evaluation._report import EvalReport, ReportError
from biorft.evaluation._runner import aevaluate, evaluate
from biorft.evaluation._study import StudyCell, StudyTable, study_table

__all__ = [
    "PRICES",
    "CacheError",
    "Comparison",
    "ComparisonGroup",
    "EvalRecord",
    "EvalReport",
    "Metric",
    "Price",
    "ReportError",
    "StudyCell",
    "StudyTable",
    "aevaluate",
    "compare",
    "estimate_cost",
    "evaluate",
    "grade_outputs",
    "score_batch_output",
    "study_table",
    "write_batch_input",
]
