"""``biorft show TASK``: a task's spec, card summary and first examples."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    """Add the ``show`` sub-command."""
    p = sub.add_parser("show", help="show a task: spec, dataset card and example prompts")
    p.add_argument("task", help="task name, e.g. molecules/bbb_b3db (see `biorft tasks`)")
    p.add_argument("--version", dest="task_version", default=None, help="task version (default: newest)")
    p.add_argument("-n", "--examples", type=int, default=1, help="number of examples to print (default 1)")
    p.add_argument("--json", action="store_true", help="print spec, card and examples as JSON")
    p.add_argument("--quarantined", type=int, default=5, help="quarantined rows to list (default 5)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the task."""
    from biorft.datasets import load_task

    ds = load_task(args.task, args.task_version)
    examples = [e for _, e in zip(range(max(0, args.examples)), ds.examples(), strict=False)]
    if args.json:
        out = {
            "spec": ds.spec.model_dump(mode="json"),
            "card": ds.card.model_dump(mode="json"),
            "examples": [{"messages": e.messages, "item": e.item} for e in examples],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    spec, card = ds.spec, ds.card
    print(f"{spec.name} {spec.version} ({spec.domain.value}, {spec.kind.value}): {len(ds)} examples")
    if spec.description:
        print(f"  {spec.description}")
    if spec.labels:
        print(
            f"  labels: {', '.join(spec.labels)}"
            + (f" (positive: {spec.positive_label})" if spec.positive_label else "")
        )
    if spec.units or spec.tolerance is not None:
        print(f"  units: {spec.units}  tolerance: {spec.tolerance}  range: {spec.value_range}")
    if card.label_counts:
        print("  label counts: " + ", ".join(f"{k} {v}" for k, v in card.label_counts.items()))
    print(f"  licence: {card.licence}")
    if card.citation:
        print(f"  citation: {card.citation}")
    print(
        f"  rows in {card.n_rows_in} = kept {card.n_kept} + quarantined {card.n_quarantined}"
        f" (duplicates: {card.duplicate_policy})"
    )
    for q in card.quarantined[: max(0, args.quarantined)]:
        print(f"    row {q.row} ({q.id}): {q.reason}")
    if card.n_quarantined > args.quarantined:
        print(f"    ... {card.n_quarantined - args.quarantined} more (--json lists all)")
    for name, sha in card.checksums.items():
        print(f"  sha256 {sha}  {name}")
    for e in examples:
        print(f"\n--- example {e.id}")
        for m in e.messages:
            print(f"[{m['role']}]\n{m['content']}")
        print(f"[item] {json.dumps(e.item, ensure_ascii=False)}")
    return 0
