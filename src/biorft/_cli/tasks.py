"""``biorft tasks``: list the registered tasks."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    """Add the ``tasks`` sub-command."""
    p = sub.add_parser("tasks", help="list the bundled and registered tasks")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List tasks as a table or JSON."""
    from biorft.datasets import list_tasks

    infos = list_tasks()
    if args.json:
        print(json.dumps([i.model_dump(mode="json") for i in infos], indent=2))
        return 0
    rows = [(i.name, i.domain.value, i.kind.value, i.version, str(i.size), i.licence) for i in infos]
    header = ("name", "domain", "kind", "version", "size", "licence")
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    return 0
