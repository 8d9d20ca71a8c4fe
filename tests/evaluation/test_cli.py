"""biorft eval / grade / report end to end (in-process, against the local fake endpoint)."""

from __future__ import annotations

import json

import pytest

from biorft.cli import main
from biorft.evaluation import EvalReport
from tests.evaluation._helpers import scripted_answer
from tests.fakes.openai_server import FakeOpenAI

TASK = ["--task", "tests.evaluation._helpers:cli_dataset", "--grader", "tests.evaluation._helpers:TinyGrader"]


@pytest.fixture
def fake():
    with FakeOpenAI(scripted_answer) as f:
        yield f


def test_eval_writes_a_report_and_resumes_from_its_cache(fake, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    out = tmp_path / "run"
    args = ["eval", *TASK, "--model", "fake-model", "--base-url", fake.base_url, "--out", str(out), "--n-boot", "50"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "### genes/tiny_binary · `fake-model`" in printed
    assert {p.name for p in out.iterdir()} == {"report.json", "report.md", "report.png", "cache.jsonl"}
    report = EvalReport.from_json(out)
    assert report.n_examples == 3  # the test split of 30 examples (0.8 / 0.1 / 0.1)
    assert fake.count("/v1/chat/completions") == 3
    assert main([*args, "--split", "all"]) == 0
    assert fake.count("/v1/chat/completions") == 30  # 27 new; the 3 test examples came from the cache
    assert EvalReport.from_json(out).n_examples == 30


def test_eval_write_batch_then_grade_the_output(tmp_path, capsys) -> None:
    batch = tmp_path / "batch.jsonl"
    assert (
        main(["eval", *TASK, "--model", "gpt-4o-mini", "--split", "all", "--limit", "4", "--write-batch", str(batch)])
        == 0
    )
    assert "wrote 4 Batch API requests" in capsys.readouterr().out
    lines = [json.loads(x) for x in batch.read_text().splitlines()]
    results = []
    for x in lines:
        text = scripted_answer(x["body"])
        body = {
            "model": "gpt-4o-mini",
            "choices": [{"message": {"content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5},
        }
        results.append({"custom_id": x["custom_id"], "response": {"status_code": 200, "body": body}})
    output = tmp_path / "batch_output.jsonl"
    output.write_text("".join(json.dumps(r) + "\n" for r in results))
    assert main(["grade", *TASK, "--outputs", str(output), "--out", str(tmp_path / "graded"), "--n-boot", "20"]) == 0
    report = EvalReport.from_json(tmp_path / "graded")
    assert report.source == "batch"
    assert report.n_examples == 4
    assert report.usage["cost_usd"] == pytest.approx((40 * 0.15 + 20 * 0.6) / 1e6 * 0.5)


def test_grade_a_plain_outputs_file_and_compare_reports(tmp_path, capsys) -> None:
    outputs = tmp_path / "outputs.jsonl"
    rows = [{"id": f"e{i:04d}", "output_text": "Answer: sensitive"} for i in range(30)]
    outputs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["grade", *TASK, "--outputs", str(outputs), "--model", "always-yes", "--out", str(tmp_path / "a")]) == 0
    rows = [{"id": f"e{i:04d}", "output_text": "Answer: insensitive"} for i in range(30)]
    outputs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["grade", *TASK, "--outputs", str(outputs), "--model", "always-no", "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    md = tmp_path / "cmp.md"
    png = tmp_path / "cmp.png"
    code = main(
        ["report", str(tmp_path / "a"), str(tmp_path / "b" / "report.json"), "--out", str(md), "--plot", str(png)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Paired differences vs `always-yes`" in printed
    assert md.read_text() + "\n" == printed
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["report", str(tmp_path / "a")]) == 0
    assert "### genes/tiny_binary · `always-yes`" in capsys.readouterr().out


def test_cli_errors_are_one_line(tmp_path, capsys) -> None:
    assert main(["report", str(tmp_path / "missing")]) == 1
    assert "no such report file" in capsys.readouterr().err
    assert main(["grade", *TASK, "--outputs", str(tmp_path / "none.jsonl")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["eval", "--task", "tests.evaluation._helpers:nope", "--model", "m", "--out", str(tmp_path)]) == 1
    assert "has no attribute 'nope'" in capsys.readouterr().err
    bad_grader = ["--grader", "builtins:str"]  # str(spec) is no grader
    assert main(["eval", "--task", TASK[1], *bad_grader, "--model", "m", "--out", str(tmp_path)]) == 1
    assert "not a grader" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--concurrency", "0"),
        ("-n", "0"),
        ("--samples", "-1"),
        ("--timeout", "nan"),
        ("--timeout", "0"),
        ("--timeout", "inf"),
        ("--max-retries", "-1"),
        ("--max-tokens", "0"),
        ("--limit", "0"),
        ("--temperature", "nan"),
    ],
)
def test_bad_numeric_options_are_usage_errors_naming_the_flag(fake, tmp_path, capsys, flag, value) -> None:
    args = ["eval", *TASK, "--model", "m", "--base-url", fake.base_url, "--out", str(tmp_path / "o"), flag, value]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"argument {flag}" in err or f"/{flag}" in err
    assert "unexpected error" not in err
    assert fake.count("/v1/") == 0


def test_path_errors_name_the_file_before_any_request(fake, tmp_path, capsys) -> None:
    base = ["eval", *TASK, "--model", "m", "--base-url", fake.base_url]
    a_file = tmp_path / "a_file"
    a_file.write_text("mine")
    cases = [
        (["--out", "/proc/biorft-x"], "--out /proc/biorft-x: cannot write into this folder"),
        (["--out", str(a_file)], f"--out {a_file}: is a file, not a folder"),
        (["--out", str(tmp_path / "o"), "--cache", str(tmp_path)], f"--cache {tmp_path}: is a folder"),
        (["--out", str(tmp_path / "o"), "--cache", "/proc/biorft-x/c.jsonl"], "--cache /proc/biorft-x/c.jsonl"),
    ]
    for extra, expected in cases:
        assert main([*base, *extra]) == 1
        err = capsys.readouterr().err
        assert expected in err, err
        assert "unexpected error" not in err
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "report.json").write_text('{"something": "else"}')
    assert main([*base, "--out", str(foreign)]) == 1
    assert "is not a biorft report; refusing to overwrite it" in capsys.readouterr().err
    assert (foreign / "report.json").read_text() == '{"something": "else"}'
    assert a_file.read_text() == "mine"
    assert fake.count("/v1/") == 0


def test_unreadable_outputs_files_are_named(tmp_path, capsys) -> None:
    latin = tmp_path / "latin1.jsonl"
    latin.write_bytes('{"id": "e0000", "output_text": "Answer: s\xe9nsitive"}\n'.encode("latin-1"))
    assert main(["grade", *TASK, "--outputs", str(latin)]) == 1
    err = capsys.readouterr().err
    assert f"{latin}, line 1: not UTF-8 text" in err
    assert main(["grade", *TASK, "--outputs", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_failed_requests_are_reported_and_exit_1_then_a_rerun_completes(fake, tmp_path, capsys) -> None:
    from tests.fakes.openai_server import Failure

    fake.inject(*[Failure("status", status=503, path="/chat") for _ in range(2)])
    out = tmp_path / "run"
    args = ["eval", *TASK, "--model", "m", "--base-url", fake.base_url, "--out", str(out), "--max-retries", "1"]
    args += ["--split", "all", "--concurrency", "1", "--n-boot", "0"]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "1 request(s) failed after their retries" in captured.err
    report = EvalReport.from_json(out)
    assert len(report.failures) == 1
    assert report.n_examples == 29
    assert main(args) == 0
    assert EvalReport.from_json(out).n_examples == 30


def test_limit_is_a_seeded_stratified_sample_and_the_report_says_so(fake, tmp_path, capsys) -> None:
    out = tmp_path / "run"
    args = ["eval", *TASK, "--model", "m", "--base-url", fake.base_url, "--out", str(out), "--split", "all"]
    assert main([*args, "--limit", "10", "--n-boot", "0"]) == 0
    report = EvalReport.from_json(out)
    assert report.n_examples == 10
    assert report.sample is not None
    assert (report.sample.n, report.sample.of, report.sample.stratified_by) == (10, 30, "label")
    assert report.sample.source == "whole task"
    assert report.sample.counts == {"insensitive": 3, "sensitive": 7}  # the 30 examples are 10 / 20
    assert "seeded sample of 10 of 30 examples" in capsys.readouterr().out
    first_ten = {f"e{i:04d}" for i in range(10)}
    assert {r.id for r in report.records} != first_ten


def test_eval_help_is_cheap_and_shows_the_library_defaults(capsys) -> None:
    import subprocess
    import sys

    from biorft import _defaults

    code = (
        "import sys; from biorft.cli import main\n"
        "try: main(['eval', '--help'])\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in ('numpy', 'openai', 'polars', 'biorft.evaluation') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr
    assert f"(default: {_defaults.CONCURRENCY})" in done.stdout
    assert f"(default: {_defaults.MAX_RETRIES})" in done.stdout
