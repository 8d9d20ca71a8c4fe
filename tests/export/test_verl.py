from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import polars as pl
import pytest
from tests.export.conftest import StubGrader

from biorft import export
from biorft.datasets import load_task


@pytest.mark.parametrize("task", ["molecules/tox21", "molecules/solubility_aqsoldb", "genes/dosage_sensitive_tfs"])
def test_round_trip_and_layout(task: str, tmp_path: pathlib.Path, stub_grader: StubGrader) -> None:
    splits = load_task(task).head(120).split("random", seed=2)
    paths = export.verl(splits, tmp_path, grader=stub_grader)
    for name, part in splits:
        frame = pl.read_parquet(paths[name])
        assert frame.columns == ["data_source", "prompt", "ability", "reward_model", "extra_info"]
        rows = export.read_verl(paths[name])
        expected = list(part.examples())
        assert len(rows) == len(expected)
        for i, (row, ex) in enumerate(zip(rows, expected, strict=True)):
            assert row["data_source"] == task
            assert row["ability"] == splits.spec.domain.value
            assert row["prompt"] == ex.messages
            assert row["reward_model"]["style"] == "rule"
            truth = ex.item["target"]
            assert row["reward_model"]["ground_truth"] == (
                truth if isinstance(truth, str) else json.dumps(truth, separators=(",", ":"))
            )
            assert row["extra_info"]["item"] == ex.item
            assert row["extra_info"]["index"] == i
            assert row["extra_info"]["split"] == name
    assert paths["reward"].read_text().startswith(stub_grader.to_source().rstrip("\n"))


SCRIPT = r"""
import json, sys
import importlib.util
spec = importlib.util.spec_from_file_location("reward", sys.argv[1])
reward = importlib.util.module_from_spec(spec); spec.loader.exec_module(reward)
cases = json.load(open(sys.argv[2]))
out = []
for c in cases:
    extra = c["extra_info"]
    if c.get("as_array") and extra:
        class Arr(list):  # numpy-like: parquet readers hand lists back as arrays
            def tolist(self): return list(self)
        extra = dict(extra); item = dict(extra["item"]); item["target"] = Arr(item["target"]); extra["item"] = item
    out.append(reward.compute_score(c["data_source"], c["solution"], c["ground_truth"], extra))
print(json.dumps(out))
"""


def test_compute_score_shim_in_clean_interpreter(tmp_path: pathlib.Path, stub_grader: StubGrader) -> None:
    splits = load_task("molecules/tox21").head(40).split("random")
    paths = export.verl(splits, tmp_path, grader=stub_grader)
    row = export.read_verl(paths["train"])[0]
    target = row["extra_info"]["item"]["target"]
    right = "Answer: " + (", ".join(target) if target else "none")
    cases = [
        {
            "data_source": row["data_source"],
            "solution": right,
            "ground_truth": row["reward_model"]["ground_truth"],
            "extra_info": row["extra_info"],
        },
        {
            "data_source": row["data_source"],
            "solution": "Answer: NR-AR, SR-p53, SR-MMP, SR-HSE",
            "ground_truth": row["reward_model"]["ground_truth"],
            "extra_info": row["extra_info"],
        },
        {
            "data_source": row["data_source"],
            "solution": right,
            "ground_truth": row["reward_model"]["ground_truth"],
            "extra_info": row["extra_info"],
            "as_array": True,
        },
        {"data_source": "x", "solution": "Answer: BBB+", "ground_truth": "BBB+", "extra_info": None},
        {"data_source": "x", "solution": None, "ground_truth": "BBB+", "extra_info": 5},
    ]
    case_file = tmp_path / "cases.json"
    case_file.write_text(json.dumps(cases))
    proc = subprocess.run(
        [sys.executable, "-I", "-c", SCRIPT, str(paths["reward"]), str(case_file)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert json.loads(proc.stdout) == [1.0, 0.0, 1.0, 1.0, 0.0]
