"""Compose your own grader (a format gate in front of a numeric tolerance), explain scores, export it, check parity.

What it shows: for the bundled solubility task (LogS, log10 mol/L) a grader that gives credit only to answers
stated as JSON (``{"answer": -2.3}``), full credit within 0.5 log units, linearly less up to 1.5, nothing beyond or
outside the plausible range. ``grader.explain`` says why each output scored as it did; ``grader.to_openai()`` is the
OpenAI python grader (written to ``grader.json``); ``grader.to_source()`` is a self-contained module that a clean
Python process (``python -I``, no biorft import) runs to show it scores every output exactly like the in-process
grader: the parity an RFT job, a TRL reward (``br.rewards.trl``) and an evaluation rely on.

Run it::

    python examples/custom_grader.py                # writes ./custom_grader/grader.json and exported_grader.py
    python examples/custom_grader.py --out my_dir
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import biorft as br
from biorft.graders import FormatGrader, Gate, NumericGrader


def build_grader() -> br.Grader:
    """Format gate (JSON answers only) in front of a numeric tolerance with linear partial credit."""
    json_only = FormatGrader(["json", "output_json"])  # {"answer": ...} in the text, or structured output
    logs = NumericGrader(
        abs_tol=0.5,  # within 0.5 log units: full credit
        decay="linear",
        width=1.0,  # then linearly down to 0 at 1.5 log units off
        units=["log10(mol/L)", "log(mol/L)", "logS"],  # stripped from answers such as "-2.1 log10(mol/L)"
        bounds=(-14.0, 3.0),  # outside the task's plausible range: 0, OUT_OF_RANGE
        name="logs",
    )
    return Gate(json_only, logs, name="logs_json_tolerance")


def outputs_for(target: float) -> list[str]:
    """Replies around a reference value: close, partly off, far off, wrong format, units, hedges, nonsense."""
    return [
        f'{{"answer": {target + 0.3:.2f}}}',
        f'I estimate LogS from logP and the melting point.\n```json\n{{"answer": {target - 0.9:.2f}}}\n```',
        f'{{"answer": {target + 3:.2f}}}',
        f"Answer: {target:.2f}",  # right number, but not JSON: the gate says no
        f'{{"answer": "{target:.1f} log10(mol/L)"}}',
        f'{{"answer": "between {target - 1:.0f} and {target + 1:.0f}"}}',
        '{"answer": 42}',
        '{"answer": "insoluble"}',
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("custom_grader"), help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    ds = br.load_task("molecules/solubility_aqsoldb")
    grader = build_grader()
    print(f"grader {grader.name!r} reads item fields {sorted(grader.referenced_fields)}\n")

    # 1. Explain a few outputs against a real example.
    example = next(ds.examples())
    target = example.item["target"]
    print(f"example {example.id}: {example.messages[-1]['content']}  (reference LogS {target:.2f})\n")
    print("| output | score | reason | answer | detail |\n|:--|--:|:--|:--|:--|")
    for text in outputs_for(target):
        r = grader.explain({"output_text": text}, example.item)
        shown = text.replace("\n", " ⏎ ")
        print(f"| `{shown[:60]}` | {r.score:.3f} | {r.reason.value} | {r.answer!r} | {r.detail} |")

    # 2. Export: the OpenAI python grader dict (what an RFT job gets) and the standalone source.
    openai_grader = grader.to_openai()
    (args.out / "grader.json").write_text(json.dumps(openai_grader, indent=1), encoding="utf-8")
    source_path = args.out / "exported_grader.py"
    source_path.write_text(grader.to_source(), encoding="utf-8")
    size_kb = len(openai_grader["source"].encode()) / 1024
    print(f"\ngrader.json: type {openai_grader['type']!r}, image {openai_grader['image_tag']!r}, {size_kb:.0f} kB")
    print("(OpenAI's limit for a python grader's source is 256 kB)")

    # 3. Parity: the exported source, run in a clean interpreter, must give exactly the in-process scores.
    cases = [
        {"sample": {"output_text": text}, "item": ex.item}
        for ex in ds.head(25).examples()
        for text in outputs_for(ex.item["target"])
    ]
    parity = br.graders.check_parity(grader, cases, workdir=args.out / "parity")
    if parity.error is not None:
        print(f"the exported grader did not run: {parity.error}")
        return 1
    print(f"\nparity: {parity.n_identical}/{parity.n_cases} outputs scored identically by the exported source")
    for mismatch in parity.mismatches[:5]:
        print(f"  MISMATCH {mismatch}")

    # 4. The same grader as a TRL GRPO reward: completions plus the dataset's columns as keyword lists.
    reward = br.rewards.trl(grader)
    texts = outputs_for(target)[:3]
    print(f"\nas a TRL reward: {reward(texts, target=[target] * 3)} for the first three outputs")
    return 0 if parity.ok else 1


if __name__ == "__main__":
    sys.exit(main())
