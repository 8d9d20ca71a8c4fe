"""Grading existing outputs and OpenAI Batch API files."""

from __future__ import annotations

import json

import pytest

from biorft.errors import DatasetError
from biorft.evaluation import evaluate, grade_outputs, score_batch_output, write_batch_input
from tests.evaluation._helpers import TinyGrader, binary_spec, make_dataset, scripted_answer
from tests.fakes import openai_server as fo
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def ds():
    return make_dataset(binary_spec(), 12)


def write_jsonl(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_grade_outputs_file_equals_the_endpoint_run(ds, tmp_path) -> None:
    import openai

    grader = TinyGrader(ds.spec)
    with FakeOpenAI(scripted_answer) as fake:
        live = evaluate(ds, "m", openai.AsyncOpenAI(base_url=fake.base_url, api_key="k"), grader, progress=False)
    rows = [{"id": r.id, "output_text": r.output_text, "model": "m"} for r in reversed(live.records)]
    write_jsonl(tmp_path / "out.jsonl", rows)
    graded = grade_outputs(ds, tmp_path / "out.jsonl", grader)
    assert graded.model == "m"
    assert graded.source == "outputs"
    assert [(r.id, r.score, r.reason) for r in graded.records] == [(r.id, r.score, r.reason) for r in live.records]
    assert graded.metrics == live.metrics


def test_grade_outputs_subset_samples_and_alternative_keys(ds) -> None:
    rows = [
        {"id": "e0003", "output": "Answer: sensitive"},
        {"id": "e0003", "text": "Answer: insensitive"},
        {"id": "e0001", "output_text": "Answer: sensitive", "sample": 4},
    ]
    report = grade_outputs(ds, rows, TinyGrader(ds.spec))
    assert [(r.id, r.sample) for r in report.records] == [("e0001", 4), ("e0003", 0), ("e0003", 1)]
    assert report.n_examples == 2
    assert report.model == "outputs"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"output_text": "x"}], "output 1: no 'id'"),
        ([{"id": "nope", "output_text": "x"}], "id 'nope' is not an example"),
        ([{"id": "e0001"}], "no output text"),
        ([{"id": "e0001", "output_text": 3}], "must be a string"),
        (
            [{"id": "e0001", "output_text": "a", "sample": 0}, {"id": "e0001", "output_text": "b", "sample": 0}],
            "output 2: a second output",
        ),
        ([{"id": "e0001", "output_text": "a", "sample": -1}], "'sample' must be an integer"),
    ],
)
def test_grade_outputs_errors_name_the_line(ds, rows, message) -> None:
    with pytest.raises(DatasetError, match=message):
        grade_outputs(ds, rows, TinyGrader(ds.spec))


def test_grade_outputs_bad_json_line(ds, tmp_path) -> None:
    (tmp_path / "o.jsonl").write_text('{"id": "e0001", "output_text": "x"}\n{oops\n')
    with pytest.raises(DatasetError, match=r"o.jsonl, line 2: not JSON"):
        grade_outputs(ds, tmp_path / "o.jsonl", TinyGrader(ds.spec))


def test_batch_input_then_output_round_trip(ds, tmp_path) -> None:
    path = write_batch_input(
        ds,
        tmp_path / "batch" / "in.jsonl",
        "gpt-4o-mini",
        n=2,
        max_tokens=64,
        reasoning_effort="low",
        extra_params={"seed": 3},
    )
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert len(lines) == 2 * len(ds)
    assert len({x["custom_id"] for x in lines}) == len(lines)
    assert {x["url"] for x in lines} == {"/v1/chat/completions"}
    body = lines[0]["body"]
    assert body["model"] == "gpt-4o-mini"
    assert (body["max_completion_tokens"], body["reasoning_effort"], body["seed"]) == (64, "low", 3)
    assert body["messages"][-1]["role"] == "user"
    # what the Batch API returns: a response per line (one failed), bodies as the chat endpoint returns them
    with FakeOpenAI(scripted_answer) as fake:
        results = []
        for i, x in enumerate(lines):
            if i == 5:
                results.append(
                    {
                        "id": f"batch_req_{i}",
                        "custom_id": x["custom_id"],
                        "response": None,
                        "error": {"code": "server_error", "message": "boom"},
                    }
                )
                continue
            req = fo.Request("POST", "/v1/chat/completions", "", {}, json.dumps(x["body"]).encode())
            reply = fo._chat_completions(fake, req)
            results.append(
                {
                    "id": f"batch_req_{i}",
                    "custom_id": x["custom_id"],
                    "response": {"status_code": 200, "request_id": "r", "body": reply.body},
                    "error": None,
                }
            )
    results.reverse()  # the Batch API returns lines in any order
    write_jsonl(tmp_path / "out.jsonl", results)
    report = score_batch_output(ds, tmp_path / "out.jsonl", TinyGrader(ds.spec))
    assert report.source == "batch"
    assert report.model == "gpt-4o-mini"
    assert report.n_samples == 2 * len(ds) - 1
    assert report.failures == ({"id": lines[5]["custom_id"].split("#")[0], "sample": 1, "error": "HTTP None: boom"},)
    assert [(r.id, r.sample) for r in report.records] == sorted((r.id, r.sample) for r in report.records)
    u = report.usage
    expected = (u["prompt_tokens"] * 0.15 + u["completion_tokens"] * 0.60) / 1e6 * 0.5
    assert u["cost_usd"] == pytest.approx(expected)
    # the same outputs graded directly give the same scores
    direct = grade_outputs(
        ds,
        [{"id": r.id, "sample": r.sample, "output_text": r.output_text} for r in report.records],
        TinyGrader(ds.spec),
    )
    assert [r.score for r in direct.records] == [r.score for r in report.records]


def test_batch_responses_api_and_errors(ds, tmp_path) -> None:
    path = write_batch_input(ds.head(1), tmp_path / "in.jsonl", "m", api="responses", max_tokens=9)
    line = json.loads(path.read_text())
    assert line["url"] == "/v1/responses"
    assert line["body"]["max_output_tokens"] == 9
    assert "input" in line["body"]
    body = {
        "model": "m",
        "status": "completed",
        "output": [{"type": "message", "content": [{"type": "output_text", "text": "Answer: sensitive"}]}],
        "usage": {"input_tokens": 4, "output_tokens": 2},
    }
    write_jsonl(tmp_path / "out.jsonl", [{"custom_id": "e0000#0", "response": {"status_code": 200, "body": body}}])
    write_jsonl(
        tmp_path / "err.jsonl",
        [{"custom_id": "e0001#0", "response": {"status_code": 429, "body": {"error": {"message": "rate limited"}}}}],
    )
    report = score_batch_output(ds, tmp_path / "out.jsonl", TinyGrader(ds.spec), error_file=tmp_path / "err.jsonl")
    assert report.records[0].output_text == "Answer: sensitive"
    assert report.records[0].prompt_tokens == 4
    assert report.failures[0]["error"] == "HTTP 429: rate limited"
    write_jsonl(tmp_path / "bad.jsonl", [{"custom_id": "e0000", "response": {}}])
    with pytest.raises(DatasetError, match="custom_id 'e0000' is not"):
        score_batch_output(ds, tmp_path / "bad.jsonl", TinyGrader(ds.spec))
    write_jsonl(tmp_path / "bad.jsonl", [{"custom_id": "zz#0", "response": {}}])
    with pytest.raises(DatasetError, match="example id 'zz'"):
        score_batch_output(ds, tmp_path / "bad.jsonl", TinyGrader(ds.spec))
