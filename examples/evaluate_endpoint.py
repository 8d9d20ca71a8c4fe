"""Evaluate a model on a task's test split through any OpenAI-compatible endpoint; save the report and a plot.

What it shows: a leakage-checked split, then ``br.evaluate`` on the test split (bounded concurrency, retries with
back-off, an append-only response cache), graded by the task's grader, with metrics and 95% bootstrap confidence
intervals; ``report.save`` writes ``report.json``, ``report.md`` and ``report.png``. The cache makes runs
resumable: run the same command again and it re-scores from the cache without calling the model.

Endpoints: OpenAI (set ``OPENAI_API_KEY``), or a local server speaking the OpenAI protocol (vLLM, SGLang, Ollama;
pass ``--base-url``, no key needed), or Azure OpenAI's v1 endpoint (``--base-url`` plus ``OPENAI_API_KEY``).

Run it::

    export OPENAI_API_KEY=sk-...
    python examples/evaluate_endpoint.py --model gpt-4o-mini --task genes/dosage_sensitive_tfs --limit 200
    vllm serve Qwen/Qwen3-8B &     # or any OpenAI-compatible server
    python examples/evaluate_endpoint.py --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import biorft as br


def slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "_" for c in text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL"), help="e.g. http://localhost:8000/v1")
    parser.add_argument("--model", default="gpt-4o-mini", help="model name the endpoint serves")
    parser.add_argument("--task", default="genes/dosage_sensitive_tfs", help="a bundled task (see `biorft tasks`)")
    parser.add_argument("--limit", type=int, help="use N examples of the task (seed 0, per canonical part)")
    parser.add_argument("--api", choices=["chat", "responses"], default="chat", help="endpoint protocol")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once")
    parser.add_argument("--max-tokens", type=int, help="output token limit (reasoning included)")
    parser.add_argument("--reasoning-effort", choices=["low", "medium", "high"], help="for reasoning models")
    parser.add_argument("--out", type=Path, default=Path("runs"), help="folder for caches and reports")
    args = parser.parse_args(argv)
    if not args.base_url and not os.environ.get("OPENAI_API_KEY"):
        print(
            "evaluate_endpoint.py: set OPENAI_API_KEY, or pass --base-url URL of an OpenAI-compatible endpoint",
            file=sys.stderr,
        )
        return 2

    ds = br.load_task(args.task)
    splits = ds.split().sample(args.limit)  # the canonical split (as the RFT files), --limit examples drawn per part
    method = splits.stats.method
    splits.check_leakage()
    test = splits.test
    print(f"{ds.name}: {method} split {splits.stats.sizes}; evaluating {args.model} on {len(test)} test examples")

    run = args.out / slug(ds.name) / slug(args.model)
    report = br.evaluate(
        test,
        model=args.model,
        base_url=args.base_url,  # None: api.openai.com (or OPENAI_BASE_URL); the key comes from OPENAI_API_KEY
        grader=br.grader_for(ds.spec),
        cache=run / "responses.jsonl",  # resumable; a finished run re-scores from here without any request
        api=args.api,
        concurrency=args.concurrency,
        max_retries=6,
        max_tokens=args.max_tokens,
        reasoning_effort=args.reasoning_effort,
    )
    print()
    print(report.table())
    usage = report.usage
    print(f"requests: {usage.get('new_requests', 0)} sent, {usage.get('requests', 0)} graded (the rest from the cache)")
    for kind, path in report.save(run).items():
        print(f"saved {kind}: {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except br.BiorftError as exc:  # e.g. the endpoint refused the key or kept failing after the retries
        sys.exit(f"error: {exc}")
