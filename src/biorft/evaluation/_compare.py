"""Side-by-side comparison of evaluation reports with paired bootstrap differences.

Reports are grouped by task. Within a task, the first report is the reference; every other report gets the
difference ``other - reference`` for each metric, computed on the examples both evaluated, with a paired bootstrap
95% CI (the same resampled examples for both runs). A difference whose interval excludes zero is marked ``*``.

Every row says what it is in a "kind" column: a model run, a baseline, a shortcut baseline (a predictor that uses a
shortcut such as the entity's name alone) or a published reference result. Reference rows come from
[ReferenceResult][biorft.schema.ReferenceResult]s (a task card's ``references``); they carry a published number, not
graded outputs, so they are shown beside the runs with their citation and never enter the paired differences.

Examples:
    >>> from biorft.schema import TaskSpec
    >>> from biorft.evaluation._records import EvalRecord
    >>> from biorft.evaluation._report import EvalReport
    >>> spec = TaskSpec(name="t", domain="other", kind="binary", labels=("yes", "no"), instructions="x")
    >>> def run(model, n_right):
    ...     recs = [EvalRecord(id=str(i), sample=0, output_text="", score=float(i < n_right), reason="r",
    ...                        answer="yes" if i < n_right else "no", target="yes") for i in range(40)]
    ...     return EvalReport.from_records(spec, model, recs, n_boot=200)
    >>> cmp = compare([run("a", 10), run("b", 30)], n_boot=200)
    >>> round(cmp.groups[0].differences[1]["accuracy"].value, 2)
    0.5
    >>> cmp.groups[0].differences[1]["accuracy"].excludes(0.0)
    True
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from biorft.errors import ArgumentError
from biorft.evaluation._metrics import Metric
from biorft.evaluation._report import EvalReport, display_name, format_metric
from biorft.evaluation._stats import paired_differences
from biorft.schema import ReferenceResult, TaskKind

__all__ = ["Comparison", "ComparisonGroup", "compare", "key_metrics"]

_KEY: dict[TaskKind, tuple[str, ...]] = {
    TaskKind.BINARY: ("mean_reward", "accuracy", "balanced_accuracy", "macro_f1", "mcc", "auroc", "auprc", "answered"),
    TaskKind.MULTICLASS: ("mean_reward", "accuracy", "balanced_accuracy", "macro_f1", "mcc", "answered"),
    TaskKind.MULTILABEL: ("mean_reward", "micro_f1", "macro_f1", "answered"),
    TaskKind.REGRESSION: ("mean_reward", "mae", "rmse", "spearman", "pearson", "within_tolerance", "answered"),
}


def key_metrics(reports: Sequence[EvalReport]) -> list[str]:
    """The metrics a comparison table shows for these reports (of one task), in display order.

    Examples:
        >>> key_metrics([])
        []
    """
    if not reports:
        return []
    kind = reports[0].spec.kind
    present = set().union(*(r.metrics for r in reports))
    return [m for m in _KEY[kind] if m in present]


@dataclass(frozen=True)
class ComparisonGroup:
    """The reports of one task and their differences to the first.

    Attributes:
        task: The task name.
        reports: The reports, reference first.
        differences: Per report, metric -> ``report - reference`` with a paired CI (empty for the reference, and
            for a report that shares no example with it).
        n_shared: Per report, how many examples it shares with the reference.
        references: Published results on the task, shown as reference rows (never as runs).
    """

    task: str
    reports: tuple[EvalReport, ...]
    differences: tuple[dict[str, Metric], ...]
    n_shared: tuple[int, ...]
    references: tuple[ReferenceResult, ...] = ()

    def table(self) -> str:
        """Markdown: one row per report (with its kind) and per published reference, then the paired differences."""
        names = key_metrics(self.reports)
        names += [m for m in dict.fromkeys(r.metric for r in self.references) if m not in names]
        ref = self.reports[0]
        lines = [f"### {self.task}", ""]
        lines.append("| model | kind | n | " + " | ".join(display_name(m) for m in names) + " |")
        lines.append("|:--|:--|--:|" + "--:|" * len(names))
        for r in self.reports:
            cells = [format_metric(m, r.metrics[m]) if m in r.metrics else "–" for m in names]
            lines.append(f"| `{r.model}` | {r.kind} | {r.n_examples} | " + " | ".join(cells) + " |")
        for k, pub in enumerate(self.references, start=1):
            cells = [_format_reference(pub) if m == pub.metric else "–" for m in names]
            lines.append(f"| {pub.model} [{k}] | reference | – | " + " | ".join(cells) + " |")
        if self.references:
            lines += ["", "Reference rows are published results, not runs of this comparison:", ""]
            for k, pub in enumerate(self.references, start=1):
                where = f" <{pub.url}>" if pub.url else ""
                how = f"; {pub.protocol}" if pub.protocol else ""
                note = f"; {pub.note}" if pub.note else ""
                lines.append(f"- [{k}] {pub.model}: {display_name(pub.metric)}{how}; {pub.citation}{where}{note}")
        if len(self.reports) > 1:
            lines += [
                "",
                f"Paired differences vs `{ref.model}` (same examples resampled for both; * = 95% CI excludes 0):",
                "",
                "| model | kind | shared | " + " | ".join(f"Δ {display_name(m)}" for m in names) + " |",
                "|:--|:--|--:|" + "--:|" * len(names),
            ]
            for r, diff, shared in zip(self.reports[1:], self.differences[1:], self.n_shared[1:], strict=True):
                cells = [_format_diff(m, diff[m]) if m in diff else "–" for m in names]
                lines.append(f"| `{r.model}` | {r.kind} | {shared} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"


def _format_reference(pub: ReferenceResult) -> str:
    if pub.value is None:
        return "n/a"
    text = format_metric(pub.metric, Metric(pub.value))
    return text + (f" ± {pub.sd:.3f}" if pub.sd is not None else "")


def _format_diff(name: str, m: Metric) -> str:
    if not math.isfinite(m.value):
        return "n/a"
    pct = name in ("answered", "within_tolerance") or name.startswith("reason/")

    def fmt(x: float) -> str:
        return f"{100 * x:+.1f}" if pct else f"{x:+.3f}"

    text = fmt(m.value) + (" pp" if pct else "")
    if math.isfinite(m.ci_low) and math.isfinite(m.ci_high):
        text += f" [{fmt(m.ci_low)}, {fmt(m.ci_high)}]"
    return text + ("*" if m.excludes(0.0) else "")


@dataclass(frozen=True)
class Comparison:
    """The result of ``compare``: one [ComparisonGroup][biorft.evaluation.ComparisonGroup] per task.

    Attributes:
        groups: One group per task, in order of first appearance.
    """

    groups: tuple[ComparisonGroup, ...]

    def table(self) -> str:
        """Markdown tables, one section per task."""
        return "\n".join(g.table() for g in self.groups)

    def __str__(self) -> str:
        return self.table()

    def plot(self, path: str | os.PathLike[str]) -> Path:
        """Save a figure: per task, each report's mean reward and primary metric with 95% CIs.

        Raises:
            MissingDependencyError: When matplotlib is not installed (``pip install 'biorft[plot]'``).
        """
        from biorft.evaluation._plot import plot_comparison

        return plot_comparison(self, Path(path))


def compare(
    reports: Sequence[EvalReport],
    *,
    references: Sequence[ReferenceResult] | Mapping[str, Sequence[ReferenceResult]] = (),
    n_boot: int = 1000,
    seed: int = 0,
) -> Comparison:
    """Compare reports side by side, with paired bootstrap differences on the examples they share.

    Args:
        reports: Reports of one or more tasks (model runs, baselines, shortcut baselines: their ``kind``); within a
            task the first is the reference of the paired differences.
        references: Published results to show as reference rows: a task card's ``references`` when every report
            is of one task, or task name -> references.
        n_boot: Bootstrap resamples for the paired differences.
        seed: Bootstrap seed.

    Returns:
        A [Comparison][biorft.evaluation.Comparison]; ``print(comparison)`` or ``comparison.table()`` gives
        Markdown.

    Raises:
        ArgumentError: When no report is given, or a sequence of references comes with reports of several tasks.

    Examples:
        >>> from biorft.schema import ReferenceResult, TaskSpec
        >>> from biorft.evaluation import EvalRecord, EvalReport
        >>> spec = TaskSpec(name="t", domain="other", kind="binary", labels=("yes", "no"), instructions="x")
        >>> recs = [EvalRecord(id=str(i), sample=0, output_text="", score=float(i % 2), reason="r",
        ...                    answer="yes", target="yes" if i % 2 else "no") for i in range(10)]
        >>> runs = [EvalReport.from_records(spec, "my-model", recs, n_boot=0),
        ...         EvalReport.from_records(spec, "name-only", recs, n_boot=0, kind="shortcut")]
        >>> pub = ReferenceResult(model="PaperNet", metric="accuracy", value=0.81, citation="Doe 2024")
        >>> table = compare(runs, references=[pub], n_boot=0).table()
        >>> "| `name-only` | shortcut |" in table, "| PaperNet [1] | reference |" in table
        (True, True)
    """
    if not reports:
        raise ArgumentError("compare() needs at least one report")
    by_task: dict[str, list[EvalReport]] = {}
    for r in reports:
        by_task.setdefault(r.task, []).append(r)
    if isinstance(references, Mapping):
        refs_by_task = {task: tuple(refs) for task, refs in references.items()}
    elif references:
        if len(by_task) > 1:
            raise ArgumentError(
                "references= as a list needs reports of one task; pass a mapping of task name -> references"
            )
        refs_by_task = {next(iter(by_task)): tuple(references)}
    else:
        refs_by_task = {}
    groups = []
    for task, rs in by_task.items():
        ref = rs[0]
        diffs: list[dict[str, Metric]] = [{}]
        shared: list[int] = [ref.n_examples]
        for other in rs[1:]:
            d, n = paired_differences(ref.spec, ref.records, other.records, n_boot=n_boot, seed=seed)
            diffs.append(d)
            shared.append(n)
        groups.append(ComparisonGroup(task, tuple(rs), tuple(diffs), tuple(shared), refs_by_task.get(task, ())))
    return Comparison(tuple(groups))
