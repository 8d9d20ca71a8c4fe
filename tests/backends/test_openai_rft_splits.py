"""submit(splits): the Splits path exports with biorft.export.openai_rft and uploads exactly those files.

Runs once the datasets, export and graders streams are merged (it skips while biorft.export.openai_rft or a bundled
task is missing).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.fakes._rft import RFTState

from biorft.backends.openai_rft import OpenAIRFT


def test_submit_splits_uploads_the_export(rft: OpenAIRFT, state: RFTState, tmp_path: Path) -> None:
    export = pytest.importorskip("biorft.export")
    if not hasattr(export, "openai_rft"):
        pytest.skip("biorft.export.openai_rft is not merged yet")
    datasets = pytest.importorskip("biorft.datasets")
    tasks = [t for t in datasets.list_tasks() if t.kind.value in ("binary", "multiclass")]
    if not tasks:
        pytest.skip("no bundled classification task yet")
    splits = datasets.load_task(tasks[0].name).split("random", seed=0)
    out = tmp_path / "export"
    job = rft.submit(splits, model="o4-mini-2025-04-16", out_dir=out)
    body = state.jobs[job.id].body
    assert state.files[body["training_file"]].content == (out / "train.jsonl").read_bytes()
    assert state.files[body["validation_file"]].content == (out / "valid.jsonl").read_bytes()
    assert body["method"]["reinforcement"]["grader"] == json.loads((out / "grader.json").read_text())
    assert job.watch(poll=0.0, progress=False).ok
