"""The study table: a model x task matrix of each task's primary metric, with baselines and published references.

`study_table` takes the reports of a study (any models and baselines on any tasks; several reports of one
model on one task are seeds, as in TDC's five-seed protocol) and builds a `StudyTable`: one row per model,
baseline and published reference, one column per task, each cell the task's primary metric (the task's
``spec.metadata["primary_metric"]`` when set, as on TDC tasks, else the report's default) with its bootstrap 95% CI
(one report) or mean +/- sd over seeds (several reports; population sd, as TDC's leaderboard computes it).
Reference rows come from the published results recorded for each task; only those in the task's primary metric
are shown. Render it as Markdown (`StudyTable.markdown`), CSV (`StudyTable.csv`) or a plot
(`StudyTable.plot`); `StudyTable.save` writes all three.

Examples:
    >>> from biorft.evaluation import EvalRecord, EvalReport
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="molecules/logs", domain="molecules", kind="regression", tolerance=0.5,
    ...                 instructions="Predict LogS.", metadata={"primary_metric": "mae"})
    >>> def report(model, err, source="endpoint"):
    ...     recs = [EvalRecord(id=str(i), sample=0, output_text="", score=1.0, reason="correct", answer=i + err,
    ...                        target=float(i)) for i in range(10)]
    ...     return EvalReport.from_records(spec, model, recs, n_boot=50, source=source)
    >>> table = study_table([report("llm", 0.3), report("baseline:esol", 0.6, "baseline")], references=False)
    >>> print(table.markdown())  # doctest: +NORMALIZE_WHITESPACE
    | row | kind | molecules/logs (mae, lower is better) |
    |---|---|---|
    | llm | model | **0.300 [0.300, 0.300]** |
    | baseline:esol | baseline | 0.600 [0.600, 0.600] |
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from biorft.evaluation._report import EvalReport

__all__ = ["LOWER_IS_BETTER", "StudyCell", "StudyTable", "primary_metric", "study_table"]

LOWER_IS_BETTER = frozenset({"mae", "rmse"})
"""Metrics where a smaller value is better (every other metric: larger is better)."""

RowKind = Literal["model", "baseline", "reference"]


@dataclass(frozen=True)
class StudyCell:
    """One cell: a row's primary metric on one task.

    Attributes:
        value: The metric (mean over seeds when ``n_runs > 1``); None for a reference without a published value.
        ci_low: Lower end of the 95% bootstrap CI (one run), else None.
        ci_high: Upper end of the 95% bootstrap CI (one run), else None.
        sd: Standard deviation over runs (several runs, or a reference's published sd), else None.
        n_runs: Reports behind the cell (seeds); 0 for a reference.
        note: Where a reference comes from, or why a value is missing.
    """

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    sd: float | None = None
    n_runs: int = 1
    note: str = ""

    def format(self, digits: int = 3) -> str:
        """``0.812 [0.780, 0.840]``, ``0.812 +/- 0.010`` or ``n/a``."""
        if self.value is None or not math.isfinite(self.value):
            return "n/a"
        text = f"{self.value:.{digits}f}"
        if self.sd is not None:
            return f"{text} +/- {self.sd:.{digits}f}"
        if self.ci_low is not None and self.ci_high is not None and math.isfinite(self.ci_low):
            return f"{text} [{self.ci_low:.{digits}f}, {self.ci_high:.{digits}f}]"
        return text


@dataclass(frozen=True)
class StudyTable:
    """A model x task matrix of primary metrics (rows: models, baselines, references; columns: tasks).

    Attributes:
        tasks: Task names, in column order.
        rows: Row names, in order (models, then baselines, then references).
        kinds: Row name -> ``"model"``, ``"baseline"`` or ``"reference"``.
        metrics: Task -> its primary metric.
        cells: ``(row, task)`` -> `StudyCell` (absent when the row has no result on the task).
    """

    tasks: tuple[str, ...]
    rows: tuple[str, ...]
    kinds: dict[str, RowKind]
    metrics: dict[str, str]
    cells: dict[tuple[str, str], StudyCell] = field(default_factory=dict)

    def best(self, task: str) -> str | None:
        """The best model or baseline row on ``task`` (references excluded), or None."""
        lower = self.metrics[task] in LOWER_IS_BETTER
        scored = [
            (c.value, row)
            for row in self.rows
            if self.kinds[row] != "reference"
            and (c := self.cells.get((row, task))) is not None
            and c.value is not None
            and math.isfinite(c.value)
        ]
        if not scored:
            return None
        return (min if lower else max)(scored, key=lambda t: t[0])[1]

    def markdown(self, digits: int = 3) -> str:
        """The table as Markdown; the best model or baseline per task is in bold."""

        def head(task: str) -> str:
            metric = self.metrics[task]
            return f"{task} ({metric}, {'lower' if metric in LOWER_IS_BETTER else 'higher'} is better)"

        lines = [
            "| row | kind | " + " | ".join(head(t) for t in self.tasks) + " |",
            "|---|---|" + "---|" * len(self.tasks),
        ]
        best = {t: self.best(t) for t in self.tasks}
        for row in self.rows:
            cells = []
            for task in self.tasks:
                cell = self.cells.get((row, task))
                text = "" if cell is None else cell.format(digits)
                cells.append(f"**{text}**" if best[task] == row and text else text)
            lines.append(f"| {row} | {self.kinds[row]} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def csv(self) -> str:
        """One line per cell: ``task, metric, row, kind, value, ci_low, ci_high, sd, n_runs, note``."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["task", "metric", "row", "kind", "value", "ci_low", "ci_high", "sd", "n_runs", "note"])
        for task in self.tasks:
            for row in self.rows:
                c = self.cells.get((row, task))
                if c is not None:
                    values = [c.value, c.ci_low, c.ci_high, c.sd, c.n_runs, c.note]
                    writer.writerow([task, self.metrics[task], row, self.kinds[row], *values])
        return buf.getvalue()

    def plot(self, path: str | os.PathLike[str]) -> Path:
        """One panel per task: each row's value with its CI or sd (references as open markers).

        Needs matplotlib (``pip install 'biorft[plot]'``).
        """
        from biorft.errors import require

        require("matplotlib", extra="plot", feature="StudyTable.plot")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        n = max(1, len(self.tasks))
        cols = min(4, n)
        nrows = math.ceil(n / cols)
        fig, axes = plt.subplots(
            nrows, cols, figsize=(4.2 * cols, 0.35 * len(self.rows) * nrows + 1.2 * nrows), squeeze=False
        )
        colours = {"model": "tab:blue", "baseline": "tab:gray", "reference": "tab:orange"}
        for k, task in enumerate(self.tasks):
            ax = axes[k // cols][k % cols]
            for y, row in enumerate(self.rows):
                c = self.cells.get((row, task))
                if c is None or c.value is None or not math.isfinite(c.value):
                    continue
                if c.sd is not None:
                    err: Any = [[c.sd], [c.sd]]
                elif c.ci_low is not None and c.ci_high is not None and math.isfinite(c.ci_low):
                    err = [[c.value - c.ci_low], [c.ci_high - c.value]]
                else:
                    err = None
                kind = self.kinds[row]
                ax.errorbar(
                    [c.value],
                    [y],
                    xerr=err,
                    fmt="o",
                    color=colours[kind],
                    mfc="white" if kind == "reference" else colours[kind],
                    capsize=2,
                )
            ax.set_yticks(range(len(self.rows)))
            ax.set_yticklabels(self.rows if k % cols == 0 else [""] * len(self.rows), fontsize=7)
            ax.invert_yaxis()
            metric = self.metrics[task]
            ax.set_title(
                f"{task}\n{metric} ({'lower' if metric in LOWER_IS_BETTER else 'higher'} is better)", fontsize=8
            )
            ax.grid(axis="x", alpha=0.3)
        for k in range(len(self.tasks), nrows * cols):
            axes[k // cols][k % cols].axis("off")
        fig.tight_layout()
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=120)
        plt.close(fig)
        return out

    def save(self, out_dir: str | os.PathLike[str], *, name: str = "study", plot: bool = True) -> dict[str, Path]:
        """Write ``<name>.md``, ``<name>.csv`` and (with ``plot``) ``<name>.png`` into ``out_dir``."""
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": folder / f"{name}.md", "csv": folder / f"{name}.csv"}
        paths["markdown"].write_text(self.markdown() + "\n", encoding="utf-8")
        paths["csv"].write_text(self.csv(), encoding="utf-8")
        if plot:
            paths["plot"] = self.plot(folder / f"{name}.png")
        return paths


def primary_metric(report: EvalReport) -> str:
    """The metric a task is ranked by: ``spec.metadata["primary_metric"]`` when set, else the report's default.

    Examples:
        >>> from biorft.schema import TaskSpec
        >>> spec = TaskSpec(name="tdc/x", domain="molecules", kind="binary", labels=("a", "b"), instructions="?",
        ...                 metadata={"primary_metric": "auprc"})
        >>> primary_metric(EvalReport(spec=spec, model="m", records=(), metrics={}))
        'auprc'
    """
    chosen = report.spec.metadata.get("primary_metric")
    return str(chosen) if isinstance(chosen, str) and chosen else report.primary_metric


def _kind(report: EvalReport) -> RowKind:
    kind = getattr(report, "kind", None)
    if kind in ("model", "baseline", "reference"):
        return kind  # type: ignore[no-any-return]
    if kind == "shortcut" or report.source == "baseline":
        return "baseline"
    return "model"


def study_table(
    reports: Iterable[EvalReport],
    *,
    references: bool = True,
    metrics: Mapping[str, str] | None = None,
    tasks: Sequence[str] | None = None,
) -> StudyTable:
    """Build the model x task matrix of a study.

    Args:
        reports: Reports of models and baselines on any tasks; several reports of one model on one task are
            treated as seeds (mean +/- sd).
        references: Add a row per published result recorded for the tasks (in their primary metric).
        metrics: Override the primary metric per task.
        tasks: Column order (default: first appearance).

    Returns:
        The `StudyTable`.
    """
    import numpy as np

    grouped: dict[tuple[str, str], list[EvalReport]] = {}
    kinds: dict[str, RowKind] = {}
    task_metric: dict[str, str] = {}
    order: list[str] = []
    for r in reports:
        grouped.setdefault((r.model, r.task), []).append(r)
        kinds.setdefault(r.model, _kind(r))
        if r.task not in task_metric:
            task_metric[r.task] = (metrics or {}).get(r.task) or primary_metric(r)
            order.append(r.task)
    columns = tuple(tasks) if tasks is not None else tuple(order)
    cells: dict[tuple[str, str], StudyCell] = {}
    for (model, task), runs in grouped.items():
        if task not in task_metric:
            continue
        name = task_metric[task]
        values = [r.metrics[name] for r in runs if name in r.metrics]
        if not values:
            cells[(model, task)] = StudyCell(value=None, n_runs=len(runs), note=f"no {name} in the report")
        elif len(values) == 1:
            m = values[0]
            cells[(model, task)] = StudyCell(value=m.value, ci_low=m.ci_low, ci_high=m.ci_high, n_runs=1)
        else:
            arr = np.array([m.value for m in values], dtype=float)
            cells[(model, task)] = StudyCell(value=float(arr.mean()), sd=float(arr.std()), n_runs=len(values))
    if references:
        from biorft.datasets._references import references_for

        for task in columns:
            for ref in references_for(task):
                if ref.metric != task_metric.get(task):
                    continue
                row = f"ref: {ref.model}"
                kinds.setdefault(row, "reference")
                cells[(row, task)] = StudyCell(value=ref.value, sd=ref.sd, n_runs=0, note=ref.note or ref.citation)
    rank = {"model": 0, "baseline": 1, "reference": 2}
    rows = tuple(sorted(kinds, key=lambda r: (rank[kinds[r]], list(kinds).index(r))))
    return StudyTable(tasks=columns, rows=rows, kinds=kinds, metrics=task_metric, cells=cells)
