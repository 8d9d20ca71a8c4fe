"""Difficulty filtering: keep the examples a model sometimes solves.

GRPO learns from the spread of rewards within a group of samples of one prompt: a prompt whose samples all score 0
or all score 1 gives no signal, and OpenAI's RFT guidance likewise asks for tasks the base model can partly solve.
So: sample ``k`` answers per prompt (``evaluate(data, ..., samples=k)``), measure each example's pass rate and keep
the examples whose rate lies in a band.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from biorft.errors import DatasetError, require
from biorft.evaluation._passk import PassRate, pass_rates
from biorft.schema import CurationRecord, DatasetCard

if TYPE_CHECKING:
    from biorft.datasets import TaskDataset
    from biorft.evaluation import EvalReport

__all__ = ["by_pass_rate", "pass_rate_histogram", "plot_pass_rates"]


def _check_band(low: float, high: float, threshold: float) -> None:
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise DatasetError(f"{name} must be a number in [0, 1], got {value!r}")
    if low > high:
        raise DatasetError(f"low ({low}) must not exceed high ({high}); the band [low, high] keeps low <= rate <= high")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 < threshold <= 1.0:
        raise DatasetError(f"threshold must be a number in (0, 1], got {threshold!r}")


def pass_rate_histogram(rates: dict[str, PassRate]) -> dict[str, int]:
    """Examples per pass rate (rates rounded to 3 digits, as strings, ascending).

    Examples:
        >>> from biorft.evaluation._passk import PassRate
        >>> r = {i: PassRate(i, 4, p, p / 4, 0.0, 1.0, p / 4, None) for i, p in (("a", 0), ("b", 2), ("c", 2))}
        >>> pass_rate_histogram(r)
        {'0.000': 1, '0.500': 2}
    """
    hist: dict[str, int] = {}
    for rate in sorted(r.rate for r in rates.values()):
        key = f"{rate:.3f}"
        hist[key] = hist.get(key, 0) + 1
    return hist


def by_pass_rate(
    data: TaskDataset,
    report: EvalReport,
    *,
    low: float = 0.1,
    high: float = 0.9,
    threshold: float = 1.0,
) -> TaskDataset:
    """The examples of ``data`` whose pass rate in ``report`` lies in ``[low, high]``.

    With the defaults and ``k = 8`` samples, examples solved by 1 to 7 of the 8 samples are kept; those never or
    always solved are left out. Examples the report has no graded sample for (failed requests) are left out and
    counted. The returned dataset's card records the model, ``k``, the band, the threshold and the histogram of
    pass rates over all of ``data`` (``card.curation``).

    Args:
        data: The examples the report was run on (usually the training part).
        report: An evaluation of ``data`` with several samples per example (``evaluate(..., samples=k)``).
        low: Lowest pass rate kept (inclusive).
        high: Highest pass rate kept (inclusive).
        threshold: Score at which a sample counts as passed (1.0: fully correct).

    Returns:
        A [TaskDataset][biorft.datasets.TaskDataset] of the selected examples, in dataset order.

    Raises:
        DatasetError: When the report is of another task, holds ids that ``data`` does not, has fewer than 2
            samples per example, or the band is invalid.

    Examples:
        >>> import biorft as br
        >>> from biorft.evaluation import EvalRecord, EvalReport
        >>> ds = br.load_task("genes/dosage_sensitive_tfs").head(4)
        >>> targets = [ex.item["target"] for ex in ds.examples()]
        >>> recs = [EvalRecord(id=i, sample=s, output_text="", score=float(s < n), reason="correct", target=t)
        ...         for i, t, n in zip(ds.ids, targets, (0, 2, 3, 4)) for s in range(4)]
        >>> report = EvalReport.from_records(ds.spec, "m", recs, n_boot=0)
        >>> picked = by_pass_rate(ds, report, low=0.25, high=0.75)
        >>> len(picked), picked.card.curation.histogram
        (2, {'0.000': 1, '0.500': 1, '0.750': 1, '1.000': 1})
    """
    _check_band(low, high, threshold)
    if report.spec.name != data.spec.name:
        raise DatasetError(
            f"the report is of {report.spec.name}, the data of {data.spec.name}; curate with a report of the same task"
        )
    rates = pass_rates(report.records, spec=data.spec, threshold=threshold)
    have = set(data.ids)
    foreign = [i for i in rates if i not in have]
    if foreign:
        raise DatasetError(
            f"the report holds {len(foreign)} example id(s) not in the data (first: {foreign[:3]}); pass the dataset "
            "the report was run on"
        )
    if not rates:
        raise DatasetError("the report has no graded records; run evaluate(data, ..., samples=k) first")
    k = min(r.n for r in rates.values())
    if k < 2:
        raise DatasetError(
            f"pass rates need several samples per example; the report has {k} for some examples: "
            "run evaluate(data, ..., samples=8)"
        )
    keep = [i for i in data.ids if i in rates and low <= rates[i].rate <= high]
    record = CurationRecord(
        method="pass_rate",
        model=report.model,
        samples=k,
        low=float(low),
        high=float(high),
        pass_threshold=float(threshold),
        n_examples=len(data),
        n_selected=len(keep),
        n_not_evaluated=sum(1 for i in data.ids if i not in rates),
        histogram=pass_rate_histogram(rates),
        report_created=getattr(report, "created", None),
    )
    note = (
        f"curated by pass rate: {len(keep)} of {len(data)} examples with {low} <= rate <= {high} over {k}+ samples "
        f"of {report.model}"
    )
    card = DatasetCard(**{**data.card.model_dump(), "curation": record, "notes": (*data.card.notes, note)})
    subset = data.subset(keep)
    from biorft.datasets import TaskDataset

    return TaskDataset(subset.spec, subset.frame, card)


def plot_pass_rates(
    report: EvalReport,
    path: str | os.PathLike[str],
    *,
    low: float | None = None,
    high: float | None = None,
    threshold: float = 1.0,
) -> Path:
    """Draw the histogram of per-example pass rates (with the selection band, when given) to a PNG/SVG file.

    Raises:
        MissingDependencyError: Without matplotlib (``pip install 'biorft[plot]'``).
    """
    require("matplotlib", extra="plot", feature="plot_pass_rates")
    from matplotlib.figure import Figure

    rates = pass_rates(report.records, spec=report.spec, threshold=threshold)
    values = [r.rate for r in rates.values()]
    k = min((r.n for r in rates.values()), default=1)
    fig = Figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    bins = [(i - 0.5) / k for i in range(k + 2)]
    ax.hist(values, bins=bins, color="#4878a8", edgecolor="white")
    if low is not None and high is not None:
        ax.axvspan(low, high, color="#6aa84f", alpha=0.15, label=f"kept: {low} <= rate <= {high}")
        ax.legend(loc="upper center", frameon=False)
    ax.set_xlim(-0.5 / k, 1 + 0.5 / k)
    ax.set_xlabel(f"pass rate over {k} samples")
    ax.set_ylabel("examples")
    ax.set_title(f"{report.model} on {report.spec.name} ({len(values)} examples)")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    return out
