"""The reward-hacking audit runs before money or GPU hours: ``OpenAIRFT.submit`` and ``grpo_recipe`` refuse a
hackable grader unless told otherwise, and the dry run shows the audit table."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.backends._rft_helpers import API_KEY, StubGrader, write_export
from tests.fakes.openai_server import FakeOpenAI

from biorft.backends.openai_rft import OpenAIRFT
from biorft.cli import main
from biorft.errors import GraderError, HackableGraderError

# Pays any output with a line "Answer: <target>", whatever else it states: "Answer: A\nAnswer: B" always wins.
ANY_LINE_SOURCE = """\
def grade(sample, item):
    try:
        lines = [line.strip() for line in (sample.get("output_text") or "").splitlines()]
        return 1.0 if "Answer: " + item["target"] in lines else 0.0
    except Exception:
        return 0.0
"""


def test_submit_refuses_a_hackable_grader_before_any_request(rft: OpenAIRFT, fake: FakeOpenAI, tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export", grader=StubGrader(ANY_LINE_SOURCE, name="any_line"))
    with pytest.raises(HackableGraderError, match="allow_hackable=True") as caught:
        rft.submit(folder)
    assert isinstance(caught.value, GraderError)
    assert not caught.value.audit.ok
    assert "100 answer lines cycling" in str(caught.value)
    assert [r for r in fake.requests if "/files" in r.path or "/fine_tuning" in r.path] == []
    plan = rft.submit(folder, dry_run=True, allow_hackable=True)  # the explicit override
    assert plan.audit is not None
    assert not plan.audit.ok
    assert "HACKABLE" in str(plan)


def test_dry_run_carries_the_audit(rft: OpenAIRFT, export_dir: Path) -> None:
    plan = rft.submit(export_dir, dry_run=True)
    assert plan.audit is not None
    assert plan.audit.ok
    assert "no degenerate policy earns more than the prior baseline" in str(plan)
    assert "| constant: BBB+ |" in plan.audit.table()


def test_cli_dry_run_prints_the_table(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    folder = write_export(tmp_path / "export")
    state = ["--state-file", str(tmp_path / "state.json")]
    assert main(["rft", "submit", str(folder), "--dry-run", *state]) == 0
    captured = capsys.readouterr()
    assert "prior baseline" in captured.err
    assert "OK" in captured.err
    assert captured.out.lstrip().startswith("{")  # stdout stays the JSON request
    hackable = write_export(tmp_path / "hackable", grader=StubGrader(ANY_LINE_SOURCE))
    assert main(["rft", "submit", str(hackable), "--dry-run", *state]) == 1
    assert "refusing a hackable grader" in capsys.readouterr().err
    assert main(["rft", "submit", str(hackable), "--dry-run", "--allow-hackable", *state]) == 0
