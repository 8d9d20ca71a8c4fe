"""Throughput and memory of ``evaluate(..., samples=k)``: k = 8 completions for each of 2,000 prompts.

Two ways to get the samples, against the same local fake server (its own process, a fixed latency per request, as
in benchmarks/evaluation.py):

- endpoint-side ``n``: the server honours ``n`` (as OpenAI chat completions and vLLM do), so one request carries a
  prompt's 8 samples: 2,000 requests;
- one request per sample (``batch_samples=False``, or an endpoint that ignores ``n``): 16,000 requests.

Ideal throughput is computed as in benchmarks/evaluation.py: ``concurrency / latency`` requests per second, times
the samples each request carries (8 with ``n``, 1 without); the target is at least 80% of it, in samples per
second. The runner writes the response cache (one line per sample) and grades every sample as in real use.

Memory: the Python heap (tracemalloc) during the request phase at 500 and 2,000 prompts (x 8 samples), in both
modes; its working memory (peak minus the graded records held, which are the result) must not grow with the number
of prompts.

Run from the repository root:

    python benchmarks/sampling.py [--prompts 2000] [--samples 8] [--concurrency 64] [--latency 0.2]
        [--sizes 500 2000] [--repeat 2]

Writes benchmarks/results/sampling.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.evaluation import TARGET, LastLineGrader, Server, SyntheticTask, _machine, client, memory  # noqa: E402

from biorft.evaluation import evaluate  # noqa: E402

MODES = {
    "endpoint n": {"n_mode": "honour", "batch_samples": True},
    "one request per sample": {"n_mode": "honour", "batch_samples": False},
}


def throughput(prompts: int, samples: int, concurrency: int, latency: float, *, n_mode: str, batch: bool) -> dict:
    per_request = samples if batch else 1
    with Server(latency, n_mode=n_mode) as url, tempfile.TemporaryDirectory() as tmp:
        options: dict[str, Any] = {
            "samples": samples,
            "batch_samples": batch,
            "concurrency": concurrency,
            "progress": False,
            "n_boot": 0,
        }
        cl = client(url)
        # warm-up (connections, imports) on a separate cache, not timed
        evaluate(SyntheticTask(concurrency), "bench", cl, LastLineGrader(), cache=Path(tmp) / "warm.jsonl", **options)
        cpu0, t0 = time.process_time(), time.perf_counter()
        report = evaluate(SyntheticTask(prompts), "bench", cl, LastLineGrader(), cache=Path(tmp) / "c.jsonl", **options)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        lines = len((Path(tmp) / "c.jsonl").read_text().splitlines())
    n_samples = prompts * samples
    assert report.n_samples == n_samples, report.n_samples
    assert lines == n_samples, lines
    assert report.usage["retries"] == 0, report.usage["retry_causes"]
    assert report.usage["new_requests"] == prompts * samples // per_request, report.usage["new_requests"]
    ideal = concurrency / latency * per_request
    achieved = n_samples / wall
    return {
        "requests": report.usage["new_requests"],
        "wall_s": wall,
        "achieved": achieved,
        "ideal": ideal,
        "ratio": achieved / ideal,
        "cpu_ms": 1e3 * cpu / n_samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--sizes", type=int, nargs=2, default=(500, 2000))
    parser.add_argument("--repeat", type=int, default=2, help="throughput runs per mode; the best is reported")
    args = parser.parse_args()

    load_start = os.getloadavg()[0]
    tp_lines, mem_lines, flat_all = [], [], True
    for name, mode in MODES.items():
        runs = [
            throughput(
                args.prompts,
                args.samples,
                args.concurrency,
                args.latency,
                n_mode=mode["n_mode"],
                batch=mode["batch_samples"],
            )
            for _ in range(args.repeat)
        ]
        best = max(runs, key=lambda r: r["achieved"])
        verdict = "OK" if best["ratio"] >= TARGET else "BELOW TARGET"
        line = (
            f"| {name} | {best['requests']:,} | {best['achieved']:.0f} | {best['ideal']:.0f} | "
            f"{100 * best['ratio']:.0f}% {verdict} | {best['wall_s']:.1f} | {best['cpu_ms']:.2f} | "
            f"{', '.join(format(r['achieved'], '.0f') for r in runs)} |"
        )
        print(line, flush=True)
        tp_lines.append(line)
        options = {"n_mode": mode["n_mode"], "samples": args.samples, "batch_samples": mode["batch_samples"]}
        small, large = (memory(n, args.concurrency, **options) for n in args.sizes)
        growth = large["working_mb"] - small["working_mb"]
        flat = abs(growth) < 0.25 * max(small["working_mb"], 1.0)
        flat_all &= flat
        for m in (small, large):
            mem_line = (
                f"| {name} | {m['n']:,} | {m['request_peak_mb']:.1f} | {m['records_mb']:.1f} | {m['working_mb']:.1f} "
                f"| {'flat' if flat else 'NOT FLAT'} | {m['retained_per_example_b'] / args.samples:.0f} |"
            )
            print(mem_line, flush=True)
            mem_lines.append(mem_line)

    load = (
        f"Load average (1 min) {load_start:.1f} at the start and {os.getloadavg()[0]:.1f} at the end: other sessions "
        "share the cores, so throughput moves with their load."
    )
    out = REPO / "benchmarks" / "results" / "sampling.md"
    out.write_text(
        "# evaluation with several samples per prompt\n\n"
        f"{_machine().replace('benchmarks/evaluation.py', 'benchmarks/sampling.py')} {load}\n\n"
        f"## Throughput: {args.prompts:,} prompts x {args.samples} samples, concurrency {args.concurrency}, "
        f"{args.latency * 1000:.0f} ms per request\n\n"
        "Ideal = concurrency / latency requests per second x the samples one request carries; target >= "
        f"{100 * TARGET:.0f}% of it.\n\n"
        "| mode | requests | samples/s | ideal samples/s | share of ideal | wall s | runner CPU ms/sample "
        "| all runs |\n"
        "|---|--:|--:|--:|--:|--:|--:|---|\n" + "\n".join(tp_lines) + "\n\n"
        f"## Memory (tracemalloc, Python heap, server latency 0, MB; {args.samples} samples per prompt)\n\n"
        "| mode | prompts | request-phase peak | records held at its end | working (peak - records) | "
        "500 -> 2,000 | record B/sample |\n"
        "|---|--:|--:|--:|--:|---|--:|\n"
        + "\n".join(mem_lines)
        + "\n\n"
        + (
            "Request-phase working memory does not grow with the number of prompts in either mode: what grows is the "
            "result (one graded record per sample)."
            if flat_all
            else "Working memory GREW with the number of prompts: see the table."
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
