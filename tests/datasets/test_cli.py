from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from biorft.cli import main
from biorft.export import read_trl


def test_tasks_lists_bundled(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    assert "molecules/bbb_b3db" in out
    assert "CC0-1.0" in out
    assert "genes/dosage_sensitive_tfs" in out
    assert main(["tasks", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} >= {"molecules/tox21", "genes/bivalent_vs_lys4_only"}


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "genes/dosage_sensitive_tfs", "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert "488 examples" in out
    assert "rows in 490 = kept 488 + quarantined 2" in out
    assert out.count("--- example") == 2
    assert "[user]\nGene: " in out
    assert main(["show", "molecules/tox21", "--json", "-n", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["spec"]["kind"] == "multilabel"
    assert data["examples"][0]["messages"][-1]["role"] == "user"
    assert data["card"]["n_rows_in"] == data["card"]["n_kept"] + data["card"]["n_quarantined"]


@pytest.mark.parametrize(("fmt", "suffix"), [("trl", "jsonl"), ("trl-parquet", "parquet")])
def test_build_trl(fmt: str, suffix: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "build",
            "genes/bivalent_vs_lys4_only",
            "--split",
            "family",
            "--seed",
            "3",
            "--format",
            fmt,
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "family split (seed 3)" in out
    rows = read_trl(tmp_path / f"valid.{suffix}")
    assert rows
    assert rows[0]["task"] == "genes/bivalent_vs_lys4_only"
    assert (tmp_path / "card.json").is_file()


@pytest.mark.parametrize("fmt", ["openai", "verl"])
def test_build_with_default_grader(fmt: str, tmp_path: pathlib.Path) -> None:
    assert main(["build", "molecules/bbb_b3db", "--split", "scaffold", "--format", fmt, "--out", str(tmp_path)]) == 0
    assert (tmp_path / ("grader.json" if fmt == "openai" else "reward.py")).is_file()


def test_errors_are_one_line(tmp_path: pathlib.Path) -> None:
    for args in (
        ["show", "molecules/bbb"],
        ["build", "genes/dosage_sensitive_tfs", "--split", "scaffold", "--format", "trl", "--out", str(tmp_path)],
        ["build", "molecules/tox21", "--fractions", "0.8", "0.1", "0.2", "--format", "trl", "--out", str(tmp_path)],
    ):
        proc = subprocess.run([sys.executable, "-m", "biorft.cli", *args], capture_output=True, text=True, check=False)
        assert proc.returncode == 1, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith("biorft: error: "), proc.stderr
    assert main(["build", "molecules/tox21", "--split", "scafold", "--out", str(tmp_path)]) == 2
