"""``biorft report``: show one evaluation report, or compare several side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from biorft._cli._eval_common import add_stats_options


def register(sub: Any) -> None:
    """Add the ``report`` sub-command."""
    p = sub.add_parser(
        "report",
        help="show a report, or compare reports with paired bootstrap differences",
        description="Print the Markdown table of one report, or compare several (folders written by 'biorft eval' "
        "or report.json files): per task, the first report is the reference for paired differences.",
    )
    p.add_argument("reports", nargs="+", type=Path, metavar="REPORT", help="report folders or report.json files")
    p.add_argument("--out", type=Path, default=None, help="also write the Markdown to this file")
    p.add_argument("--plot", type=Path, default=None, help="also draw a figure (PNG/SVG; needs biorft[plot])")
    add_stats_options(p, what="the paired differences")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load, print and optionally write / plot."""
    from biorft.evaluation import EvalReport, compare

    reports = [EvalReport.from_json(path) for path in args.reports]
    if len(reports) == 1:
        text = reports[0].table()
        if args.plot is not None:
            reports[0].plot(args.plot)
    else:
        comparison = compare(reports, n_boot=args.n_boot, seed=args.seed)
        text = comparison.table()
        if args.plot is not None:
            comparison.plot(args.plot)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0
