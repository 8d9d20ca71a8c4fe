"""``biorft build TASK --format openai --out DIR``: split (the task's canonical split by default) and export a task."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

_FORMATS = ("openai", "trl", "trl-parquet", "verl")


def register(sub: Any) -> None:
    """Add the ``build`` sub-command."""
    from biorft.datasets._splits import split_methods

    p = sub.add_parser("build", help="split a task and export it (OpenAI RFT, TRL or verl)")
    p.add_argument("task", help="task name, e.g. genes/dosage_sensitive_tfs (see `biorft tasks`)")
    p.add_argument("--version", dest="task_version", default=None, help="task version (default: newest)")
    p.add_argument(
        "--split",
        default=None,
        choices=split_methods(),
        help="split method (default: the task's canonical split, pinned in its card, as every biorft command uses)",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the canonical split's)")
    p.add_argument(
        "--fractions",
        type=float,
        nargs=3,
        default=None,
        metavar=("TRAIN", "VALID", "TEST"),
        help="split fractions summing to 1 (default: the canonical split's)",
    )
    p.add_argument("--format", default="openai", choices=_FORMATS, help="export format (default: openai)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Split, check for leakage, export, and list the files written."""
    from biorft import export
    from biorft.datasets import load_task

    ds = load_task(args.task, args.task_version)
    fractions = tuple(args.fractions) if args.fractions is not None else None
    splits = ds.split(args.split, fractions=fractions, seed=args.seed)
    splits.check_leakage()
    if args.format == "openai":
        paths = export.openai_rft(splits, args.out)
    elif args.format == "verl":
        paths = export.verl(splits, args.out)
    else:
        paths = export.trl(splits, args.out, format="parquet" if args.format == "trl-parquet" else "jsonl")
    sizes = ", ".join(f"{k} {v}" for k, v in splits.stats.sizes.items())
    canonical = " (canonical)" if args.split is None and fractions is None and args.seed is None else ""
    st = splits.stats
    print(f"{ds.spec.name} {ds.spec.version}: {st.method} split{canonical} (seed {st.seed}): {sizes}")
    for note in splits.stats.notes:
        print(f"  note: {note}")
    for path in paths.values():
        print(f"  wrote {path}")
    return 0
