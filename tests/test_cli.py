from __future__ import annotations

import subprocess
import sys

import pytest

import biorft
from biorft.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"biorft {biorft.__version__}"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main([]) == 2
    assert main(["tasks", "--bogus"]) == 2


def test_tasks_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks"]) == 0
    assert "name" in capsys.readouterr().out
    assert main(["tasks", "--json"]) == 0


def test_failure_is_one_line_exit_1(tmp_path: object) -> None:
    # A file where the demo wants a folder: the command fails, with one line and no traceback.
    import pathlib

    target = pathlib.Path(str(tmp_path)) / "file"
    target.write_text("x")
    proc = subprocess.run(
        [sys.executable, "-m", "biorft.cli", "demo", "--out", str(target / "sub")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("biorft: ")
    assert "Traceback" not in proc.stderr
    debug = subprocess.run(
        [sys.executable, "-m", "biorft.cli", "--debug", "demo", "--out", str(target / "sub")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr


def test_console_script_installed() -> None:
    proc = subprocess.run(["biorft", "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert proc.stdout.startswith("biorft ")


def test_closed_pipe_is_quiet(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise ValueError("no file descriptor")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["tasks"]) == 1
    assert capsys.readouterr().err == ""
