"""``biorft build TASK --split scaffold --seed 0 --format openai --out DIR``: split and export a task."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

_FORMATS = ("openai", "trl", "trl-parquet", "verl")


def register(sub: Any) -> None:
    """Add the ``build`` sub-command."""
    from biorft.datasets._splits import SPLIT_METHODS

    p = sub.add_parser("build", help="split a task and export it (OpenAI RFT, TRL or verl)")
    p.add_argument("task", help="task name, e.g. genes/dosage_sensitive_tfs (see `biorft tasks`)")
    p.add_argument("--version", dest="task_version", default=None, help="task version (default: newest)")
    p.add_argument("--split", default="random", choices=SPLIT_METHODS, help="split method (default: random)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--fractions",
        type=float,
        nargs=3,
        default=(0.8, 0.1, 0.1),
        metavar=("TRAIN", "VALID", "TEST"),
        help="split fractions summing to 1 (default 0.8 0.1 0.1)",
    )
    p.add_argument("--format", default="openai", choices=_FORMATS, help="export format (default: openai)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Split, check for leakage, export, and list the files written."""
    from biorft import export
    from biorft.datasets import load_task

    ds = load_task(args.task, args.task_version)
    splits = ds.split(args.split, fractions=tuple(args.fractions), seed=args.seed)
    splits.check_leakage()
    if args.format == "openai":
        paths = export.openai_rft(splits, args.out)
    elif args.format == "verl":
        paths = export.verl(splits, args.out)
    else:
        paths = export.trl(splits, args.out, format="parquet" if args.format == "trl-parquet" else "jsonl")
    sizes = ", ".join(f"{k} {v}" for k, v in splits.stats.sizes.items())
    print(f"{ds.spec.name} {ds.spec.version}: {args.split} split (seed {args.seed}): {sizes}")
    for note in splits.stats.notes:
        print(f"  note: {note}")
    for path in paths.values():
        print(f"  wrote {path}")
    return 0
