"""``biorft grade``: grade a file of existing outputs (or a downloaded OpenAI Batch API output) against a task."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from biorft._cli._eval_common import add_data_options, add_stats_options, apply_limit, load_data, load_grader


def register(sub: Any) -> None:
    """Add the ``grade`` sub-command."""
    p = sub.add_parser(
        "grade",
        help="grade existing outputs (JSONL with id + output_text, or a Batch API output file)",
        description="Grade a JSONL file of outputs against a task: one line per output with 'id' and "
        "'output_text' (optionally 'sample', 'model'), or an OpenAI Batch API output file (detected by "
        "'custom_id'). The outputs' ids decide which examples are graded.",
    )
    add_data_options(p, default_split="all")
    p.add_argument("--outputs", type=Path, required=True, help="the outputs JSONL")
    p.add_argument("--errors", type=Path, default=None, help="the Batch API error file, if any")
    p.add_argument("--model", default=None, help="name for the report (default: from the outputs)")
    p.add_argument("--out", type=Path, default=None, help="folder for report.json, report.md and report.png")
    add_stats_options(p)
    p.set_defaults(func=run)


def _is_batch_output(path: Path) -> bool:
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                try:
                    first = json.loads(line)
                except ValueError:  # not JSON or not UTF-8: the reader names the file and line
                    return False
                return isinstance(first, dict) and "custom_id" in first
    return False


def run(args: argparse.Namespace) -> int:
    """Grade, print the table and save the report when ``--out`` is given."""
    from biorft.errors import DatasetError
    from biorft.evaluation import grade_outputs, score_batch_output

    if args.outputs.is_dir():
        raise DatasetError(f"--outputs {args.outputs}: is a folder; pass the outputs JSONL file")
    if not args.outputs.is_file():
        raise DatasetError(f"--outputs {args.outputs}: no such file")
    data = apply_limit(load_data(args), args)
    grader = load_grader(args, data.spec)
    if _is_batch_output(args.outputs):
        report = score_batch_output(
            data, args.outputs, grader, error_file=args.errors, model=args.model, n_boot=args.n_boot, seed=args.seed
        )
    else:
        report = grade_outputs(data, args.outputs, grader, model=args.model, n_boot=args.n_boot, seed=args.seed)
    print(report.table())
    if args.out is not None:
        written = report.save(args.out)
        print("wrote " + ", ".join(str(p) for p in written.values()))
    return 0
