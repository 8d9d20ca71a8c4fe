"""submit(splits): the Splits path exports with biorft.export.openai_rft and uploads exactly those files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes._rft import RFTState

from biorft import datasets
from biorft.backends.openai_rft import OpenAIRFT


def test_submit_splits_uploads_the_export(rft: OpenAIRFT, state: RFTState, tmp_path: Path) -> None:
    tasks = [t for t in datasets.list_tasks() if t.kind.value in ("binary", "multiclass")]
    assert tasks, "the bundled tasks include a classification task"
    splits = datasets.load_task(tasks[0].name).split("random", seed=0)
    out = tmp_path / "export"
    job = rft.submit(splits, model="o4-mini-2025-04-16", out_dir=out)
    body = state.jobs[job.id].body
    assert state.files[body["training_file"]].content == (out / "train.jsonl").read_bytes()
    assert state.files[body["validation_file"]].content == (out / "valid.jsonl").read_bytes()
    assert body["method"]["reinforcement"]["grader"] == json.loads((out / "grader.json").read_text())
    assert job.watch(poll=0.0, progress=False).ok
