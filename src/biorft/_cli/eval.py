"""``biorft eval``: run a model behind an OpenAI-compatible endpoint on a task and write a report.

The defaults are the library's (``biorft._defaults``, read by ``biorft.evaluate`` too); numeric options are
validated as usage errors (exit 2) naming the flag; output and cache paths are checked before the first request.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from biorft import _defaults
from biorft._cli._eval_common import (
    add_data_options,
    add_stats_options,
    check_cache_path,
    check_out_dir,
    load_data,
    load_grader,
    split_description,
)
from biorft._cli._types import finite_float, non_negative_int, positive_float, positive_int


def register(sub: Any) -> None:
    """Add the ``eval`` sub-command."""
    p = sub.add_parser(
        "eval",
        help="evaluate a model on a task (any OpenAI-compatible endpoint); writes report.json/.md/.png",
        description="Evaluate a model on a task split through any OpenAI-compatible endpoint (OpenAI, Azure, vLLM, "
        "SGLang, Ollama, ...). The key comes from OPENAI_API_KEY (not needed for a local --base-url). Responses are "
        "cached in OUT/cache.jsonl as they arrive: rerunning the same command resumes (asking again only what is "
        "missing or failed), and a finished run re-scores without calling the model. Requests that still fail "
        "after their retries are listed in the report, not scored, and the command exits 1. Ctrl-C stops at once "
        "(exit 130) with every completed response in the cache.",
    )
    add_data_options(p, default_split="test")
    p.add_argument("--model", required=True, help="model name sent to the endpoint")
    p.add_argument("--base-url", default=None, help="endpoint URL, e.g. http://localhost:8000/v1 (default: OpenAI)")
    p.add_argument("--api", choices=("chat", "responses"), default="chat", help="protocol (default: %(default)s)")
    p.add_argument("--out", type=Path, help="folder for report.json, report.md, report.png and cache.jsonl")
    p.add_argument("--cache", type=Path, default=None, help="response cache file (default: OUT/cache.jsonl)")
    p.add_argument(
        "-n",
        "--samples",
        type=positive_int,
        default=_defaults.SAMPLES,
        help="samples per prompt (default: %(default)s)",
    )
    p.add_argument(
        "--concurrency",
        type=positive_int,
        default=_defaults.CONCURRENCY,
        help="requests in flight (default: %(default)s)",
    )
    p.add_argument(
        "--max-retries",
        type=non_negative_int,
        default=_defaults.MAX_RETRIES,
        help="retries per request on 408/409/429/5xx, time-outs, dropped connections and unusable answers "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=_defaults.TIMEOUT_S,
        help="seconds one request attempt may take in all, body included (default: %(default)s)",
    )
    p.add_argument("--temperature", type=finite_float, default=None)
    p.add_argument("--max-tokens", type=positive_int, default=None)
    p.add_argument("--reasoning-effort", choices=("minimal", "low", "medium", "high"), default=None)
    add_stats_options(p)
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
    """Evaluate, save the report and print its table; exit 1 when requests failed after their retries."""
    from biorft.errors import ArgumentError
    from biorft.evaluation import evaluate, write_batch_input

    if args.write_batch is None:
        if args.out is None:
            raise ArgumentError("--out is required (the folder for the report and the response cache)")
        check_out_dir(args.out)
        cache = args.cache or args.out / "cache.jsonl"
        check_cache_path(cache, "--cache" if args.cache is not None else "--out")
    data = load_data(args)
    grader = load_grader(args, data.spec)
    options: dict[str, Any] = {
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
        "reasoning_effort": args.reasoning_effort,
    }
    if args.write_batch is not None:
        from biorft._cli._eval_common import apply_limit

        path = write_batch_input(
            apply_limit(data, args), args.write_batch, args.model, api=args.api, n=args.samples, **options
        )
        n_lines = sum(1 for _ in path.open(encoding="utf-8"))
        print(f"wrote {n_lines} Batch API requests to {path}")
        return 0
    report = evaluate(
        data,
        args.model,
        grader=grader,
        cache=cache,
        concurrency=args.concurrency,
        max_retries=args.max_retries,
        timeout=args.timeout,
        api=args.api,
        samples=args.samples,
        seed=args.seed,
        n_boot=args.n_boot,
        progress=not args.no_progress and sys.stderr.isatty(),
        base_url=args.base_url,
        limit=args.limit,
        **options,
    )
    if report.sample is not None:
        sample = report.sample.model_copy(update={"source": split_description(args)})
        report = report.model_copy(update={"sample": sample})
    written = report.save(args.out)
    print(report.table())
    print("wrote " + ", ".join(str(p) for p in written.values()))
    if report.failures:
        sys.stderr.write(
            f"biorft: {len(report.failures)} request(s) failed after their retries and are not scored (listed in "
            f"{written['markdown']}); rerun the same command to ask them again\n"
        )
        return 1
    return 0
