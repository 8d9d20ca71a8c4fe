"""``biorft rft submit|watch|cancel|list`` and ``biorft validate`` against the fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.backends._rft_helpers import API_KEY, rft_line, write_export
from tests.fakes._rft import JobScript, RFTState
from tests.fakes.openai_server import FakeOpenAI

from biorft.cli import main


@pytest.fixture
def env(fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeOpenAI:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("BIORFT_CACHE_DIR", str(tmp_path / "cache"))
    return fake


def test_submit_watch_list_cancel(
    env: FakeOpenAI, state: RFTState, export_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "rft",
            "submit",
            str(export_dir),
            "--hp",
            "n_epochs=2",
            "--hp",
            "reasoning_effort=low",
            "--hp",
            "learning_rate_multiplier=0.5",
            "--suffix",
            "cli",
            "--seed",
            "3",
            "--watch",
            "--poll",
            "0",
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    job_id = out.splitlines()[0]
    assert job_id in state.jobs
    body = state.jobs[job_id].body
    assert body["method"]["reinforcement"]["hyperparameters"] == {
        "n_epochs": 2,
        "reasoning_effort": "low",
        "learning_rate_multiplier": 0.5,
    }
    assert body["method"]["reinforcement"]["grader"] == json.loads((export_dir / "grader.json").read_text())
    assert "succeeded" in out
    assert "fine-tuned model: ft:o4-mini-2025-04-16:" in out
    assert (tmp_path / "cache" / "openai_files.json").is_file()  # uploads registered in BIORFT_CACHE_DIR

    assert main(["rft", "submit", str(export_dir / "train.jsonl"), "--valid", str(export_dir / "valid.jsonl")]) == 0
    second = capsys.readouterr().out.strip()
    assert len(state.files) == 2  # the same files were reused
    assert main(["rft", "list"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["id", "status", "model", "fine_tuned_model"]
    assert job_id in table
    assert second in table
    assert main(["rft", "list", "--json", "--limit", "1"]) == 0
    assert [j["id"] for j in json.loads(capsys.readouterr().out)] == [second]
    assert main(["rft", "cancel", second]) == 0
    assert capsys.readouterr().out.strip() == f"{second}: cancelled"
    assert main(["rft", "watch", second, "--poll", "0", "--no-progress"]) == 1  # cancelled: no model
    assert "cancelled" in capsys.readouterr().out


def test_watch_failed_job_exits_1_with_one_line(
    env: FakeOpenAI, state: RFTState, export_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state.job_script = JobScript(fail_at_step=1)
    assert main(["rft", "submit", str(export_dir)]) == 0
    job_id = capsys.readouterr().out.strip()
    assert main(["rft", "watch", job_id, "--poll", "0", "--no-progress"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"biorft: error: fine-tuning job {job_id} failed: grader_error")


def test_account_without_fine_tuning(
    env: FakeOpenAI, state: RFTState, export_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state.create_job_denied = 403
    assert main(["rft", "submit", str(export_dir)]) == 1
    err = capsys.readouterr().err
    assert "cannot create fine-tuning jobs" in err
    assert "TRL GRPO" in err
    assert API_KEY not in err


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--hp", "n_epochs"], "expected NAME=VALUE"),
        (["--hp", "epochs=2"], "did you mean 'n_epochs'"),
        (["--model", "gpt-4o"], "--allow-any-model"),
    ],
)
def test_submit_usage_problems(
    env: FakeOpenAI, export_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], match: str
) -> None:
    assert main(["rft", "submit", str(export_dir), *args]) == 1
    assert match in capsys.readouterr().err
    assert env.requests == []


def test_submit_needs_a_folder_or_valid(env: FakeOpenAI, export_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rft", "submit", str(export_dir / "train.jsonl")]) == 1
    assert "--valid" in capsys.readouterr().err
    assert main(["rft"]) == 2


def test_validate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_export(tmp_path / "export", n_train=3, n_valid=2)
    assert main(["validate", str(folder / "train.jsonl"), str(folder / "valid.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "train.jsonl: ok, 3 line(s), 0 problem(s)" in out
    assert "grader fields ['target']" in out  # grader.json beside the file was used

    lines = (folder / "train.jsonl").read_text().splitlines()
    broken = json.loads(lines[1])
    del broken["target"]
    lines[1] = json.dumps(broken)
    lines.append(json.dumps({**rft_line(0, "train"), "messages": [{"role": "assistant", "content": "A"}]}))
    (folder / "train.jsonl").write_text("\n".join(lines) + "\n")
    assert main(["validate", str(folder / "train.jsonl")]) == 1
    out = capsys.readouterr().out
    path = folder / "train.jsonl"
    assert f"{path}:2: target: missing" in out
    assert f"{path}:4: messages[0].role: role 'assistant'" in out
    assert f"{path}:4: messages: the last message must have role 'user'" in out
    assert "FAILED, 4 line(s), 3 problem(s)" in out

    other_grader = tmp_path / "g.json"
    other_grader.write_text(
        json.dumps(
            {
                "type": "string_check",
                "name": "s",
                "operation": "eq",
                "input": "{{ sample.output_text }}",
                "reference": "{{ item.entity }}",
            }
        )
    )
    assert main(["validate", str(folder / "valid.jsonl"), "--grader", str(other_grader)]) == 0
    assert "grader fields ['entity']" in capsys.readouterr().out


def test_validate_strict_fails_on_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dupes.jsonl"
    path.write_text(json.dumps(rft_line(0, "t")) + "\n" + json.dumps(rft_line(0, "t")) + "\n")
    assert main(["validate", str(path)]) == 0
    assert main(["validate", "--strict", str(path)]) == 1
    assert f"{path}:2: warning: id: duplicate id 't-0'" in capsys.readouterr().out


def test_submit_dry_run_prints_the_request_and_sends_nothing(
    fake: FakeOpenAI,
    export_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("BIORFT_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["rft", "submit", str(export_dir), "--dry-run", "--hp", "n_epochs=2"]) == 0
    request = json.loads(capsys.readouterr().out)
    reinforcement = request["method"]["reinforcement"]
    assert request["method"]["type"] == "reinforcement"
    assert request["training_file"] != request["validation_file"]
    assert reinforcement["hyperparameters"] == {"n_epochs": 2}
    assert reinforcement["grader"]["name"] == json.loads((export_dir / "grader.json").read_text())["name"]
    assert fake.requests == []
