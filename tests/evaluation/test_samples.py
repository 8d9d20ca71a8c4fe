"""Several samples per prompt: the endpoint's ``n`` where it is honoured, per-sample requests where it is not."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import warnings
from collections import Counter
from typing import Any

import pytest

from biorft.cli import main
from biorft.errors import ArgumentError
from biorft.evaluation import EvalReport, aevaluate, evaluate
from tests.evaluation._helpers import TinyGrader, entity_of
from tests.evaluation.test_runner import FAST, async_client, cache_keys
from tests.fakes.openai_server import Failure, FakeOpenAI

K = 4


class Counted:
    """Right in the first ``solved(entity)`` of the calls for an entity, wrong after: exact per-prompt pass rates
    whatever the batching (each choice of an ``n`` request is one call)."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()

    @staticmethod
    def solved(entity: str) -> int:
        return sum(map(ord, entity)) % (K + 1)

    def __call__(self, body: dict[str, Any]) -> str:
        entity = entity_of(body)
        with self.lock:
            count = self.seen[entity]
            self.seen[entity] = count + 1
        return f"Reasoning about {entity}.\nAnswer: {'sensitive' if count < self.solved(entity) else 'insensitive'}"


def passed(report: EvalReport) -> dict[str, int]:
    out: Counter[str] = Counter()
    for r in report.records:
        out[r.id] += r.score == 1.0
    return dict(out)


def bodies(fake: FakeOpenAI) -> list[dict[str, Any]]:
    return [r.json() for r in fake.requests if r.path.endswith("/chat/completions")]


@pytest.fixture
def counted() -> Counted:
    return Counted()


def expected_passed(ds: Any) -> dict[str, int]:
    # the tiny dataset's targets alternate; Counted answers "sensitive" when right, so count per target
    out = {}
    for ex in ds.examples():
        entity = ex.item["entity"]
        right = Counted.solved(entity)
        out[ex.id] = right if ex.item["target"] == "sensitive" else K - right
    return out


@pytest.mark.parametrize(("mode", "max_n"), [("honour", None), ("ignore", None), ("honour", 3)])
def test_pass_counts_are_exact_whatever_the_endpoint_does_with_n(ds, counted, tmp_path, mode, max_n) -> None:
    with FakeOpenAI(counted, n_mode=mode, max_n=max_n) as fake:
        report = evaluate(
            ds, "m", async_client(fake), TinyGrader(ds.spec), samples=K, cache=tmp_path / "c.jsonl", **FAST
        )
    assert passed(report) == expected_passed(ds)
    assert [(r.id, r.sample) for r in report.records] == [(ex.id, s) for ex in ds.examples() for s in range(K)]
    assert sorted(cache_keys(tmp_path / "c.jsonl")) == sorted((ex.id, s) for ex in ds.examples() for s in range(K))
    sent = bodies(fake)
    per_prompt = {"honour": 1, "ignore": K, "honour3": 2}[mode + (str(max_n) if max_n else "")]
    assert len(sent) == len(ds) * per_prompt
    assert report.usage["new_requests"] == len(sent)
    # what was asked: all K first, then only what is still missing
    asked = Counter(b.get("n", 1) for b in sent)
    if mode == "ignore":
        assert asked == Counter({n: len(ds) for n in range(1, K + 1)})
    assert report.failures == ()
    assert report.usage["retries"] == 0


def test_one_request_carries_the_tokens_once(ds, counted) -> None:
    with FakeOpenAI(counted) as fake:
        batched = evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), samples=K, **FAST)
    counted.seen.clear()
    with FakeOpenAI(counted) as fake:
        single = evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), samples=K, batch_samples=False, **FAST)
    assert all("n" not in b for b in bodies(fake))
    assert len(bodies(fake)) == len(ds) * K
    assert single.usage["new_requests"] == len(ds) * K
    assert batched.usage["new_requests"] == len(ds)
    # the prompt is billed once per request: K times less with n, never K times the request's usage
    assert single.usage["prompt_tokens"] == K * batched.usage["prompt_tokens"]
    assert batched.usage["prompt_tokens"] == sum(r.prompt_tokens for r in batched.records)
    # completion tokens: the request's total, split over its choices (the fake rounds the joined text's length)
    texts: dict[str, list[str]] = {}
    for r in batched.records:
        texts.setdefault(r.id, []).append(r.output_text)
    assert batched.usage["completion_tokens"] == sum(max(1, len("".join(t)) // 4) for t in texts.values())
    assert passed(batched) == passed(single) == expected_passed(ds)


def test_resume_asks_only_the_missing_samples_in_one_request(ds, counted, tmp_path) -> None:
    cache = tmp_path / "c.jsonl"
    with FakeOpenAI(counted) as fake:
        first = evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), samples=2, cache=cache, **FAST)
        assert [b["n"] for b in bodies(fake)] == [2] * len(ds)
        fake.requests.clear()
        more = evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), samples=5, cache=cache, **FAST)
        assert [b["n"] for b in bodies(fake)] == [3] * len(ds)
        fake.requests.clear()
        again = evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), samples=5, cache=cache, **FAST)
        assert bodies(fake) == []
    assert sum(r.cached for r in more.records) == 2 * len(ds)
    assert [(r.id, r.sample, r.output_text) for r in more.records if r.sample < 2] == [
        (r.id, r.sample, r.output_text) for r in first.records
    ]
    assert [(r.id, r.sample, r.output_text) for r in again.records] == [
        (r.id, r.sample, r.output_text) for r in more.records
    ]
    assert all(r.cached for r in again.records)
    # one line per sample, each once
    assert Counter(cache_keys(cache)) == Counter((ex.id, s) for ex in ds.examples() for s in range(5))


def test_a_refused_n_falls_back_to_one_request_per_sample_once(ds, counted, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="biorft.evaluation"), FakeOpenAI(counted, n_mode="reject") as fake:
        report = evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), samples=K, concurrency=4, **FAST)
    sent = bodies(fake)
    refused = [b for b in sent if b.get("n", 1) > 1]
    assert 1 <= len(refused) <= 4 + 2 * 4  # the requests in flight or queued when the first refusal came back
    assert len(sent) - len(refused) == len(ds) * K
    assert passed(report) == expected_passed(ds)
    assert report.failures == ()
    notes = [r for r in caplog.records if "refused n=" in r.getMessage()]
    assert len(notes) == 1
    assert report.params["batch_samples_note"].startswith(f"the endpoint refused n={K}")


def test_a_null_choice_is_no_answer_and_is_asked_again(ds, counted) -> None:
    small = ds.head(3)
    with FakeOpenAI(counted) as fake:
        fake.inject(Failure("null_choice", path="/chat"))
        report = evaluate(small, "m", async_client(fake), TinyGrader(small.spec), samples=K, concurrency=1, **FAST)
    assert [b.get("n", 1) for b in bodies(fake)] == [K, 1, K, K]
    assert report.n_samples == 3 * K
    assert report.failures == ()
    assert all(r.output_text for r in report.records)
    assert report.usage["new_requests"] == 4


def test_a_failed_batch_fails_each_of_its_samples_and_resume_asks_them_again(ds, counted, tmp_path) -> None:
    small = ds.head(3)
    cache = tmp_path / "c.jsonl"
    with FakeOpenAI(counted) as fake:
        fake.inject(*[Failure("status", status=503, path="/chat") for _ in range(2)])
        report = evaluate(
            small,
            "m",
            async_client(fake),
            TinyGrader(small.spec),
            samples=K,
            concurrency=1,
            cache=cache,
            **{**FAST, "max_retries": 1},
        )
        assert sorted((f["id"], f["sample"]) for f in report.failures) == [("e0000", s) for s in range(K)]
        assert report.n_samples == 2 * K
        assert report.usage["failed"] == K
        fake.requests.clear()
        resumed = evaluate(small, "m", async_client(fake), TinyGrader(small.spec), samples=K, cache=cache, **FAST)
    assert [b["n"] for b in bodies(fake)] == [K]
    assert resumed.failures == ()
    assert resumed.n_samples == 3 * K


def test_the_responses_api_asks_one_request_per_sample(ds, counted) -> None:
    small = ds.head(3)
    with FakeOpenAI(counted) as fake:
        report = evaluate(small, "m", async_client(fake), TinyGrader(small.spec), samples=K, api="responses", **FAST)
        assert fake.count("/v1/responses") == 3 * K
        assert all("n" not in r.json() for r in fake.requests)
    assert passed(report) == expected_passed(small)


def test_n_is_a_deprecated_alias_of_samples(ds, counted) -> None:
    small = ds.head(2)
    with FakeOpenAI(counted) as fake:
        with pytest.warns(DeprecationWarning, match="samples="):
            old = evaluate(small, "m", async_client(fake), TinyGrader(small.spec), n=3, **FAST)
        assert old.n_samples == 6
        assert old.params["samples"] == 3
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            same = evaluate(small, "m", async_client(fake), TinyGrader(small.spec), samples=3, **FAST)
        assert same.n_samples == 6
        with pytest.raises(ArgumentError, match="samples=2 and n=3"):
            evaluate(small, "m", async_client(fake), TinyGrader(small.spec), samples=2, n=3, **FAST)
        with pytest.raises(ArgumentError, match=r"^n must"):
            evaluate(small, "m", async_client(fake), TinyGrader(small.spec), n=0, **FAST)
        with pytest.raises(ArgumentError, match=r"^samples must"):
            evaluate(small, "m", async_client(fake), TinyGrader(small.spec), samples=0, **FAST)

        with pytest.warns(DeprecationWarning, match="samples="):
            via_async = asyncio.run(aevaluate(small, "m", async_client(fake), TinyGrader(small.spec), n=2, **FAST))
        assert via_async.n_samples == 4


def test_request_bodies_hold_n_only_when_asking_for_several(ds, counted) -> None:
    with FakeOpenAI(counted) as fake:
        evaluate(ds.head(2), "m", async_client(fake), TinyGrader(ds.spec), **FAST)
        evaluate(ds.head(2), "m", async_client(fake), TinyGrader(ds.spec), samples=3, **FAST)
    assert [b.get("n") for b in bodies(fake)] == [None, None, 3, 3]
    # the batched request asks for the same prompt (the two examples' requests may arrive in either order)
    first_run = {json.dumps(b["messages"]) for b in bodies(fake)[:2]}
    assert {json.dumps(b["messages"]) for b in bodies(fake)[2:]} == first_run


def test_the_cli_samples_flag_asks_the_endpoint_for_n(counted, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    task = ["--task", "tests.evaluation._helpers:cli_dataset", "--grader", "tests.evaluation._helpers:TinyGrader"]
    out = tmp_path / "run"
    with FakeOpenAI(counted) as fake:
        args = ["eval", *task, "--model", "m", "--base-url", fake.base_url, "--out", str(out), "--n-boot", "0"]
        assert main([*args, "--split", "all", "--samples", str(K)]) == 0
    assert [b["n"] for b in bodies(fake)] == [K] * 30
    report = EvalReport.from_json(out)
    assert report.n_samples == 30 * K
    assert report.params["samples"] == K
    assert report.usage["new_requests"] == 30
