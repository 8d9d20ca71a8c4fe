"""``biorft demo``: the README's main job, fully offline on the bundled data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``demo`` sub-command."""
    p = sub.add_parser("demo", help="run the offline end-to-end demo on the bundled data")
    p.add_argument("--out", type=Path, default=Path("biorft-demo"), help="output folder (default: ./biorft-demo)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo."""
    from biorft._demo import run_demo

    run_demo(args.out)
    return 0
