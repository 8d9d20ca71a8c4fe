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
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from biorft._version import __version__
from biorft.errors import ReportError
from biorft.evaluation._metrics import Metric
from biorft.evaluation._records import EvalRecord
from biorft.evaluation._sample import SampleInfo
from biorft.evaluation._stats import PRIMARY_METRIC, compute_metrics, prediction_codes
from biorft.schema import TaskKind, TaskSpec

__all__ = ["KINDS", "EvalReport", "ReportError", "RowKind", "display_name", "format_metric", "report_json_schema"]

_FORMAT: Literal["biorft.eval_report"] = "biorft.eval_report"
_FORMAT_VERSION = 2  # 2: pydantic models, ``kind`` and ``sample``; version 1 files still load

RowKind = Literal["model", "baseline", "shortcut", "reference"]
#: What a row of a report or comparison is: a model run, a baseline (a floor to beat), a shortcut baseline (a
#: predictor that uses a leak such as the entity's name alone: a model that does not beat it learned nothing
#: more), or a published reference result (shown beside runs, never as one).
KINDS: tuple[str, ...] = ("model", "baseline", "shortcut", "reference")

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


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class EvalReport(BaseModel):
    """Graded records of one model (or baseline) on one task, with metrics and 95% bootstrap CIs.

    A pydantic model: ``report.json`` is its JSON form, which validates against the published schema
    ([report_json_schema][biorft.evaluation.report_json_schema], also written by ``biorft report --schema FILE``)
    and loads back equal ([from_json][biorft.evaluation.EvalReport.from_json]).

    Build one with [evaluate][biorft.evaluation.evaluate], [grade_outputs][biorft.evaluation.grade_outputs],
    [score_batch_output][biorft.evaluation.score_batch_output], a baseline's ``evaluate``,
    [from_records][biorft.evaluation.EvalReport.from_records] or [from_json][biorft.evaluation.EvalReport.from_json].

    Attributes:
        format: Always ``"biorft.eval_report"`` (identifies the file).
        format_version: Version of the JSON layout.
        biorft_version: The biorft version that made it.
        created: UTC time the report was made (ISO 8601).
        task: The task name (``spec.name``).
        model: Model (or baseline) name, the label used in tables.
        kind: ``"model"``, ``"baseline"``, ``"shortcut"`` (a shortcut baseline, e.g. a name-only predictor) or
            ``"reference"``; comparisons show it in a "kind" column. Defaults to ``"baseline"`` for
            ``source="baseline"``, else ``"model"``.
        source: Where the outputs came from: ``"endpoint"``, ``"outputs"``, ``"batch"`` or ``"baseline"``.
        spec: The task.
        params: The request parameters (api, temperature, ...), for the record.
        usage: Token and cost summary: ``requests`` (outputs graded), ``new_requests`` (requests answered in this run;
            one request may carry several samples), ``prompt_tokens``, ``completion_tokens``,
            ``reasoning_tokens``, ``cost_usd`` (None when the model's price is unknown), ``price`` (a note),
            ``wall_s``, ``retries``, ``failed`` and ``retry_causes`` (the most common causes of retried requests).
        n_boot: Bootstrap resamples behind the intervals.
        seed: Seed of the bootstrap.
        sample: When the run evaluated a seeded sample (``limit=``): how it was drawn and from how many examples.
        metrics: Metric name -> [Metric][biorft.evaluation.Metric] (see [biorft.evaluation][biorft.evaluation]
            for the names per task kind).
        failures: Requests that produced no output to grade (failed after their retries, failed Batch API lines),
            each a dict with ``id``, ``sample`` and ``error`` (redacted); they are not in the metrics and are listed
            in [table][biorft.evaluation.EvalReport.table].
        records: One [EvalRecord][biorft.evaluation.EvalRecord] per graded example and sample, in dataset order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["biorft.eval_report"] = _FORMAT
    format_version: int = _FORMAT_VERSION
    biorft_version: str = __version__
    created: str = Field(default_factory=_now)
    task: str = ""
    model: str
    kind: RowKind = "model"
    source: str = "endpoint"
    spec: TaskSpec
    params: dict[str, Any] = Field(default_factory=dict)
    usage: dict[str, Any] = Field(default_factory=dict)
    n_boot: int = Field(default=1000, ge=0)
    seed: int = 0
    sample: SampleInfo | None = None
    metrics: dict[str, Metric]
    failures: tuple[dict[str, Any], ...] = ()
    records: tuple[EvalRecord, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if "kind" not in data:
                data["kind"] = "baseline" if data.get("source") == "baseline" else "model"
            if not data.get("task"):
                spec = data.get("spec")
                name = spec.name if isinstance(spec, TaskSpec) else spec.get("name") if isinstance(spec, dict) else None
                if name:
                    data["task"] = name
        return data

    @model_validator(mode="after")
    def _task_is_spec_name(self) -> EvalReport:
        if self.task != self.spec.name:
            raise ValueError(f"task {self.task!r} is not the spec's name {self.spec.name!r}")
        return self

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
        kind: RowKind | None = None,
        sample: SampleInfo | None = None,
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
            kind: What the row is (``"model"``, ``"baseline"``, ``"shortcut"``); by default ``"baseline"`` for
                ``source="baseline"``, else ``"model"``.
            sample: How a limited run drew its examples.

        Returns:
            The report.
        """
        recs = tuple(records)
        metrics = compute_metrics(spec, recs, n_boot=n_boot, seed=seed)
        extra: dict[str, Any] = {"kind": kind} if kind is not None else {}
        return cls(
            **extra,
            sample=sample,
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
        kind = f" ({self.kind})" if self.kind != "model" else ""
        lines = [
            f"### {self.task} · `{self.model}`{kind}",
            "",
            f"{self.n_examples} examples × {per} · source: {self.source} · 95% bootstrap CIs "
            f"({self.n_boot} resamples of the examples, seed {self.seed})",
        ]
        if self.sample is not None:
            lines += ["", f"**Evaluated on {self.sample.describe()}**, not on every example."]
        lines += [
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
            lines += [
                "",
                f"**{len(self.failures)} request(s) failed and are not scored** (excluded from every metric; a rerun "
                f"with the same cache asks them again): {shown}{more}",
            ]
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
        """JSON-ready dict (what [to_json][biorft.evaluation.EvalReport.to_json] writes)."""
        return self.model_dump(mode="json")

    def to_json(self, path: str | os.PathLike[str] | None = None, *, indent: int | None = None) -> str:
        """The report as JSON text; also written to ``path`` when given.

        Args:
            path: File to write (its folder is created).
            indent: JSON indentation (None for compact).

        Returns:
            The JSON text.

        Raises:
            ReportError: When ``path`` cannot be written (the message names it).
        """
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
        if path is not None:
            p = Path(path)
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text + "\n", encoding="utf-8")
            except OSError as exc:
                raise ReportError(f"{p}: cannot write the report ({exc.strerror or type(exc).__name__})") from None
        return text

    @classmethod
    def from_json(cls, source: str | os.PathLike[str]) -> EvalReport:
        """Load a report from JSON text, a ``report.json`` file, or a folder holding one.

        Args:
            source: JSON text, or a path.

        Returns:
            The report, metrics as stored (not recomputed).

        Raises:
            ReportError: When the input is not a biorft evaluation report; the message names it and the field.
        """
        if isinstance(source, str) and source.lstrip().startswith("{"):
            text, where = source, "JSON text"
        else:
            p = Path(source)
            if p.is_dir():
                p = p / "report.json"
            if not p.is_file():
                raise ReportError(f"{p}: no such report file; pass a report.json or the folder `biorft eval` wrote")
            try:
                text = p.read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReportError(f"{p}: not UTF-8 text (byte {exc.start}); not a biorft evaluation report") from None
            except OSError as exc:
                raise ReportError(f"{p}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
            where = str(p)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ReportError(f"{where}: not JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ReportError(f"{where}: not a biorft evaluation report (missing format={_FORMAT!r})")
        version = data.get("format_version")
        if version not in (1, _FORMAT_VERSION):
            raise ReportError(
                f"{where}: report format_version {version!r} is not one this biorft reads (1 or {_FORMAT_VERSION}); "
                "upgrade biorft"
            )
        data = {**data, "format_version": _FORMAT_VERSION}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(x) for x in first["loc"]) or "(top level)"
            raise ReportError(
                f"{where}: not a valid biorft evaluation report: field {field}: {first['msg']} "
                f"({exc.error_count()} error(s))"
            ) from None

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


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every ``report.json`` validates against.

    ``biorft report --schema FILE`` writes it to a file.

    Returns:
        The schema as a dict.

    Examples:
        >>> schema = report_json_schema()
        >>> schema["title"], "records" in schema["properties"]
        ('EvalReport', True)
    """
    schema = EvalReport.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://biorft.dev/schema/eval_report/{_FORMAT_VERSION}.json",
        **schema,
    }


def token_usage(records: Sequence[EvalRecord]) -> dict[str, Any]:
    """Sum token usage over records (no price: see [estimate_cost][biorft.evaluation.estimate_cost])."""
    return {
        "requests": len(records),
        "new_requests": sum(1 for r in records if not r.cached and r.latency_s is not None),
        "prompt_tokens": sum(r.prompt_tokens for r in records),
        "completion_tokens": sum(r.completion_tokens for r in records),
        "reasoning_tokens": sum(r.reasoning_tokens for r in records),
    }
