"""Reproduce the study: LLMs against non-LLM baselines on every bundled gene and molecule task, with 95% CIs.

What it shows: for each molecule task, one leakage-checked scaffold split: every model in ``--models`` is evaluated
on the test split through its endpoint (``br.evaluate``, responses cached so a rerun costs nothing), and the non-LLM
baselines (majority, label prior, Morgan-fingerprint forest and linear models) are trained on the train split and
graded on the same test split by the same grader. Gene tasks are small, so they use 5 family folds instead (no gene
family in two folds): every model answers every gene once (the pooled test parts), the baselines are fitted per
fold and predict that fold's test genes, so the intervals cover all genes; gene reports include the shortcut
baselines that read only the gene's name (symbol n-grams) or its family. Then
``br.compare`` puts everything side by side with bootstrap 95% CIs and paired differences to the first model. The
comparison is printed and saved as ``comparison.md``, ``comparison.csv`` (one row per task, model and metric) and
``comparison.png``, with every report as JSON.

Models: names the endpoint serves, e.g. ``gpt-4o``, ``o4-mini``, a fine-tuned ``ft:o4-mini-2025-04-16:org::id``;
``NAME=URL`` sends that model to another OpenAI-compatible endpoint, e.g. a local vLLM server.

``--tasks tdc-admet`` runs the 22 tasks of the TDC ADMET benchmark group instead (downloaded once, cached): each
model answers TDC's fixed test set, the baselines are fitted on TDC's five seeded train splits, and the study table
(``study.md``, ``study.csv``, ``study.png``) shows each task's TDC metric with the leaderboard's reference rows.

``--offline`` calls no endpoint and needs no key: a scripted stand-in named ``scripted`` (the reference answer on
two test examples in three, picked by a hash of the id; a wrong answer on the rest) is graded through
``br.evaluation.grade_outputs`` beside the baselines, so you see the table, CSV and plot before spending money.
Its numbers are not a result.

Run it::

    python examples/reproduce_study.py --offline --limit 300                         # no key: the table's shape
    export OPENAI_API_KEY=sk-...
    python examples/reproduce_study.py --models gpt-4o o4-mini --limit 300           # 300 examples per task
    python examples/reproduce_study.py --models gpt-4o qwen3-8b=http://localhost:8000/v1 --limit 300
    python examples/reproduce_study.py --models gpt-4o --tasks tdc-admet                # TDC ADMET, 5 seeds
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import sys
from pathlib import Path

import biorft as br


def slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "_" for c in text)


def draw(ds: br.TaskDataset, limit: int | None) -> br.TaskDataset:
    """At most ``limit`` examples, drawn with seed 0: the same --limit gives the same split in every example."""
    return ds if limit is None or limit >= len(ds) else ds.subset(random.Random(0).sample(ds.ids, limit))


TASK_GROUPS = {"tdc-admet": "tdc/"}  # a group name -> the prefix of its tasks (listed without downloading)


def expand_tasks(names: list[str]) -> list[str]:
    """Task names with each group (``tdc-admet``) replaced by its tasks."""
    remote = [t.name for t in br.list_tasks(include_remote=True)]
    out: list[str] = []
    for name in names:
        prefix = TASK_GROUPS.get(name)
        out += [t for t in remote if t.startswith(prefix)] if prefix else [name]
    return out


def scripted_outputs(data: br.TaskDataset) -> list[dict[str, str]]:
    """The offline stand-in's replies: the reference on two examples in three (by a hash of the id), else wrong."""
    spec = data.spec
    rows = []
    for ex in data.examples():
        target = ex.item["target"]
        right = int(hashlib.sha256(ex.id.encode()).hexdigest(), 16) % 3 != 0
        if spec.kind == "regression":
            answer = f"{target if right else target + 2.0:.2f}"
        elif spec.kind == "multilabel":
            answer = (", ".join(target) or "none") if right else (spec.labels[0] if not target else "none")
        else:
            answer = target if right else next(label for label in spec.labels if label != target)
        rows.append({"id": ex.id, "output_text": f"Scripted reply.\nAnswer: {answer}"})
    return rows


def parse_models(specs: list[str], base_url: str | None) -> list[tuple[str, str | None]]:
    """``["gpt-4o", "qwen=http://localhost:8000/v1"]`` -> ``[("gpt-4o", base_url), ("qwen", "http://...")]``."""
    models = []
    for spec in specs:
        name, _, url = spec.partition("=")
        models.append((name, url or base_url))
    return models


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", help="NAME or NAME=BASE_URL (default: gpt-4o o4-mini)")
    parser.add_argument("--offline", action="store_true", help="no endpoint, no key: baselines and a scripted stand-in")
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL"), help="endpoint for plain NAMEs")
    parser.add_argument(
        "--tasks", nargs="+", help="tasks, or tdc-admet for the TDC ADMET group (default: every bundled task)"
    )
    parser.add_argument("--seeds", type=int, default=5, help="benchmark seeds of TDC tasks (TDC: 5)")
    parser.add_argument("--limit", type=int, help="use N examples of each molecule task (seed 0, per canonical part)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight per model")
    parser.add_argument("--max-tokens", type=int, help="output token limit per answer (reasoning included)")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for the CIs")
    parser.add_argument("--out", type=Path, help="output folder (default: study, or study/offline with --offline)")
    args = parser.parse_args(argv)
    if args.offline and args.models:
        parser.error("--offline calls no model: drop --models (or drop --offline)")
    args.out = args.out or Path("study/offline" if args.offline else "study")
    models = [] if args.offline else parse_models(args.models or ["gpt-4o", "o4-mini"], args.base_url)
    if any(url is None for _, url in models) and not os.environ.get("OPENAI_API_KEY"):
        print("reproduce_study.py: set OPENAI_API_KEY, or pass --base-url URL (or NAME=URL per model)", file=sys.stderr)
        return 2

    tasks = expand_tasks(args.tasks) if args.tasks else [t.name for t in br.list_tasks() if t.domain != "other"]
    reports = []
    for task in tasks:
        if task.startswith("tdc/"):
            reports += tdc_benchmark(task, models, args)
            continue
        ds = br.load_task(task)
        if ds.spec.domain == "genes":
            data = ds.folds(k=5, method="family", seed=0)  # every gene once (no --limit), no family in two folds
            print(f"\n{task}: 5 family folds, test sizes {data.sizes}")
        else:
            data = ds.split().sample(args.limit)  # the canonical split, --limit examples drawn per part
            print(f"\n{task}: canonical {data.stats.method} split {data.stats.sizes}")
        data.check_leakage()
        grader = br.grader_for(ds.spec)
        task_reports = []
        if args.offline:  # the stand-in's scripted replies on the same test examples, graded like a model's
            test = data.pooled() if isinstance(data, br.datasets.Folds) else data.test
            outputs = scripted_outputs(test)
            task_reports.append(
                br.evaluation.grade_outputs(test, outputs, grader, model="scripted", n_boot=args.n_boot, seed=0)
            )
        for model, url in models:
            report = br.evaluate(
                data if isinstance(data, br.datasets.Folds) else data.test,
                model=model,
                base_url=url,
                grader=grader,
                cache=args.out / "cache" / slug(task) / f"{slug(model)}.jsonl",
                concurrency=args.concurrency,
                max_tokens=args.max_tokens,
                n_boot=args.n_boot,
                seed=0,
            )
            task_reports.append(report)
        # The floor every model has to beat: trained on the train part(s), graded on the same test examples.
        task_reports += br.baselines.run_baselines(data, grader, n_boot=args.n_boot, seed=0)
        for report in task_reports:
            report.to_json(args.out / "reports" / slug(task) / f"{slug(report.model)}.json", indent=1)
            print(f"  {report.summary()}")
        reports += task_reports

    first = {(r.task, r.model): r for r in reversed(reports)}  # compare one run per model (seeds: the first)
    comparison = br.compare([r for r in reports if first[(r.task, r.model)] is r], n_boot=args.n_boot, seed=0)
    names = ", ".join(m for m, _ in models) or "offline preview: `scripted` is a stand-in, not a model"
    header = (
        f"# LLMs vs non-LLM baselines ({names})\n\n"
        "Molecules: scaffold test splits; genes: 5 family folds pooled (every gene once; baselines fitted per fold; "
        "`baseline:gene_knn` and `baseline:family_rule` are shortcut rows that read only names); seed 0, each task's "
        "default grader, 95% bootstrap CIs over test examples; differences are paired against the first model.\n\n"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "comparison.md").write_text(header + comparison.table(), encoding="utf-8")
    with (args.out / "comparison.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["task", "model", "metric", "value", "ci_low", "ci_high", "n"])
        for r in reports:
            for name, m in r.metrics.items():
                writer.writerow([r.task, r.model, name, m.value, m.ci_low, m.ci_high, m.n])
    comparison.plot(args.out / "comparison.png")
    print("\n" + comparison.table())
    print(f"saved {args.out / 'comparison.md'}, {args.out / 'comparison.csv'}, {args.out / 'comparison.png'}")
    # The study table: one row per model, baseline and published reference, one column per task (primary metric).
    study = br.evaluation.study_table(reports).save(args.out)
    print(f"saved {study['markdown']}, {study['csv']}, {study['plot']}")
    return 0


def tdc_benchmark(task: str, models: list[tuple[str, str | None]], args: argparse.Namespace) -> list[br.EvalReport]:
    """TDC's protocol: models answer the fixed test set; baselines are fitted on each seed's train split."""
    ds = br.load_task(task)
    runs = ds.benchmark_splits(args.seeds)  # TDC's fixed test set, one seeded train / valid split per seed
    grader = br.grader_for(ds.spec)
    test = draw(runs[0].test, args.limit)
    print(f"\n{task}: TDC benchmark, test {len(test)} examples, seeds {[r.stats.seed for r in runs]}")
    out = []
    for model, url in models:  # the test set is the same for every seed: one evaluation per model
        cache = args.out / "cache" / slug(task) / f"{slug(model)}.jsonl"
        out.append(
            br.evaluate(test, model=model, base_url=url, grader=grader, cache=cache, concurrency=args.concurrency,
                        max_tokens=args.max_tokens, n_boot=args.n_boot, seed=0)
        )  # fmt: skip
    for run in runs:
        run.check_leakage()
        for baseline in br.baselines.for_task(ds.spec, seed=run.stats.seed or 0):
            out.append(baseline.fit(run.train).evaluate(test, grader, n_boot=args.n_boot, seed=0))
    for report in out:
        print(f"  {report.summary()}")
    return out


if __name__ == "__main__":
    try:
        sys.exit(main())
    except br.BiorftError as exc:  # the endpoint refused the key or kept failing after the retries, ...
        sys.exit(f"error: {exc}")
