"""Evaluate any OpenAI-compatible endpoint (or existing outputs, Batch API files, baselines) on a task.

- [evaluate][biorft.evaluation.evaluate] runs a model over a dataset with bounded concurrency, retries with back-off, an
  append-only
  response cache (resumable, re-scorable) and a progress bar, grades every output with the task's grader and
  returns an [`EvalReport`][biorft.evaluation.EvalReport].
- [grade_outputs][biorft.evaluation.grade_outputs] grades a file of outputs you already have;
  [write_batch_input][biorft.evaluation.write_batch_input] and
  [`score_batch_output`][biorft.evaluation.score_batch_output] go through the OpenAI Batch API instead.
- [EvalReport][biorft.evaluation.EvalReport] holds per-example [EvalRecord][biorft.evaluation.EvalRecord] s and
  [Metric][biorft.evaluation.Metric] s with seeded bootstrap 95% CIs,
  and renders Markdown ([EvalReport.table][biorft.evaluation.EvalReport.table]), JSON and plots;
  [compare][biorft.evaluation.compare] puts reports side by side with
  paired bootstrap differences.
  returns an `EvalReport`.
- `grade_outputs` grades a file of outputs you already have; `write_batch_input` and
  `score_batch_output` go through the OpenAI Batch API instead.
- `EvalReport` holds per-example `EvalRecord` s and `Metric` s with seeded bootstrap 95% CIs,
  and renders Markdown (`EvalReport.table`), JSON and plots; `compare` puts reports side by side with
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
from biorft.evaluation._report import EvalReport, ReportError, report_json_schema
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
    "report_json_schema",
    "score_batch_output",
    "study_table",
    "write_batch_input",
]
