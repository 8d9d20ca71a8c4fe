"""``biorft curate REPORT``: keep the examples a model solves sometimes (difficulty filtering before RFT)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
from pathlib import Path
from typing import Any

from biorft._cli._types import unit_float

_FORMATS = ("openai", "trl", "verl", "none")


def register(sub: Any) -> None:
    """Add the ``curate`` sub-command."""
    p = sub.add_parser(
        "curate",
        help="keep the examples a model solves sometimes (pass-rate band), for RFT",
        description="Select the examples whose pass rate, over the k samples per prompt of an evaluation "
        "('biorft eval TASK --split train --samples 8 --out RUN'), lies in [--low, --high]. Writes pass_rates.csv, "
        "card.json (with the curation record), pass_rates.png and, when the report covers the task's training part, "
        "the splits with the curated training part in --format.",
    )
    p.add_argument("report", type=Path, metavar="REPORT", help="report folder written by 'biorft eval' or report.json")
    p.add_argument("--low", type=unit_float, default=0.1, help="lowest pass rate kept, inclusive (default: 0.1)")
    p.add_argument("--high", type=unit_float, default=0.9, help="highest pass rate kept, inclusive (default: 0.9)")
    p.add_argument("--threshold", type=unit_float, default=1.0, help="score that counts as a pass (default: 1.0)")
    p.add_argument(
        "--format", choices=_FORMATS, default="openai", help="export of the curated splits (default: openai)"
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Curate, write the files and print what was kept."""
    from biorft import export
    from biorft.curate import by_pass_rate, pass_rates, plot_pass_rates
    from biorft.datasets import load_task
    from biorft.errors import DatasetError
    from biorft.evaluation import EvalReport

    if args.low > args.high:
        raise DatasetError(f"--low ({args.low}) must not exceed --high ({args.high})")
    report = EvalReport.from_json(args.report)
    ds = load_task(report.spec.name)
    ids = {r.id for r in report.records}
    splits = ds.split()
    part_name, data = next(((name, part) for name, part in splits if ids <= set(part.ids)), ("all", ds))
    curated = by_pass_rate(data, report, low=args.low, high=args.high, threshold=args.threshold)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rates = pass_rates(report.records, spec=report.spec, threshold=args.threshold)
    keep = set(curated.ids)
    with (out / "pass_rates.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "samples", "passed", "rate", "ci_low", "ci_high", "mean_reward", "selected"])
        for example_id in data.ids:
            r = rates.get(example_id)
            if r is None:
                writer.writerow([example_id, 0, 0, "", "", "", "", False])
                continue
            row = [r.id, r.n, r.passed, f"{r.rate:.4f}", f"{r.ci_low:.4f}", f"{r.ci_high:.4f}", f"{r.mean_reward:.4f}"]
            writer.writerow([*row, example_id in keep])
    (out / "card.json").write_text(curated.card.model_dump_json(indent=1) + "\n", encoding="utf-8")
    written = [out / "pass_rates.csv", out / "card.json"]
    try:
        written.append(
            plot_pass_rates(report, out / "pass_rates.png", low=args.low, high=args.high, threshold=args.threshold)
        )
    except ImportError as exc:  # MissingDependencyError is an ImportError
        print(f"  not written: pass_rates.png ({exc})")
    cur = curated.card.curation
    assert cur is not None
    print(
        f"{report.spec.name} ({part_name}): kept {cur.n_selected} of {cur.n_examples} examples with "
        f"{args.low} <= pass rate <= {args.high} over {cur.samples} samples of {cur.model}"
        + (f"; {cur.n_not_evaluated} not evaluated" if cur.n_not_evaluated else "")
    )
    print("  histogram: " + ", ".join(f"{rate}: {n}" for rate, n in cur.histogram.items()))
    if args.format != "none" and part_name == "train":
        curated_splits = dataclasses.replace(splits, train=curated)
        if args.format == "openai":
            paths = export.openai_rft(curated_splits, out / "export")
        elif args.format == "verl":
            paths = export.verl(curated_splits, out / "export")
        else:
            paths = export.trl(curated_splits, out / "export")
        written.extend(paths.values())
    elif args.format != "none":
        print(f"  not exported: the report covers the {part_name} part, not the training part of the task's split")
    for path in written:
        print(f"  wrote {path}")
    return 0
