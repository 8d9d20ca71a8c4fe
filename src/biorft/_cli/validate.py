"""``biorft validate FILE... [--grader grader.json]``: check RFT JSONL files; exit 1 on any problem."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``validate`` sub-command."""
    p = sub.add_parser("validate", help="check OpenAI RFT JSONL files (line numbers; exit 1 on problems)")
    p.add_argument("files", nargs="+", metavar="FILE", help="JSONL file(s) to check")
    p.add_argument(
        "--grader",
        help="grader JSON whose item fields every line needs (default: grader.json beside each file, when present)",
    )
    p.add_argument("--strict", action="store_true", help="also fail on warnings (duplicate ids or prompts)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate each file; print ``FILE:LINE: field: message`` per problem and a summary."""
    from biorft.export._validate import validate_rft_jsonl

    n_problems = n_warnings = 0
    for name in args.files:
        path = Path(name)
        grader: Path | None = Path(args.grader) if args.grader else None
        if grader is None and (path.parent / "grader.json").is_file():
            grader = path.parent / "grader.json"
        report = validate_rft_jsonl(path, grader)
        for p in report.problems:
            print(f"{path}:{p.line}: {p.field + ': ' if p.field else ''}{p.message}")
        for w in report.warnings:
            print(f"{path}:{w.line}: warning: {w.field + ': ' if w.field else ''}{w.message}")
        fields = f"; grader fields {sorted(report.referenced_fields)} from {grader}" if grader else ""
        status = "ok" if report.ok else "FAILED"
        print(
            f"{path}: {status}, {report.n_lines} line(s), {len(report.problems)} problem(s), "
            f"{len(report.warnings)} warning(s){fields}"
        )
        n_problems += len(report.problems)
        n_warnings += len(report.warnings)
    return 1 if n_problems or (args.strict and n_warnings) else 0
