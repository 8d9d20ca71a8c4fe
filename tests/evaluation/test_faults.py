"""The runner against a misbehaving endpoint (tests/fakes: a real HTTP server driven by the real ``openai`` client).

Every fault the fake can inject either ends in a retry (and the same records as a clean run), a failure recorded
as such, or one clear error; nothing hangs, nothing is scored that was not an answer, and no key is ever written.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import openai
import pytest

from biorft.errors import BackendError, GraderError
from biorft.evaluation import CacheError, EvalReport, evaluate
from tests.evaluation._helpers import TinyGrader, binary_spec, make_dataset, scripted_answer
from tests.fakes.openai_server import MIXED_FAULTS, Failure, FakeOpenAI

FAST = {"progress": False, "n_boot": 20, "retry_base_delay": 0.01, "retry_max_delay": 0.5}
KEY = "sk-proj-TOPSECRET0123456789abcdef"


def essentials(report: EvalReport) -> list[tuple[Any, ...]]:
    return [(r.id, r.sample, r.output_text, r.score, r.reason, r.answer) for r in report.records]


def client(fake: FakeOpenAI, key: str = "sk-test") -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=fake.base_url, api_key=key)


def test_every_fault_kind_ends_in_the_records_of_a_clean_run(ds, fake, tmp_path) -> None:
    clean = evaluate(ds, "m", client(fake), TinyGrader(ds.spec), **FAST)
    fake.inject(
        Failure("status", status=429, headers={"Retry-After": "0.05"}, path="/chat"),
        Failure("status", status=500, path="/chat"),
        Failure("html", status=502, path="/chat"),
        Failure("html", status=200, path="/chat"),
        Failure("truncated", path="/chat"),
        Failure("short_body", path="/chat"),
        Failure("empty_choices", path="/chat"),
        Failure("null_content", path="/chat"),
        Failure("drop", path="/chat"),
        Failure("hang", seconds=2.0, path="/chat"),
        Failure("drip", seconds=0.3, path="/chat"),
    )
    before = fake.count("/v1/chat/completions")
    cache = tmp_path / "c.jsonl"
    report = evaluate(ds, "m", client(fake), TinyGrader(ds.spec), cache=cache, concurrency=4, timeout=1.0, **FAST)
    assert essentials(report) == essentials(clean)
    assert report.failures == ()
    assert report.usage["retries"] == 11
    assert fake.count("/v1/chat/completions") - before == len(ds) + 11
    # nothing unusable was cached as an answer
    texts = [json.loads(line)["text"] for line in cache.read_text().splitlines()]
    assert len(texts) == len(ds)
    assert "" not in texts


@pytest.mark.parametrize("kind", ["truncated", "empty_choices", "null_content", "html"])
def test_unusable_answers_after_the_retries_are_failures_never_scores(ds, fake, tmp_path, kind) -> None:
    fake.inject(*[Failure(kind, status=200, path="/chat") for _ in range(3)])
    cache = tmp_path / "c.jsonl"
    report = evaluate(ds.head(1), "m", client(fake), TinyGrader(ds.spec), cache=cache, max_retries=2, **FAST)
    assert report.records == ()
    assert [(f["id"], f["attempts"]) for f in report.failures] == [("e0000", 3)]
    assert not cache.read_text()  # not cached: a resume asks again
    assert report.metrics["answered"].n in (0, None)
    again = evaluate(ds.head(1), "m", client(fake), TinyGrader(ds.spec), cache=cache, **FAST)
    assert again.failures == ()
    assert again.n_examples == 1


def test_a_dripping_body_cannot_stretch_the_deadline(ds, fake) -> None:
    fake.inject(Failure("drip", seconds=0.3, path="/chat"), Failure("drip", seconds=0.3, path="/chat"))
    t0 = time.perf_counter()
    report = evaluate(ds.head(1), "m", client(fake), TinyGrader(ds.spec), timeout=0.8, max_retries=1, **FAST)
    elapsed = time.perf_counter() - t0
    assert elapsed < 3.0
    assert report.failures[0]["error"].startswith("the request timed out")


def test_a_dripping_body_with_a_sync_client_neither_hangs_nor_blocks_exit(ds, fake) -> None:
    fake.inject(Failure("drip", seconds=0.3, path="/chat"))
    sync = openai.OpenAI(base_url=fake.base_url, api_key="sk-test")
    t0 = time.perf_counter()
    report = evaluate(ds.head(2), "m", sync, TinyGrader(ds.spec), timeout=0.8, max_retries=0, **FAST)
    assert time.perf_counter() - t0 < 3.0
    assert len(report.failures) == 1
    assert report.n_examples == 1


def test_a_grader_bug_cancels_the_run_within_a_second_and_keeps_the_cache(ds, tmp_path) -> None:
    class NoneScore(TinyGrader):
        def explain(self, sample: Any, item: dict[str, Any]) -> Any:
            result = super().explain(sample, item)
            return result if item["id"] != "e0000" else type(result)(None, result.reason, None)  # type: ignore[arg-type]

    slow = {f"GENE{i}" for i in range(1, 24)}

    def answer(body: dict[str, Any]) -> str:
        from tests.evaluation._helpers import entity_of

        if entity_of(body) in slow:
            time.sleep(10)  # these would keep the run busy for a long time
        return scripted_answer(body)

    cache = tmp_path / "c.jsonl"
    with FakeOpenAI(answer) as f:
        t0 = time.perf_counter()
        with pytest.raises(GraderError, match="returned score None"):
            evaluate(ds, "m", client(f), NoneScore(ds.spec), cache=cache, concurrency=8, **FAST)
        assert time.perf_counter() - t0 < 1.5
    # the one completed response is in the cache (written before it was graded)
    assert [json.loads(line)["id"] for line in cache.read_text().splitlines()] == ["e0000"]


CACHE_WRITE_FAILS = """
import resource, signal, sys, time
import openai
from biorft.evaluation import evaluate
from tests.evaluation._helpers import TinyGrader, binary_spec, make_dataset

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (1500, 1500))  # room for a few cache lines only
ds = make_dataset(binary_spec(), 40)
client = openai.AsyncOpenAI(base_url=sys.argv[1], api_key="sk-test")
t0 = time.perf_counter()
try:
    evaluate(ds, "m", client, TinyGrader(ds.spec), cache=sys.argv[2], concurrency=4, progress=False, n_boot=0)
except Exception as exc:
    print(type(exc).__name__, round(time.perf_counter() - t0, 2), exc)
"""


def test_a_cache_write_error_cancels_the_run_with_a_message_naming_the_file(fake, tmp_path) -> None:
    import subprocess
    import sys

    cache = tmp_path / "c.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", CACHE_WRITE_FAILS, fake.base_url, str(cache)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    kind, seconds, message = done.stdout.split(" ", 2)
    assert kind == "CacheError", done.stdout + done.stderr
    assert message.startswith(f"{cache}: writing the response cache failed")
    assert float(seconds) < 2.0
    assert fake.count("/v1/chat/completions") < 40  # stopped early, not after every request
    lines = cache.read_text().splitlines()
    assert lines
    assert all(json.loads(line)["id"] for line in lines[:-1])


def test_a_device_is_not_read_as_a_cache(ds, fake) -> None:
    with pytest.raises(CacheError, match="not a regular file"):
        evaluate(ds, "m", client(fake), TinyGrader(ds.spec), cache="/dev/zero", **FAST)


def test_bad_cache_paths_fail_before_the_first_request(ds, fake, tmp_path) -> None:
    with pytest.raises(CacheError, match="is a folder"):
        evaluate(ds, "m", client(fake), TinyGrader(ds.spec), cache=tmp_path, **FAST)
    with pytest.raises(CacheError, match=r"/proc/biorft-nope/cache\.jsonl: cannot write"):
        evaluate(ds, "m", client(fake), TinyGrader(ds.spec), cache="/proc/biorft-nope/cache.jsonl", **FAST)
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("my notes, not a cache")  # no newline: must not be mistaken for a torn cache line
    with pytest.raises(CacheError, match=r"notes\.txt, line 1: not a cache record"):
        evaluate(ds, "m", client(fake), TinyGrader(ds.spec), cache=unrelated, **FAST)
    assert unrelated.read_text() == "my notes, not a cache"
    assert fake.count("/v1/") == 0


def test_a_dead_endpoint_ends_the_run_instead_of_grinding_through_every_example(ds, tmp_path) -> None:
    fake = FakeOpenAI(scripted_answer).start()
    base_url = fake.base_url
    fake.stop()
    dead = openai.AsyncOpenAI(base_url=base_url, api_key="sk-test")
    big = make_dataset(binary_spec(), 200)
    t0 = time.perf_counter()
    with pytest.raises(BackendError, match=r"failed \d+ requests in a row") as info:
        evaluate(big, "m", dead, TinyGrader(big.spec), cache=tmp_path / "c.jsonl", concurrency=2, max_retries=1, **FAST)
    # the run ends at the 8th failure in a row; the other worker's request in flight may add one more
    streak = int(re.search(r"failed (\d+) requests in a row", str(info.value)).group(1))
    assert 8 <= streak <= 9
    assert time.perf_counter() - t0 < 5.0
    assert "rerun the same call to resume" in str(info.value)


# -- secrets ---------------------------------------------------------------------------------------------------


def _no_key_anywhere(key: str, *texts: str, folder: Path | None = None) -> None:
    for text in texts:
        assert key not in text
    if folder is not None:
        for path in folder.rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path


def test_a_401_echoing_the_key_never_shows_it(ds, fake, tmp_path) -> None:
    fake.inject(Failure("echo_auth", status=401, path="/chat"))
    with pytest.raises(BackendError) as info:
        evaluate(ds.head(1), "m", client(fake, KEY), TinyGrader(ds.spec), cache=tmp_path / "c.jsonl", **FAST)
    message = str(info.value)
    assert "HTTP 401" in message
    assert "[REDACTED]" in message
    _no_key_anywhere(KEY, message, repr(info.value), folder=tmp_path)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_retried_errors_and_answers_echoing_the_key_never_reach_report_or_cache(ds, fake, tmp_path) -> None:
    fake.inject(
        Failure("echo_auth", status=500, path="/chat"),
        Failure("echo_auth", status=500, path="/chat"),
        Failure("echo_auth_answer", path="/chat"),
    )
    cache = tmp_path / "c.jsonl"
    report = evaluate(ds.head(2), "m", client(fake, KEY), TinyGrader(ds.spec), cache=cache, max_retries=1, **FAST)
    assert report.usage["retries"] >= 1
    report.save(tmp_path / "out")
    _no_key_anywhere(KEY, report.to_json(), report.table(), folder=tmp_path)
    assert "[REDACTED]" in report.to_json()


def test_the_cli_never_prints_the_environment_key(ds, fake, tmp_path, capsys, monkeypatch) -> None:
    from biorft.cli import main

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    fake.inject(Failure("echo_auth", status=401, path="/chat"))
    out = tmp_path / "run"
    task = ["--task", "tests.evaluation._helpers:cli_dataset", "--grader", "tests.evaluation._helpers:TinyGrader"]
    code = main(["eval", *task, "--model", "m", "--base-url", fake.base_url, "--out", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert "HTTP 401" in captured.err
    _no_key_anywhere(KEY, captured.out, captured.err, folder=tmp_path)
    code = main(["--debug", "eval", *task, "--model", "m", "--base-url", fake.base_url, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0 or "Traceback" in captured.err
    _no_key_anywhere(KEY, captured.out, captured.err, folder=tmp_path)


def test_mixed_faults_are_the_soak_mix(fake) -> None:
    assert set(MIXED_FAULTS) >= {"429", "500", "502_html", "truncated", "empty_choices", "null_content", "drop"}
