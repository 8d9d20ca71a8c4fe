"""``biorft eval``: run a model behind an OpenAI-compatible endpoint on a task and write a report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from biorft._cli._eval_common import add_data_options, load_data, load_grader


def register(sub: Any) -> None:
    """Add the ``eval`` sub-command."""
    p = sub.add_parser(
        "eval",
        help="evaluate a model on a task (any OpenAI-compatible endpoint); writes report.json/.md/.png",
        description="Evaluate a model on a task split through any OpenAI-compatible endpoint (OpenAI, Azure, vLLM, "
        "SGLang, Ollama, ...). The key comes from OPENAI_API_KEY (not needed for a local --base-url). Responses are "
        "cached in OUT/cache.jsonl as they arrive: rerunning the same command resumes, and a finished run re-scores "
        "without calling the model.",
    )
    add_data_options(p, default_split="test")
    p.add_argument("--model", required=True, help="model name sent to the endpoint")
    p.add_argument("--base-url", default=None, help="endpoint URL, e.g. http://localhost:8000/v1 (default: OpenAI)")
    p.add_argument("--api", choices=("chat", "responses"), default="chat", help="protocol (default: chat)")
    p.add_argument("--out", type=Path, help="folder for report.json, report.md, report.png and cache.jsonl")
    p.add_argument("--cache", type=Path, default=None, help="response cache file (default: OUT/cache.jsonl)")
    p.add_argument("-n", "--samples", type=int, default=1, help="samples per prompt (default: 1)")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight (default: 16)")
    p.add_argument("--max-retries", type=int, default=6, help="retries per request on 429/5xx/time-outs (default: 6)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per request attempt (default: 120)")
    p.add_argument("--temperature", type=float, default=None)
    p.add_argument("--max-tokens", type=int, default=None)
    p.add_argument("--reasoning-effort", choices=("minimal", "low", "medium", "high"), default=None)
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for the CIs (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--write-batch",
        type=Path,
        default=None,
        metavar="FILE",
        help="write an OpenAI Batch API input file instead of calling the endpoint; score the downloaded output "
        "with 'biorft grade --outputs'",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate, save the report and print its table."""
    from biorft.errors import DatasetError
    from biorft.evaluation import evaluate, write_batch_input

    data = load_data(args)
    options: dict[str, Any] = {
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
        "reasoning_effort": args.reasoning_effort,
    }
    if args.write_batch is not None:
        path = write_batch_input(data, args.write_batch, args.model, api=args.api, n=args.samples, **options)
        n_lines = sum(1 for _ in path.open(encoding="utf-8"))
        print(f"wrote {n_lines} Batch API requests to {path}")
        return 0
    if args.out is None:
        raise DatasetError("--out is required (the folder for the report and the response cache)")
    report = evaluate(
        data,
        args.model,
        grader=load_grader(args, data.spec),
        cache=args.cache or args.out / "cache.jsonl",
        concurrency=args.concurrency,
        max_retries=args.max_retries,
        timeout=args.timeout,
        api=args.api,
        n=args.samples,
        seed=args.seed,
        n_boot=args.n_boot,
        progress=not args.no_progress and sys.stderr.isatty(),
        base_url=args.base_url,
        **options,
    )
    written = report.save(args.out)
    print(report.table())
    print("wrote " + ", ".join(str(p) for p in written.values()))
    return 0
