"""The result of an evaluation: graded records, metrics with confidence intervals, tables, JSON and plots.

Examples:
    >>> from biorft.schema import TaskSpec
    >>> from biorft.evaluation._records import EvalRecord
    >>> spec = TaskSpec(name="genes/demo", domain="genes", kind="binary", labels=("yes", "no"),
    ...                 positive_label="yes", instructions="x")
    >>> recs = [EvalRecord(id=f"g{i}", sample=0, output_text="", score=float(i < 7), reason="correct"
    ...                    if i < 7 else "incorrect", answer="yes", target="yes" if i < 7 else "no")
    ...         for i in range(10)]
    >>> report = EvalReport.from_records(spec, "my-model", recs, n_boot=100)
    >>> report.metrics["accuracy"].value
    0.7
    >>> EvalReport.from_json(report.to_json()).metrics == report.metrics
    True
    >>> print(report.table().splitlines()[0])
    ### genes/demo · `my-model`
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from biorft._version import __version__
from biorft.errors import BiorftError
from biorft.evaluation._metrics import Metric
from biorft.evaluation._records import EvalRecord
from biorft.evaluation._stats import PRIMARY_METRIC, compute_metrics, prediction_codes
from biorft.schema import TaskKind, TaskSpec

__all__ = ["EvalReport", "ReportError", "display_name", "format_metric"]

_FORMAT = "biorft.eval_report"
_FORMAT_VERSION = 1

_DISPLAY = {
    "mean_reward": "mean reward",
    "answered": "answered",
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "macro_f1": "macro-F1",
    "micro_f1": "micro-F1",
    "mcc": "MCC",
    "auroc": "AUROC",
    "auprc": "AUPRC",
    "mae": "MAE",
    "rmse": "RMSE",
    "spearman": "Spearman",
    "pearson": "Pearson",
    "within_tolerance": "within tolerance",
}

_SHARES = {"answered", "within_tolerance"}


def display_name(name: str) -> str:
    """Human name of a metric key.

    Examples:
        >>> display_name("balanced_accuracy"), display_name("reason/no_answer")
        ('balanced accuracy', 'reason: no_answer')
    """
    if name.startswith("reason/"):
        return "reason: " + name.split("/", 1)[1]
    return _DISPLAY.get(name, name)


def format_metric(name: str, m: Metric, *, ci: bool = True) -> str:
    """A metric for tables: shares as percentages, others with 3 decimals, ``n/a`` when undefined.

    Examples:
        >>> format_metric("reason/correct", Metric(0.5, 0.4, 0.6))
        '50.0% [40.0, 60.0]'
        >>> format_metric("mae", Metric(0.25, 0.2, 0.3), ci=False)
        '0.250'
    """
    if not math.isfinite(m.value):
        return "n/a"
    pct = name.startswith("reason/") or name in _SHARES
    has_ci = ci and math.isfinite(m.ci_low) and math.isfinite(m.ci_high)
    if pct:
        text = f"{100 * m.value:.1f}%"
        return text + (f" [{100 * m.ci_low:.1f}, {100 * m.ci_high:.1f}]" if has_ci else "")
    text = f"{m.value:.3f}"
    return text + (f" [{m.ci_low:.3f}, {m.ci_high:.3f}]" if has_ci else "")


class ReportError(BiorftError, ValueError):
    """A file or text is not a biorft evaluation report; the message names it."""


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class EvalReport:
    """Graded records of one model (or baseline) on one task, with metrics and 95% bootstrap CIs.

    Build one with :func:`biorft.evaluate`, :func:`biorft.evaluation.grade_outputs`,
    :func:`biorft.evaluation.score_batch_output`, a baseline's ``evaluate``, :meth:`from_records` or
    :meth:`from_json`.

    Attributes:
        spec: The task.
        model: Model (or baseline) name, the label used in tables.
        records: One :class:`EvalRecord` per example and sample, in dataset order.
        metrics: Metric name -> :class:`Metric` (see :mod:`biorft.evaluation` for the names per task kind).
        params: The request parameters (api, temperature, ...), for the record.
        usage: Token and cost summary: ``requests``, ``new_requests``, ``prompt_tokens``, ``completion_tokens``,
            ``reasoning_tokens``, ``cost_usd`` (None when the model's price is unknown), ``price`` (a note),
            ``wall_s``, ``retries`` and ``retry_causes`` (the most common causes of retried requests).
        source: Where the outputs came from: ``"endpoint"``, ``"outputs"``, ``"batch"`` or ``"baseline"``.
        failures: Requests that produced no output to grade (e.g. failed Batch API lines), each a dict with
            ``id``, ``sample`` and ``error``; they are not in the metrics and are listed in :meth:`table`.
        n_boot: Bootstrap resamples behind the intervals.
        seed: Seed of the bootstrap.
        created: UTC time the report was made (ISO 8601).
        biorft_version: The biorft version that made it.
    """

    spec: TaskSpec
    model: str
    records: tuple[EvalRecord, ...]
    metrics: dict[str, Metric]
    params: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    source: str = "endpoint"
    failures: tuple[dict[str, Any], ...] = ()
    n_boot: int = 1000
    seed: int = 0
    created: str = field(default_factory=_now)
    biorft_version: str = __version__

    @classmethod
    def from_records(
        cls,
        spec: TaskSpec,
        model: str,
        records: Sequence[EvalRecord],
        *,
        params: Mapping[str, Any] | None = None,
        usage: Mapping[str, Any] | None = None,
        source: str = "endpoint",
        failures: Sequence[Mapping[str, Any]] = (),
        n_boot: int = 1000,
        seed: int = 0,
    ) -> EvalReport:
        """Compute the metrics of graded records and wrap them in a report.

        Args:
            spec: The task.
            model: Model or baseline name.
            records: Graded records.
            params: Request parameters to record.
            usage: Token / cost summary (computed from the records when None).
            source: Where the outputs came from.
            failures: Requests without an output, each ``{"id", "sample", "error"}``.
            n_boot: Bootstrap resamples (0 skips the intervals).
            seed: Bootstrap seed.

        Returns:
            The report.
        """
        recs = tuple(records)
        metrics = compute_metrics(spec, recs, n_boot=n_boot, seed=seed)
        return cls(
            spec=spec,
            model=model,
            records=recs,
            metrics=metrics,
            params=dict(params or {}),
            usage=dict(usage) if usage is not None else token_usage(recs),
            source=source,
            failures=tuple(dict(f) for f in failures),
            n_boot=n_boot,
            seed=seed,
        )

    # -- views -----------------------------------------------------------------------------------------------
    @property
    def task(self) -> str:
        """The task name."""
        return self.spec.name

    @property
    def n_examples(self) -> int:
        """Number of distinct examples graded."""
        return len({r.id for r in self.records})

    @property
    def n_samples(self) -> int:
        """Number of graded outputs (examples x samples)."""
        return len(self.records)

    @property
    def primary_metric(self) -> str:
        """The metric summaries lead with for this task kind (e.g. ``balanced_accuracy``)."""
        return PRIMARY_METRIC[self.spec.kind]

    def summary(self) -> str:
        """One line: task, model, primary metric and mean reward with CIs.

        Examples:
            >>> from biorft.schema import TaskSpec
            >>> spec = TaskSpec(name="t", domain="other", kind="regression", instructions="x")
            >>> r = EvalReport.from_records(spec, "m", [EvalRecord(id="1", sample=0, output_text="", score=1.0,
            ...     reason="correct", answer=1.0, target=1.0)], n_boot=0)
            >>> r.summary()
            't · m: Spearman n/a; mean reward 1.000 (1 examples)'
        """
        primary = self.primary_metric
        pm = self.metrics.get(primary, Metric(math.nan))
        mr = self.metrics.get("mean_reward", Metric(math.nan))
        return (
            f"{self.task} · {self.model}: {display_name(primary)} {format_metric(primary, pm)}; "
            f"mean reward {format_metric('mean_reward', mr)} ({self.n_examples} examples)"
        )

    def table(self) -> str:
        """The report as Markdown: a header, one row per metric with its 95% CI and n, usage and failures."""
        samples = self.n_samples // self.n_examples if self.n_examples else 0
        per = f"{samples} sample" + ("s" if samples != 1 else "")
        if self.n_examples and self.n_samples % self.n_examples:
            per = f"{self.n_samples} outputs"
        lines = [
            f"### {self.task} · `{self.model}`",
            "",
            f"{self.n_examples} examples × {per} · source: {self.source} · 95% bootstrap CIs "
            f"({self.n_boot} resamples of the examples, seed {self.seed})",
            "",
            "| metric | value | 95% CI | n |",
            "|:--|--:|:--|--:|",
        ]
        for name, m in self.metrics.items():
            value = format_metric(name, m, ci=False)
            full = format_metric(name, m)
            ci = full[len(value) :].strip().strip("[]") if full != value else ""
            ci = ci.replace(", ", " – ")
            lines.append(f"| {display_name(name)} | {value} | {ci} | {m.n if m.n is not None else ''} |")
        usage = self.usage
        if usage.get("prompt_tokens") or usage.get("completion_tokens"):
            cost = usage.get("cost_usd")
            cost_text = f"≈ ${cost:,.4f}" if isinstance(cost, int | float) else "unknown"
            lines += [
                "",
                f"tokens: {usage.get('prompt_tokens', 0):,} in / {usage.get('completion_tokens', 0):,} out "
                f"(reasoning {usage.get('reasoning_tokens', 0):,}) · cost {cost_text} ({usage.get('price', '')})",
            ]
        if self.failures:
            shown = ", ".join(f"{f.get('id')}#{f.get('sample')}" for f in self.failures[:5])
            more = f" and {len(self.failures) - 5} more" if len(self.failures) > 5 else ""
            lines += ["", f"**{len(self.failures)} request(s) produced no output and are not scored:** {shown}{more}"]
        return "\n".join(lines) + "\n"

    def confusion_matrix(self) -> tuple[list[str], list[list[int]]]:
        """Counts of (target, prediction) for classification tasks.

        Returns:
            ``(labels, matrix)``: rows are targets in ``spec.labels`` order; columns the same labels plus a last
            column ``"(no answer)"`` for outputs without a usable label.

        Raises:
            ValueError: For multilabel and regression tasks.

        Examples:
            >>> from biorft.schema import TaskSpec
            >>> spec = TaskSpec(name="t", domain="other", kind="binary", labels=("a", "b"), instructions="x")
            >>> rec = EvalRecord(id="1", sample=0, output_text="", score=1, reason="correct", answer="a", target="a")
            >>> EvalReport.from_records(spec, "m", [rec], n_boot=0).confusion_matrix()
            (['a', 'b', '(no answer)'], [[1, 0, 0], [0, 0, 0]])
        """
        if self.spec.kind not in (TaskKind.BINARY, TaskKind.MULTICLASS):
            raise ValueError(f"confusion_matrix() needs a binary or multiclass task; {self.task} is {self.spec.kind}")
        k = len(self.spec.labels)
        matrix = [[0] * (k + 1) for _ in range(k)]
        y_true, y_pred = prediction_codes(self.spec, self.records)
        for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
            matrix[t][p] += 1
        return [*self.spec.labels, "(no answer)"], matrix

    # -- persistence -----------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (what :meth:`to_json` writes)."""
        return {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "biorft_version": self.biorft_version,
            "created": self.created,
            "task": self.task,
            "model": self.model,
            "source": self.source,
            "spec": self.spec.model_dump(mode="json"),
            "params": self.params,
            "usage": self.usage,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
            "failures": list(self.failures),
            "records": [r.to_dict() for r in self.records],
        }

    def to_json(self, path: str | os.PathLike[str] | None = None, *, indent: int | None = None) -> str:
        """The report as JSON text; also written to ``path`` when given.

        Args:
            path: File to write (its folder is created).
            indent: JSON indentation (None for compact).

        Returns:
            The JSON text.
        """
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
        if path is not None:
            p = Path(path)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | os.PathLike[str]) -> EvalReport:
        """Load a report from JSON text, a ``report.json`` file, or a folder holding one.

        Args:
            source: JSON text, or a path.

        Returns:
            The report, metrics as stored (not recomputed).

        Raises:
            ReportError: When the input is not a biorft evaluation report; the message names it.
        """
        if isinstance(source, str) and source.lstrip().startswith("{"):
            text, where = source, "JSON text"
        else:
            p = Path(source)
            if p.is_dir():
                p = p / "report.json"
            if not p.is_file():
                raise ReportError(f"{p}: no such report file; pass a report.json or the folder `biorft eval` wrote")
            text, where = p.read_text(encoding="utf-8"), str(p)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ReportError(f"{where}: not JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ReportError(f"{where}: not a biorft evaluation report (missing format={_FORMAT!r})")
        return cls(
            spec=TaskSpec.model_validate(data["spec"]),
            model=str(data["model"]),
            records=tuple(EvalRecord.from_dict(r) for r in data.get("records", [])),
            metrics={k: Metric.from_dict(v) for k, v in data.get("metrics", {}).items()},
            params=dict(data.get("params", {})),
            usage=dict(data.get("usage", {})),
            source=str(data.get("source", "endpoint")),
            failures=tuple(data.get("failures", [])),
            n_boot=int(data.get("n_boot", 0)),
            seed=int(data.get("seed", 0)),
            created=str(data.get("created", "")),
            biorft_version=str(data.get("biorft_version", "")),
        )

    def plot(self, path: str | os.PathLike[str]) -> Path:
        """Save a figure: metric bars with 95% CIs beside a confusion matrix, parity plot or per-label F1.

        The second panel depends on the task kind: a confusion matrix (binary / multiclass), a parity plot
        (regression) or per-label F1 bars (multilabel).

        Args:
            path: Image file to write (format from the extension, e.g. ``.png``, ``.svg``).

        Returns:
            The path written.

        Raises:
            MissingDependencyError: When matplotlib is not installed (``pip install 'biorft[plot]'``).
        """
        from biorft.evaluation._plot import plot_report

        return plot_report(self, Path(path))

    def save(self, out_dir: str | os.PathLike[str], *, plot: bool = True) -> dict[str, Path]:
        """Write ``report.json``, ``report.md`` and (when ``plot``) ``report.png``.

        When the figure cannot be drawn (matplotlib missing from a broken install), the JSON and Markdown are still
        written and a warning says why the PNG is not.

        Args:
            out_dir: Folder to write into (created).
            plot: Also draw the figure.

        Returns:
            What was written, by kind (``"json"``, ``"markdown"``, ``"plot"``).
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = {"json": out / "report.json", "markdown": out / "report.md"}
        self.to_json(written["json"], indent=1)
        written["markdown"].write_text(self.table(), encoding="utf-8")
        if plot:
            from biorft.errors import MissingDependencyError

            try:
                written["plot"] = self.plot(out / "report.png")
            except MissingDependencyError as exc:
                warnings.warn(f"{out / 'report.png'} not written: {exc}", RuntimeWarning, stacklevel=2)
        return written


def token_usage(records: Sequence[EvalRecord]) -> dict[str, Any]:
    """Sum token usage over records (no price: see :func:`biorft.evaluation._pricing.estimate_cost`)."""
    return {
        "requests": len(records),
        "new_requests": sum(1 for r in records if not r.cached and r.latency_s is not None),
        "prompt_tokens": sum(r.prompt_tokens for r in records),
        "completion_tokens": sum(r.completion_tokens for r in records),
        "reasoning_tokens": sum(r.reasoning_tokens for r in records),
    }
