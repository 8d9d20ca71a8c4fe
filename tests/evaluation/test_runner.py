"""evaluate() against a real local HTTP server speaking the OpenAI protocol (tests/fakes/openai_server.py)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import openai
import pytest

from biorft.errors import ArgumentError, BackendError
from biorft.evaluation import EvalReport, aevaluate, evaluate
from tests.evaluation._helpers import TinyGrader, entity_of, scripted_answer
from tests.fakes import openai_server as fo
from tests.fakes.openai_server import Failure, FakeOpenAI

FAST = {"progress": False, "n_boot": 50, "retry_base_delay": 0.01, "retry_max_delay": 0.5}


def essentials(report: EvalReport) -> list[tuple[Any, ...]]:
    return [(r.id, r.sample, r.output_text, r.score, r.reason, r.answer) for r in report.records]


def cache_keys(path: Path) -> list[tuple[str, int]]:
    return [(d["id"], d["sample"]) for d in map(json.loads, path.read_text().splitlines())]


def async_client(fake: FakeOpenAI, **kw: Any) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=fake.base_url, api_key="sk-test", **kw)


def test_every_example_is_requested_once_and_graded(ds, fake) -> None:
    grader = TinyGrader(ds.spec)
    report = evaluate(ds, "fake-model", async_client(fake), grader, concurrency=5, **FAST)
    assert fake.count("/v1/chat/completions") == len(ds)
    assert [r.id for r in report.records] == [ex.id for ex in ds.examples()]
    for rec, ex in zip(report.records, ds.examples(), strict=True):
        text = scripted_answer({"messages": ex.messages})
        assert rec.output_text == text
        expected = grader.explain({"output_text": text}, ex.item)
        assert (rec.score, rec.reason, rec.answer) == (expected.score, expected.reason.value, expected.answer)
        assert rec.prompt_tokens > 0
        assert rec.completion_tokens > 0
        assert rec.latency_s is not None
        assert rec.cached is False
    assert report.usage["prompt_tokens"] == sum(r.prompt_tokens for r in report.records)
    assert report.usage["new_requests"] == len(ds)
    assert report.source == "endpoint"
    assert report.params["api"] == "chat"


def test_sync_client_and_responses_api_give_the_same_results(ds, fake) -> None:
    grader = TinyGrader(ds.spec)
    ref = evaluate(ds, "m", async_client(fake), grader, **FAST)
    sync = openai.OpenAI(base_url=fake.base_url, api_key="sk-test")
    via_responses = evaluate(ds, "m", sync, grader, api="responses", concurrency=4, **FAST)
    assert fake.count("/v1/responses") == len(ds)
    assert essentials(via_responses) == essentials(ref)
    assert via_responses.usage["completion_tokens"] > 0


def test_request_parameters_reach_the_endpoint(ds, fake) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True}}
    small = ds.head(2)
    opts = {"temperature": 0.3, "max_tokens": 77, "reasoning_effort": "low", "response_format": fmt}
    evaluate(small, "m", async_client(fake), TinyGrader(ds.spec), extra_params={"seed": 5}, **opts, **FAST)
    chat = fake.requests[-1].json()
    assert chat["model"] == "m"
    assert chat["messages"][-1]["role"] == "user"
    assert (chat["temperature"], chat["max_completion_tokens"], chat["reasoning_effort"]) == (0.3, 77, "low")
    assert chat["response_format"] == fmt
    assert chat["seed"] == 5
    evaluate(small, "m", async_client(fake), TinyGrader(ds.spec), api="responses", **opts, **FAST)
    resp = fake.requests[-1].json()
    assert resp["input"][-1]["role"] == "user"
    assert resp["max_output_tokens"] == 77
    assert resp["reasoning"] == {"effort": "low"}
    assert resp["text"] == {
        "format": {"type": "json_schema", "name": "answer", "schema": {"type": "object"}, "strict": True}
    }


def test_n_samples_per_prompt(ds, fake, tmp_path) -> None:
    report = evaluate(
        ds.head(5), "m", async_client(fake), TinyGrader(ds.spec), samples=3, cache=tmp_path / "c.jsonl", **FAST
    )
    assert fake.count("/v1/chat/completions") == 5  # the endpoint's n: one request per prompt
    assert [(r.id, r.sample) for r in report.records] == [(f"e{i:04d}", s) for i in range(5) for s in range(3)]
    assert report.n_examples == 5
    assert report.n_samples == 15
    assert sorted(cache_keys(tmp_path / "c.jsonl")) == [(f"e{i:04d}", s) for i in range(5) for s in range(3)]


def test_rate_limits_and_server_errors_are_retried_honouring_retry_after(ds, fake) -> None:
    fake.inject(
        Failure("status", status=429, headers={"Retry-After": "0.4"}, path="/chat"),
        Failure("status", status=503, path="/chat"),
        Failure("drop", path="/chat"),
    )
    t0 = time.perf_counter()
    report = evaluate(ds.head(3), "m", async_client(fake), TinyGrader(ds.spec), concurrency=1, **FAST)
    assert time.perf_counter() - t0 >= 0.4
    assert fake.count("/v1/chat/completions") == 3 + 3
    assert report.n_examples == 3
    assert report.usage["retries"] == 3
    assert sum(report.usage["retry_causes"].values()) == 3


def test_a_hanging_request_times_out_and_is_retried(ds, fake) -> None:
    fake.inject(Failure("hang", seconds=3.0, path="/chat"))
    t0 = time.perf_counter()
    report = evaluate(ds.head(2), "m", async_client(fake), TinyGrader(ds.spec), concurrency=1, timeout=0.5, **FAST)
    assert time.perf_counter() - t0 < 2.5
    assert report.n_examples == 2


def failing_for(entities: set[str], status: int, served: list[str]):
    """A chat route that answers ``status`` for the given entities and normally otherwise (logging successes)."""

    def handler(fake: FakeOpenAI, req: fo.Request) -> fo.Reply:
        entity = entity_of(req.json())
        if entity in entities:
            return fo.Reply(status, fo.error_body(status, f"scripted {status} for {entity}"))
        reply = fo._chat_completions(fake, req)
        served.append(entity)
        return reply

    return handler


def test_exhausted_retries_are_recorded_as_failed_not_scored_and_asked_again_on_resume(ds, fake, tmp_path) -> None:
    cache = tmp_path / "run.jsonl"
    served: list[str] = []
    bad = next(ds.examples())
    fake.add_route("POST", "/chat/completions", failing_for({bad.example.entity}, 500, served))
    report = evaluate(
        ds, "m", async_client(fake), TinyGrader(ds.spec), cache=cache, max_retries=2, concurrency=3, **FAST
    )
    # the failed request is listed, counted, excluded from the metrics; everything else was answered
    assert [(f["id"], f["sample"], f["attempts"]) for f in report.failures] == [(bad.id, 0, 3)]
    assert "HTTP 500" in report.failures[0]["error"]
    assert report.usage["failed"] == 1
    assert bad.id not in {r.id for r in report.records}
    assert report.n_examples == len(ds) - 1
    assert report.metrics["accuracy"].n == len(ds) - 1
    assert "1 request(s) failed" in report.table()
    # every response the server completed is in the cache, once; the failure is not
    keys = cache_keys(cache)
    assert len(keys) == len(set(keys)) == len(served) == len(ds) - 1
    # the endpoint recovers: the rerun asks only for what failed and equals an uninterrupted run
    fake.routes.pop()
    before = fake.count("/v1/chat/completions")
    resumed = evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), cache=cache, concurrency=3, **FAST)
    assert fake.count("/v1/chat/completions") - before == 1
    assert resumed.failures == ()
    fresh = evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), **FAST)
    assert essentials(resumed) == essentials(fresh)
    assert sum(r.cached for r in resumed.records) == len(served)


def test_errors_that_retrying_cannot_fix_fail_at_once(ds, fake) -> None:
    served: list[str] = []
    entities = {ex.example.entity for ex in ds.examples()}
    fake.add_route("POST", "/chat/completions", failing_for(entities, 401, served))
    with pytest.raises(BackendError, match="API key"):
        evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), concurrency=1, max_retries=5, **FAST)
    assert fake.count("/v1/chat/completions") == 1


def test_server_dying_mid_run_then_resume_loses_and_duplicates_nothing(ds, tmp_path) -> None:
    grader = TinyGrader(ds.spec)
    with FakeOpenAI(scripted_answer) as ref_fake:
        uninterrupted = evaluate(ds, "m", async_client(ref_fake), grader, **FAST)
    cache = tmp_path / "run.jsonl"
    first = FakeOpenAI(scripted_answer).start()
    first.die_after(9)
    with pytest.raises(BackendError, match="rerun the same call to resume"):
        evaluate(ds, "m", async_client(first), grader, cache=cache, concurrency=4, max_retries=2, timeout=2, **FAST)
    first.stop()
    done = cache_keys(cache)
    assert 0 < len(done) <= 9
    assert len(done) == len(set(done))
    with FakeOpenAI(scripted_answer) as second:
        resumed = evaluate(ds, "m", async_client(second), grader, cache=cache, concurrency=4, **FAST)
        assert second.count("/v1/chat/completions") == len(ds) - len(done)
    assert essentials(resumed) == essentials(uninterrupted)
    keys = cache_keys(cache)
    assert sorted(keys) == sorted({(ex.id, 0) for ex in ds.examples()})
    assert resumed.metrics == uninterrupted.metrics


def test_a_complete_cache_rescores_without_calling_the_model(ds, fake, tmp_path) -> None:
    cache = tmp_path / "c.jsonl"
    first = evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), cache=cache, **FAST)
    fake.stop()  # nothing is listening any more
    dead = openai.AsyncOpenAI(base_url=fake.base_url, api_key="sk-test")
    again = evaluate(ds, "m", dead, TinyGrader(ds.spec), cache=cache, max_retries=0, **FAST)
    assert essentials(again) == essentials(first)
    assert all(r.cached for r in again.records)
    assert again.usage["new_requests"] == 0
    assert again.usage["prompt_tokens"] == first.usage["prompt_tokens"]


def test_other_models_and_parameters_do_not_hit_the_cache(ds, fake, tmp_path) -> None:
    cache = tmp_path / "c.jsonl"
    small = ds.head(4)
    evaluate(small, "m", async_client(fake), TinyGrader(ds.spec), cache=cache, **FAST)
    evaluate(small, "m", async_client(fake), TinyGrader(ds.spec), cache=cache, temperature=0.5, **FAST)
    evaluate(small, "other", async_client(fake), TinyGrader(ds.spec), cache=cache, **FAST)
    evaluate(small, "m", async_client(fake), TinyGrader(ds.spec), cache=cache, **FAST)  # all hits
    assert fake.count("/v1/chat/completions") == 12
    assert len(cache.read_text().splitlines()) == 12


def test_client_from_environment(ds, fake, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(BackendError, match="OPENAI_API_KEY"):
        evaluate(ds, "m", None, TinyGrader(ds.spec), **FAST)
    # a local endpoint needs no key
    report = evaluate(ds.head(2), "m", None, TinyGrader(ds.spec), base_url=fake.base_url, **FAST)
    assert report.n_examples == 2
    assert fake.requests[-1].headers["authorization"] == "Bearer EMPTY"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    evaluate(ds.head(1), "m", None, TinyGrader(ds.spec), base_url=fake.base_url, **FAST)
    assert fake.requests[-1].headers["authorization"] == "Bearer sk-from-env"


def test_one_async_client_serves_many_calls(ds, fake) -> None:
    client = async_client(fake)
    first = evaluate(ds.head(4), "m", client, TinyGrader(ds.spec), **FAST)
    second = evaluate(ds.head(4), "m", client, TinyGrader(ds.spec), **FAST)
    assert essentials(first) == essentials(second)
    assert fake.count("/v1/chat/completions") == 8


def test_works_inside_a_running_event_loop(ds, fake) -> None:
    async def main() -> tuple[EvalReport, EvalReport]:
        inner = evaluate(ds.head(3), "m", async_client(fake), TinyGrader(ds.spec), **FAST)  # e.g. from Jupyter
        direct = await aevaluate(ds.head(3), "m", async_client(fake), TinyGrader(ds.spec), **FAST)
        return inner, direct

    inner, direct = asyncio.run(main())
    assert essentials(inner) == essentials(direct)


def test_progress_bar_shows_rate(ds, fake, capsys) -> None:
    evaluate(ds.head(3), "m", async_client(fake), TinyGrader(ds.spec), progress=True, n_boot=0)
    err = capsys.readouterr().err
    assert "3/3" in err
    assert "req/s" in err


def test_cost_estimate_for_known_and_unknown_models(ds, fake) -> None:
    known = evaluate(ds.head(3), "gpt-4o-mini", async_client(fake), TinyGrader(ds.spec), **FAST)
    u = known.usage
    assert u["cost_usd"] == pytest.approx((u["prompt_tokens"] * 0.15 + u["completion_tokens"] * 0.60) / 1e6)
    unknown = evaluate(ds.head(3), "local-llama", async_client(fake), TinyGrader(ds.spec), **FAST)
    assert unknown.usage["cost_usd"] is None
    assert "unknown model" in unknown.usage["price"]


@pytest.mark.parametrize(
    "bad",
    [
        {"concurrency": 0},
        {"concurrency": 2.5},
        {"n": 0},
        {"max_retries": -1},
        {"max_retries": True},
        {"timeout": 0},
        {"timeout": float("nan")},
        {"timeout": float("inf")},
        {"n_boot": -1},
        {"limit": 0},
        {"retry_base_delay": -1.0},
        {"retry_max_delay": float("nan")},
        {"api": "completions"},
    ],
)
def test_invalid_arguments_raise_a_typed_error_naming_the_argument(ds, fake, bad) -> None:
    name = next(iter(bad))
    with pytest.raises(ArgumentError, match=rf"^{name} must") as info:
        evaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), **{**FAST, **bad})
    assert isinstance(info.value, ValueError)  # still caught by `except ValueError`
    assert fake.count("/v1/") == 0


def test_invalid_grader_model_and_data(ds, fake) -> None:
    with pytest.raises(ArgumentError, match="explain"):
        evaluate(ds, "m", async_client(fake), object(), **FAST)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="model must"):
        evaluate(ds, "", async_client(fake), TinyGrader(ds.spec), **FAST)
    with pytest.raises(ArgumentError, match="data must"):
        evaluate([1, 2], "m", async_client(fake), TinyGrader(ds.spec), **FAST)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="unexpected keyword"):
        asyncio.run(aevaluate(ds, "m", async_client(fake), TinyGrader(ds.spec), concurency=2))
