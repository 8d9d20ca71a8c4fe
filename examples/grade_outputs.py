"""Grade a JSONL file of model outputs with a bundled task's default grader, and see why each output scored.

What it shows: ``br.load_task`` -> ``br.grader_for`` -> ``br.evaluation.grade_outputs`` on outputs you already have
(no model, no network), then a table of the grader's reasons (correct, incorrect, hedged, no answer, ...) with one
example output each, and the task's metrics with 95% bootstrap confidence intervals.

Each line of the outputs file is ``{"id": "<example id>", "output_text": "<the model's reply>"}``; the ids are the
task's example ids (``ds.ids``, or the ``id`` field of an exported JSONL line). Without ``--outputs`` the script first
writes ``outputs.jsonl`` with two dozen made-up replies in the forms models actually give (examples of every label,
mostly right, with confidences), so it runs out of the box and every metric is defined.

Run it::

    python examples/grade_outputs.py                                  # demo outputs for molecules/bbb_b3db
    python examples/grade_outputs.py --task genes/dosage_sensitive_tfs --outputs my_outputs.jsonl
    python examples/grade_outputs.py --outputs my_outputs.jsonl --out graded/   # also save report.{md,json,png}
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import biorft as br


def draw_across_targets(ds: br.TaskDataset, n: int, rng: random.Random) -> list[Any]:
    """``n`` examples drawn in turn from each target value (classification), or at random: both classes appear."""
    groups: dict[str, list[Any]] = {}
    for ex in ds.examples():
        key = str(ex.item["target"]) if ds.spec.kind in ("binary", "multiclass") else "all"
        groups.setdefault(key, []).append(ex)
    pools = [rng.sample(group, min(n, len(group))) for _, group in sorted(groups.items())]
    mixed = [ex for row in zip(*pools, strict=False) for ex in row] if len(pools) > 1 else pools[0]
    return mixed[:n]


def demo_outputs(ds: br.TaskDataset, n: int = 24, seed: int = 0) -> list[dict[str, str]]:
    """Replies in the shapes models give, from a made-up model that is right three times in four.

    Right and wrong answers as a final ``Answer:`` line, JSON with a confidence (higher when right, so AUROC means
    something), ``<answer>`` tags and label synonyms, plus one hedge and one reply with no answer.
    """
    spec = ds.spec
    rng = random.Random(seed)
    rows = []
    for k, ex in enumerate(draw_across_targets(ds, n, rng)):
        target = ex.item["target"]
        if spec.kind == "regression":  # a close and a far number
            right, wrong, synonym = f"{target + 0.2:.2f}", f"{target + 2.5:.2f}", f"{target:.3g}"
        elif spec.kind == "multilabel":  # the measured positives, or "none"
            right = ", ".join(target) or "none"
            wrong = "none" if target else spec.labels[0]
            synonym = right
        else:
            right = str(target)
            wrong = next(label for label in spec.labels if label != right)
            synonym = (spec.label_synonyms.get(right) or (right,))[0]
        is_right = k % 4 != 2
        answer = right if is_right else wrong
        confidence = round(rng.uniform(0.6, 0.95) if is_right else rng.uniform(0.5, 0.8), 2)
        replies = [
            f"Weighing the evidence step by step...\nAnswer: {answer}",
            json.dumps({"answer": answer, "confidence": confidence}),
            f"<answer>{answer}</answer>",
            json.dumps({"answer": answer, "confidence": confidence}),
            f"Answer: {synonym if is_right else wrong}",
        ]
        reply = replies[k % len(replies)]
        if k == n - 2:
            reply = f"It could be either.\nAnswer: {right} or {wrong}"
        elif k == n - 1:
            reply = '{"answer": null, "note": "not enough information"}'
        rows.append({"id": ex.id, "output_text": reply})
    return rows


def reasons_table(report: br.EvalReport) -> str:
    """Markdown: how many outputs got each reason, with the first such output and the grader's detail."""
    counts = Counter(r.reason for r in report.records)
    first = {}
    for r in report.records:
        first.setdefault(r.reason, r)
    lines = ["| reason | outputs | share | example output | grader's detail |", "|:--|--:|--:|:--|:--|"]
    for reason, n in counts.most_common():
        r = first[reason]
        text = r.output_text.replace("\n", " ⏎ ")
        text = text if len(text) <= 48 else text[:45] + "..."
        lines.append(f"| {reason} | {n} | {n / len(report.records):.0%} | `{text}` | {r.detail} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="molecules/bbb_b3db", help="a bundled task (see `biorft tasks`)")
    parser.add_argument("--outputs", type=Path, help="JSONL of {id, output_text}; default: write demo outputs")
    parser.add_argument("--out", type=Path, help="also save report.json, report.md and report.png here")
    args = parser.parse_args(argv)

    ds = br.load_task(args.task)
    grader = br.grader_for(ds.spec)  # the same grader an RFT job, a GRPO run and an evaluation use
    outputs = args.outputs
    if outputs is None:
        rows = demo_outputs(ds)
        outputs = Path("outputs.jsonl")
        outputs.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        print(f"wrote {len(rows)} demo outputs to {outputs}")

    # Outputs may name any example of the task; every line is graded (a bad line raises, naming the line).
    report = br.evaluation.grade_outputs(ds, outputs, grader, n_boot=1000, seed=0)

    print(f"\n{report.n_samples} outputs for {ds.name} graded by `{grader.name}`\n")
    print(reasons_table(report))
    print()
    print(report.table())
    if args.out is not None:
        for kind, path in report.save(args.out).items():
            print(f"saved {kind}: {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except br.BiorftError as exc:  # bad task name, unreadable or malformed outputs file: one line, no traceback
        sys.exit(f"error: {exc}")
