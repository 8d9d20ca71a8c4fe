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
    p.add_argument("reports", nargs="*", type=Path, metavar="REPORT", help="report folders or report.json files")
    p.add_argument(
        "--references",
        default=None,
        metavar="TASK",
        help="show the published results of this registered task's card as reference rows",
    )
    p.add_argument(
        "--schema",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the JSON Schema every report.json validates against to FILE (then exit)",
    )
    p.add_argument("--out", type=Path, default=None, help="also write the Markdown to this file")
    p.add_argument("--plot", type=Path, default=None, help="also draw a figure (PNG/SVG; needs biorft[plot])")
    add_stats_options(p, what="the paired differences")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load, print and optionally write / plot."""
    import json

    from biorft.errors import ArgumentError
    from biorft.evaluation import EvalReport, compare, report_json_schema

    if args.schema is not None:
        try:
            args.schema.parent.mkdir(parents=True, exist_ok=True)
            args.schema.write_text(json.dumps(report_json_schema(), indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            raise ArgumentError(
                f"--schema {args.schema}: cannot write ({exc.strerror or type(exc).__name__})"
            ) from None
        print(f"wrote {args.schema}")
        return 0
    if not args.reports:
        raise ArgumentError("pass at least one REPORT (a folder written by 'biorft eval' or a report.json)")
    reports = [EvalReport.from_json(path) for path in args.reports]
    references: tuple[Any, ...] = ()
    if args.references is not None:
        from biorft.datasets import load_task  # type: ignore[attr-defined, unused-ignore]

        references = tuple(load_task(args.references).card.references)
    if len(reports) == 1 and not references:
        text = reports[0].table()
        if args.plot is not None:
            reports[0].plot(args.plot)
    else:
        comparison = compare(reports, references=references, n_boot=args.n_boot, seed=args.seed)
        text = comparison.table()
        if args.plot is not None:
            comparison.plot(args.plot)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0
