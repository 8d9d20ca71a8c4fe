"""Side-by-side comparison of evaluation reports with paired bootstrap differences.

Reports are grouped by task. Within a task, the first report is the reference; every other report gets the
difference ``other - reference`` for each metric, computed on the examples both evaluated, with a paired bootstrap
95% CI (the same resampled examples for both runs). A difference whose interval excludes zero is marked ``*``.

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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from biorft.evaluation._metrics import Metric
from biorft.evaluation._report import EvalReport, display_name, format_metric
from biorft.evaluation._stats import paired_differences
from biorft.schema import TaskKind

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
    """

    task: str
    reports: tuple[EvalReport, ...]
    differences: tuple[dict[str, Metric], ...]
    n_shared: tuple[int, ...]

    def table(self) -> str:
        """Markdown: one row per report with the key metrics and CIs, then the paired differences."""
        names = key_metrics(self.reports)
        ref = self.reports[0]
        lines = [f"### {self.task}", ""]
        lines.append("| model | n | " + " | ".join(display_name(m) for m in names) + " |")
        lines.append("|:--|--:|" + "--:|" * len(names))
        for r in self.reports:
            cells = [format_metric(m, r.metrics[m]) if m in r.metrics else "–" for m in names]
            lines.append(f"| `{r.model}` | {r.n_examples} | " + " | ".join(cells) + " |")
        if len(self.reports) > 1:
            lines += [
                "",
                f"Paired differences vs `{ref.model}` (same examples resampled for both; * = 95% CI excludes 0):",
                "",
                "| model | shared | " + " | ".join(f"Δ {display_name(m)}" for m in names) + " |",
                "|:--|--:|" + "--:|" * len(names),
            ]
            for r, diff, shared in zip(self.reports[1:], self.differences[1:], self.n_shared[1:], strict=True):
                cells = [_format_diff(m, diff[m]) if m in diff else "–" for m in names]
                lines.append(f"| `{r.model}` | {shared} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"


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


def compare(reports: Sequence[EvalReport], *, n_boot: int = 1000, seed: int = 0) -> Comparison:
    """Compare reports side by side, with paired bootstrap differences on the examples they share.

    Args:
        reports: Reports of one or more tasks; within a task the first is the reference.
        n_boot: Bootstrap resamples for the paired differences.
        seed: Bootstrap seed.

    Returns:
        A [`Comparison`][biorft.evaluation.Comparison]; ``print(comparison)`` or ``comparison.table()`` gives Markdown.

    Raises:
        ValueError: When no report is given.
    """
    if not reports:
        raise ValueError("compare() needs at least one report")
    by_task: dict[str, list[EvalReport]] = {}
    for r in reports:
        by_task.setdefault(r.task, []).append(r)
    groups = []
    for task, rs in by_task.items():
        ref = rs[0]
        diffs: list[dict[str, Metric]] = [{}]
        shared: list[int] = [ref.n_examples]
        for other in rs[1:]:
            d, n = paired_differences(ref.spec, ref.records, other.records, n_boot=n_boot, seed=seed)
            diffs.append(d)
            shared.append(n)
        groups.append(ComparisonGroup(task, tuple(rs), tuple(diffs), tuple(shared)))
    return Comparison(tuple(groups))
