"""Figures of reports and comparisons (matplotlib, from the ``plot`` extra).

Figures are drawn on a `matplotlib.figure.Figure` without pyplot, so plotting never changes the caller's
backend or global state and works headless.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biorft.errors import require
from biorft.evaluation._metrics import Metric
from biorft.evaluation._report import EvalReport, display_name
from biorft.evaluation._stats import _inputs
from biorft.schema import TaskKind

if TYPE_CHECKING:
    from biorft.evaluation._compare import Comparison

__all__ = ["plot_comparison", "plot_report"]

_BAR_METRICS = (
    "mean_reward",
    "accuracy",
    "balanced_accuracy",
    "macro_f1",
    "micro_f1",
    "mcc",
    "auroc",
    "auprc",
    "spearman",
    "pearson",
    "within_tolerance",
    "answered",
)


def _figure(feature: str, **kwargs: Any) -> Any:
    require("matplotlib", extra="plot", feature=feature)
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _bars(ax: Any, metrics: dict[str, Metric], title: str) -> None:
    names = [m for m in _BAR_METRICS if m in metrics and math.isfinite(metrics[m].value)]
    values = [metrics[m].value for m in names]
    lows = [
        v - metrics[m].ci_low if math.isfinite(metrics[m].ci_low) else 0.0 for m, v in zip(names, values, strict=True)
    ]
    highs = [
        metrics[m].ci_high - v if math.isfinite(metrics[m].ci_high) else 0.0 for m, v in zip(names, values, strict=True)
    ]
    y = list(range(len(names)))
    ax.barh(y, values, xerr=[lows, highs], color="#4C72B0", ecolor="black", capsize=3)
    ax.set_yticks(y, [display_name(m) for m in names])
    ax.invert_yaxis()
    low = min([0.0, *[metrics[m].ci_low for m in names if math.isfinite(metrics[m].ci_low)], *values])
    ax.set_xlim(min(low, 0.0) - 0.02, 1.02)
    ax.axvline(0.0, color="grey", linewidth=0.8)
    ax.set_title(title)
    ax.set_xlabel("value (bars: 95% bootstrap CI)")


def _confusion(ax: Any, report: EvalReport) -> None:
    labels, matrix = report.confusion_matrix()
    cols = len(labels)
    image = ax.imshow(matrix, cmap="Blues", aspect="auto")
    ax.set_xticks(range(cols), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(matrix)), labels[:-1])
    peak = max((max(row) for row in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            ax.text(j, i, str(count), ha="center", va="center", color="white" if count > peak / 2 else "black")
    ax.set_xlabel("prediction")
    ax.set_ylabel("target")
    ax.set_title("confusion matrix")
    ax.figure.colorbar(image, ax=ax, shrink=0.8)


def _parity(ax: Any, report: EvalReport) -> None:
    inp = _inputs(report.spec, report.records)
    assert inp.y is not None
    assert inp.yhat is not None
    has = [math.isfinite(v) for v in inp.yhat.tolist()]
    xs = [t for t, h in zip(inp.y.tolist(), has, strict=True) if h]
    ys = [p for p, h in zip(inp.yhat.tolist(), has, strict=True) if h]
    ax.scatter(xs, ys, s=10, alpha=0.6, color="#4C72B0")
    everything = xs + ys
    if everything:
        lo, hi = min(everything), max(everything)
        pad = 0.05 * (hi - lo or 1.0)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="black", linewidth=0.8)
        tol = report.spec.tolerance
        if tol:
            ax.fill_between(
                [lo - pad, hi + pad],
                [lo - pad - tol, hi + pad - tol],
                [lo - pad + tol, hi + pad + tol],
                color="grey",
                alpha=0.2,
                label=f"±{tol:g}",
            )
            ax.legend(loc="upper left")
    unit = f" ({report.spec.units})" if report.spec.units else ""
    ax.set_xlabel("target" + unit)
    ax.set_ylabel("answer" + unit)
    missing = len(has) - len(xs)
    ax.set_title("parity" + (f" ({missing} without a number)" if missing else ""))


def _per_label(ax: Any, report: EvalReport) -> None:
    inp = _inputs(report.spec, report.records)
    assert inp.ml_true is not None
    assert inp.ml_pred is not None
    assert inp.ml_known is not None
    k = inp.ml_known
    tp = (k & inp.ml_true & inp.ml_pred).sum(axis=0)
    fp = (k & ~inp.ml_true & inp.ml_pred).sum(axis=0)
    fn = (k & inp.ml_true & ~inp.ml_pred).sum(axis=0)
    denom = 2 * tp + fp + fn
    f1 = [float(2 * a / d) if d else 0.0 for a, d in zip(tp.tolist(), denom.tolist(), strict=True)]
    y = list(range(len(report.spec.labels)))
    ax.barh(y, f1, color="#55A868")
    ax.set_yticks(y, list(report.spec.labels))
    ax.invert_yaxis()
    ax.set_xlim(0, 1.02)
    ax.set_title("F1 per label (measured labels only)")


def plot_report(report: EvalReport, path: Path) -> Path:
    """Draw [`EvalReport.plot`][biorft.evaluation.EvalReport.plot]'s figure into ``path``."""
    fig = _figure("EvalReport.plot", figsize=(11, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1])
    _bars(left, report.metrics, f"{report.task} · {report.model}")
    kind = report.spec.kind
    if kind in (TaskKind.BINARY, TaskKind.MULTICLASS):
        _confusion(right, report)
    elif kind is TaskKind.REGRESSION:
        _parity(right, report)
    else:
        _per_label(right, report)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def plot_comparison(comparison: Comparison, path: Path) -> Path:
    """Draw [`Comparison.plot`][biorft.evaluation.Comparison.plot]'s figure into ``path``: one panel per task."""
    groups = comparison.groups
    n = len(groups)
    cols = min(n, 2)
    rows = math.ceil(n / cols)
    fig = _figure("Comparison.plot", figsize=(6.5 * cols, 0.6 + 3.0 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for idx, group in enumerate(groups):
        ax = axes[idx // cols][idx % cols]
        primary = group.reports[0].primary_metric
        names = ["mean_reward", primary]
        height = 0.8 / len(names)
        for j, name in enumerate(names):
            ys, vals, lows, highs = [], [], [], []
            for i, r in enumerate(group.reports):
                m = r.metrics.get(name, Metric(math.nan))
                if not math.isfinite(m.value):
                    continue
                ys.append(i + (j - (len(names) - 1) / 2) * height)
                vals.append(m.value)
                lows.append(m.value - m.ci_low if math.isfinite(m.ci_low) else 0.0)
                highs.append(m.ci_high - m.value if math.isfinite(m.ci_high) else 0.0)
            ax.barh(ys, vals, height=height, xerr=[lows, highs], capsize=2, label=display_name(name))
        ax.set_yticks(range(len(group.reports)), [r.model for r in group.reports])
        ax.invert_yaxis()
        ax.axvline(0.0, color="grey", linewidth=0.8)
        ax.set_title(group.task)
        low, high = ax.get_xlim()
        ax.set_xlim(min(low, 0.0), max(high, 1.0))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False, fontsize="small")
    for idx in range(n, rows * cols):
        axes[idx // cols][idx % cols].set_visible(False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path
