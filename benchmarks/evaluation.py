"""Throughput and memory of the evaluation runner against the local fake OpenAI-compatible server.

Throughput: 2,000 requests at concurrency 64 against a server that answers every request after 200 ms. The ideal
is concurrency / latency = 320 requests/s; the target is at least 80% of it. The server runs in its own process
(as a real endpoint would), the runner writes the response cache and grades every answer as in real use.

Soak: 20,000 requests at concurrency 256 against a server that injects faults into 10 % of requests (a seeded mix
of 429 with Retry-After, 500, 502 HTML pages, cut-off JSON, empty choices, null content, dropped connections and
short bodies; see tests/fakes/openai_server.py). Every example must end answered or recorded as failed, the resident
memory is sampled through the run (flat: it grows by no more than the graded records it holds), and throughput is
reported beside the ideal (concurrency / latency).

Memory: the Python heap (tracemalloc) at two dataset sizes. The request phase's working memory (its peak minus the
graded records it holds, which are the result) covers the queue, the requests in flight, the client and the cache
writer, and must not grow with the number of examples; building the report's metrics afterwards is reported apart.

Run from the repository root:

    python benchmarks/evaluation.py [--requests 2000] [--concurrency 64] [--latency 0.2] [--sizes 2000 8000]
        [--repeat 3] [--soak-requests 20000] [--soak-concurrency 256] [--soak-faults 0.1] [--soak-only]

Writes benchmarks/results/evaluation.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fakes.openai_server import FakeOpenAI  # noqa: E402

from biorft.evaluation import evaluate  # noqa: E402
from biorft.schema import TaskSpec  # noqa: E402

TARGET = 0.80
SPEC = TaskSpec(
    name="genes/benchmark",
    domain="genes",
    kind="binary",
    labels=("sensitive", "insensitive"),
    positive_label="sensitive",
    instructions="Is this transcription factor dosage-sensitive? End with 'Answer: <label>'.",
)


@dataclass(frozen=True)
class Prompted:
    id: str
    messages: list[dict[str, str]]
    item: dict[str, Any]


class SyntheticTask:
    """``n`` examples generated on the fly (nothing held in memory), shaped like a TaskDataset."""

    spec = SPEC

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def examples(self) -> Iterator[Prompted]:
        for i in range(self.n):
            gene = f"GENE{i}"
            messages = [
                {"role": "system", "content": "You are a careful biomedical expert."},
                {"role": "user", "content": f"{SPEC.instructions}\nGene: {gene}"},
            ]
            target = SPEC.labels[i % 3 == 0]
            yield Prompted(f"g{i:06d}", messages, {"id": f"g{i:06d}", "entity": gene, "target": target})


@dataclass(frozen=True)
class Result:
    score: float
    reason: str
    answer: str | None
    confidence: float | None = None
    detail: str = ""


class LastLineGrader:
    """A small grader with the same interface as biorft's (the benchmark measures the runner, not a grader)."""

    def explain(self, sample: dict[str, Any], item: dict[str, Any]) -> Result:
        line = sample["output_text"].strip().rsplit("\n", 1)[-1]
        if not line.lower().startswith("answer:"):
            return Result(0.0, "no_answer", None)
        answer = line.split(":", 1)[1].strip()
        ok = answer == item["target"]
        return Result(float(ok), "correct" if ok else "incorrect", answer)


def answer(body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    label = "sensitive" if sum(map(ord, content)) % 2 else "insensitive"
    return f"The gene's family suggests a dosage effect.\nAnswer: {label}"


def _serve(latency: float, faults: float, n_mode: str, ready: Any, stop: Any) -> None:
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the server's log of client disconnects is noise here
    fake = FakeOpenAI(answer, latency=latency, n_mode=n_mode)
    if faults:
        fake.chaos(faults, seed=0)
    fake.start()
    ready.put(fake.base_url)
    stop.wait()
    fake.stop()


class Server:
    """The fake endpoint in its own process (optionally injecting a share of mixed faults; ``n_mode``: how it treats
    the ``n`` parameter, see tests/fakes/openai_server.py)."""

    def __init__(self, latency: float, faults: float = 0.0, n_mode: str = "honour") -> None:
        ctx = mp.get_context("spawn")
        self._ready = ctx.Queue()
        self._stop = ctx.Event()
        args = (latency, faults, n_mode, self._ready, self._stop)
        self._proc = ctx.Process(target=_serve, args=args, daemon=True)

    def __enter__(self) -> str:
        self._proc.start()
        return str(self._ready.get(timeout=60))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._proc.join(timeout=10)


def client(base_url: str) -> Any:
    import openai

    return openai.AsyncOpenAI(base_url=base_url, api_key="sk-bench")


def run(url: str, task: SyntheticTask, concurrency: int, **extra: Any) -> Any:
    """One measured call (warm-ups make the same one)."""
    return evaluate(
        task, "bench", client(url), LastLineGrader(), concurrency=concurrency, progress=False, n_boot=0, **extra
    )


def throughput(n: int, concurrency: int, latency: float) -> dict[str, float]:
    with Server(latency) as url, tempfile.TemporaryDirectory() as tmp:
        data = SyntheticTask(n)
        # warm-up (connections, imports) on a separate cache, not timed
        run(url, SyntheticTask(concurrency), concurrency, cache=Path(tmp) / "warm.jsonl")
        cpu0, t0 = time.process_time(), time.perf_counter()
        report = run(url, data, concurrency, cache=Path(tmp) / "cache.jsonl")
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        assert report.n_examples == n, report.n_examples
        assert report.usage["retries"] == 0, report.usage["retry_causes"]
        assert len((Path(tmp) / "cache.jsonl").read_text().splitlines()) == n
    achieved = n / wall
    ideal = concurrency / latency
    return {"wall_s": wall, "achieved": achieved, "ideal": ideal, "ratio": achieved / ideal, "cpu_ms": 1e3 * cpu / n}


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")  # pragma: no cover - not Linux


def soak(n: int, concurrency: int, latency: float, faults: float) -> dict[str, Any]:
    """``n`` requests against a server that injects ``faults`` of mixed faults; RSS sampled through the run."""
    import threading

    samples: list[tuple[float, float]] = []
    done = threading.Event()

    def sample(t0: float) -> None:
        while not done.wait(0.25):
            samples.append((time.perf_counter() - t0, _rss_mb()))

    with Server(latency, faults) as url, tempfile.TemporaryDirectory() as tmp:
        retry = {"timeout": 30.0, "retry_base_delay": 0.05, "retry_max_delay": 2.0}
        run(url, SyntheticTask(concurrency), concurrency, **retry)
        rss0 = _rss_mb()
        t0 = time.perf_counter()
        sampler = threading.Thread(target=sample, args=(t0,), daemon=True)
        sampler.start()
        cpu0 = time.process_time()
        report = run(url, SyntheticTask(n), concurrency, cache=Path(tmp) / "cache.jsonl", **retry)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        done.set()
        sampler.join()
        cached = len((Path(tmp) / "cache.jsonl").read_text().splitlines())
    answered = report.n_examples
    failed = len(report.failures)
    assert answered + failed == n, (answered, failed)
    assert cached == answered
    wrong = sum(1 for r in report.records if r.reason not in ("correct", "incorrect"))
    assert wrong == 0, "an unusable answer was scored"
    quarter = [rss for t, rss in samples if t >= 0.25 * wall] or [rss0]
    records_mb = answered * 700 / 2**20  # what the graded records themselves hold (see the memory table)
    growth = quarter[-1] - quarter[0]
    return {
        "n": n,
        "concurrency": concurrency,
        "latency": latency,
        "faults": faults,
        "answered": answered,
        "failed": failed,
        "retries": report.usage["retries"],
        "causes": report.usage["retry_causes"],
        "wall_s": wall,
        "achieved": n / wall,
        "ideal": concurrency / latency,
        "cpu_ms": 1e3 * cpu / n,
        "rss_start": rss0,
        "rss_quarter": quarter[0],
        "rss_peak": max(rss for _, rss in samples) if samples else rss0,
        "rss_end": quarter[-1],
        "growth_mb": growth,
        "records_mb": records_mb,
    }


def memory(n: int, concurrency: int, faults: float = 0.0, n_mode: str = "honour", **options: Any) -> dict[str, float]:
    """Python heap during the request phase (all requests, until the report is built) and while building the report.

    The request phase must be flat: its peak minus the records held so far (the report's content) must not grow
    with ``n``. Building the report (metrics) needs a few arrays per example on top of the records.
    """
    import biorft.evaluation._runner as runner

    marks: dict[str, tuple[int, int]] = {}
    build = runner.EvalReport.from_records

    def measured(*args: Any, **kwargs: Any) -> Any:  # wraps the report build to split the two phases
        marks["requests"] = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        report = build(*args, **kwargs)
        marks["report"] = tracemalloc.get_traced_memory()
        return report

    with Server(0.0, faults, n_mode) as url, tempfile.TemporaryDirectory() as tmp:
        cl = client(url)
        evaluate(SyntheticTask(8), "bench", cl, LastLineGrader(), progress=False, n_boot=0)  # imports, pools
        runner.EvalReport.from_records = measured  # type: ignore[method-assign]
        try:
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            report = evaluate(
                SyntheticTask(n),
                "bench",
                cl,
                LastLineGrader(),
                concurrency=concurrency,
                progress=False,
                n_boot=0,
                cache=Path(tmp) / "cache.jsonl",
                retry_base_delay=0.01,
                retry_max_delay=1.0,
                **options,
            )
            retained = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
        finally:
            runner.EvalReport.from_records = build  # type: ignore[method-assign]
        assert report.n_samples + len(report.failures) == n * options.get("samples", 1)
    held, peak = marks["requests"]
    mb = 1 / 2**20
    return {
        "n": n,
        "records_mb": (held - base) * mb,
        "request_peak_mb": (peak - base) * mb,
        "working_mb": (peak - held) * mb,
        "report_extra_mb": (marks["report"][1] - held) * mb,
        "retained_mb": (retained - base) * mb,
        "retained_per_example_b": (retained - base) / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--sizes", type=int, nargs=2, default=(2000, 8000))
    parser.add_argument("--repeat", type=int, default=3, help="throughput runs; the best is reported")
    parser.add_argument("--soak-requests", type=int, default=20_000)
    parser.add_argument("--soak-concurrency", type=int, default=256)
    parser.add_argument("--soak-latency", type=float, default=0.2)
    parser.add_argument("--soak-faults", type=float, default=0.10)
    parser.add_argument("--soak-only", action="store_true", help="run only the soak (writes evaluation-soak.md)")
    args = parser.parse_args()

    s = soak(args.soak_requests, args.soak_concurrency, args.soak_latency, args.soak_faults)
    soak_lines = [
        f"{s['n']:,} requests, concurrency {s['concurrency']}, {s['latency'] * 1000:.0f} ms latency, "
        f"{100 * s['faults']:.0f}% mixed faults: {s['answered']:,} answered + {s['failed']} recorded as failed = "
        f"{s['answered'] + s['failed']:,} (every example accounted for); {s['retries']:,} retries "
        f"({', '.join(f'{k}: {v}' for k, v in s['causes'].items())}).",
        f"Throughput {s['achieved']:.0f} req/s vs ideal {s['ideal']:.0f} req/s "
        f"({100 * s['achieved'] / s['ideal']:.0f}%; wall {s['wall_s']:.1f} s; "
        f"runner CPU {s['cpu_ms']:.2f} ms/request).",
        f"Resident memory {s['rss_start']:.0f} MB before the run, {s['rss_quarter']:.0f} MB a quarter in, "
        f"{s['rss_end']:.0f} MB at the end (peak {s['rss_peak']:.0f} MB), growing with the graded records the run "
        "holds (its result) and the allocator's arenas; the Python heap below separates the two.",
    ]
    fs, fl = (memory(n, args.soak_concurrency, args.soak_faults) for n in args.sizes)
    f_growth = fl["working_mb"] - fs["working_mb"]
    f_flat = "flat" if abs(f_growth) < 0.25 * max(fs["working_mb"], 1.0) else "NOT FLAT"
    soak_lines.append(
        f"Python heap (tracemalloc) with the same faults at concurrency {args.soak_concurrency}: request-phase working "
        f"memory (peak minus the records held) {fs['working_mb']:.1f} MB at {fs['n']:,} requests and "
        f"{fl['working_mb']:.1f} MB at {fl['n']:,}: {f_flat}; records {fs['retained_per_example_b']:.0f} / "
        f"{fl['retained_per_example_b']:.0f} B per example."
    )
    print("\n".join(soak_lines))
    soak_md = "## Soak with faults\n\n" + "\n\n".join(soak_lines) + "\n"
    if args.soak_only:
        out = REPO / "benchmarks" / "results" / "evaluation-soak.md"
        out.write_text(f"# evaluation runner: soak\n\n{_machine()}\n\n{soak_md}", encoding="utf-8")
        print(f"wrote {out}")
        return

    runs = [throughput(args.requests, args.concurrency, args.latency) for _ in range(args.repeat)]
    best = max(runs, key=lambda r: r["achieved"])
    verdict = "OK" if best["ratio"] >= TARGET else "BELOW TARGET"
    tp_line = (
        f"{args.requests} requests, concurrency {args.concurrency}, {args.latency * 1000:.0f} ms latency: "
        f"{best['achieved']:.0f} req/s vs ideal {best['ideal']:.0f} req/s = {100 * best['ratio']:.0f}% "
        f"(target >= {100 * TARGET:.0f}%): {verdict}; runner CPU {best['cpu_ms']:.2f} ms/request; "
        f"all runs: {', '.join(format(r['achieved'], '.0f') for r in runs)} req/s"
    )
    print(tp_line)
    small, large = (memory(n, args.concurrency) for n in args.sizes)
    growth = large["working_mb"] - small["working_mb"]
    flat = "flat" if abs(growth) < 0.25 * max(small["working_mb"], 1.0) else "NOT FLAT"
    mem_lines = [
        f"| {m['n']:,} | {m['request_peak_mb']:.1f} | {m['records_mb']:.1f} | {m['working_mb']:.1f} "
        f"| {m['report_extra_mb']:.1f} | {m['retained_mb']:.1f} ({m['retained_per_example_b']:.0f} B/example) |"
        for m in (small, large)
    ]
    print("\n".join(mem_lines))
    summary = (
        f"Request-phase working memory (peak minus the records held) {small['working_mb']:.1f} MB at "
        f"{small['n']:,} examples and {large['working_mb']:.1f} MB at {large['n']:,}: {flat}. What grows with the "
        f"number of examples is the result itself (one record per example, ~{large['retained_per_example_b']:.0f} B "
        "each with its output text) and, while the metrics are computed, a few arrays per example."
    )
    print(summary)
    out = REPO / "benchmarks" / "results" / "evaluation.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        "# evaluation runner\n\n"
        f"{_machine()}\n\n"
        f"## Throughput\n\n{tp_line}\n\n"
        f"{soak_md}\n"
        "## Memory (tracemalloc, Python heap, server latency 0, MB)\n\n"
        "| examples | request-phase peak | records held at its end | working (peak - records) "
        "| extra while building the report | retained by the report |\n"
        "|--:|--:|--:|--:|--:|--:|\n" + "\n".join(mem_lines) + "\n\n" + summary + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out}")


def _machine() -> str:
    return (
        f"`python benchmarks/evaluation.py` on {platform.machine()} with {os.cpu_count()} CPU cores (shared with other "
        f"work), Python {platform.python_version()}; the fake server runs in its own process on the same machine."
    )


if __name__ == "__main__":
    main()
