"""``biorft audit TASK [--grader module:attr]``: the reward-hacking audit of a task's grader."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    """Add the ``audit`` sub-command."""
    p = sub.add_parser(
        "audit",
        help="red-team a task's grader: constant, hedged, garbage answers vs the prior baseline (exit 1: hackable)",
    )
    p.add_argument(
        "task",
        help="a registered task name (see 'biorft tasks'), or 'package.module:attribute' naming a TaskDataset (or a "
        "function returning one)",
    )
    p.add_argument(
        "--grader",
        default=None,
        help="'package.module:attribute' naming a grader, or a function taking the TaskSpec and returning one "
        "(default: the task's own grader)",
    )
    p.add_argument("--rows", type=int, default=2000, help="examples the corpus runs on (default 2000; 0: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the row sample and the baselines (default 0)")
    p.add_argument("--tolerance", type=float, default=0.01, help="noise allowed above the prior (default 0.01)")
    p.add_argument("--no-baselines", action="store_true", help="skip the shortcut baselines (faster)")
    p.add_argument("--no-parity", action="store_true", help="skip scoring the corpus with the exported source")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the audit, print the table; 1 when the grader is hackable or parity fails."""
    from biorft._audit import audit
    from biorft._cli._eval_common import _load_task, load_grader

    data = _load_task(args.task)
    grader = load_grader(args, data.spec)
    result = audit(
        data,
        grader,
        rows=args.rows or None,
        seed=args.seed,
        tolerance=args.tolerance,
        parity=not args.no_parity,
        baselines=not args.no_baselines,
    )
    print(json.dumps(result.to_dict(), indent=2, default=str) if args.json else result.table())
    return 0 if result.ok else 1
