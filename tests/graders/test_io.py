"""The grader I/O contract, row by row: every writer's rows give back the reference item, and every reward (TRL,
verl in-process, verl's exported reward.py) scores each row exactly as ``grader(to_sample(text), item)``."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl
import pytest

from biorft import export, rewards
from biorft.backends.trl import grpo_rows
from biorft.datasets import load_task
from biorft.graders import (
    ITEM_FIELDS,
    OPTIONAL_ITEM_FIELDS,
    grader_for,
    item_from_columns,
    to_sample,
    trl_row,
    trl_rows,
)
from biorft.graders._rt.inputs import clean_item, verl_inputs

TASKS = ["molecules/bbb_b3db", "molecules/tox21", "molecules/solubility_aqsoldb", "genes/dosage_sensitive_tfs"]


def _completions(item: dict[str, Any]) -> list[str]:
    target = item["target"]
    said = ", ".join(target) if isinstance(target, list) else str(target)
    return [
        f"Reasoning.\nAnswer: {said or 'none'}",
        json.dumps({"answer": target, "confidence": 0.6}),
        "Answer: something else entirely",
        "",
    ]


def _numpy_like(value: Any) -> Any:
    """What a pandas / pyarrow reader hands verl: numpy arrays for lists, numpy scalars for numbers."""
    if isinstance(value, dict):
        return {k: _numpy_like(v) for k, v in value.items()}
    if isinstance(value, list):
        return np.array([_numpy_like(v) for v in value], dtype=object)
    if isinstance(value, float):
        return np.float64(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return np.int64(value)
    return value


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"reward_{path.parent.name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("task", TASKS)
def test_verl_rewards_score_every_row_alike(task: str, tmp_path: Path) -> None:
    splits = load_task(task).head(60).split("random", seed=1)
    grader = grader_for(splits.spec)
    paths = export.verl(splits, tmp_path)
    exported = _load(paths["reward"])
    in_process = rewards.verl(grader)
    n = 0
    for name, part in splits:
        raw_rows = pl.read_parquet(paths[name]).to_dicts()  # Arrow structs: every item field, null where absent
        for ex, raw in zip(part.examples(), raw_rows, strict=True):
            info = raw["extra_info"]
            truth = raw["reward_model"]["ground_truth"]
            variants = [info, _numpy_like(info), {**info, "item": json.dumps(clean_item(info["item"]))}]
            for text in _completions(ex.item):
                want = grader(to_sample(text), ex.item)
                for extra in variants:
                    assert verl_inputs(text, truth, extra) == (to_sample(text), ex.item)
                    got = (
                        exported.compute_score(raw["data_source"], text, truth, extra),
                        in_process("x", text, truth, extra),
                    )
                    assert got == (want, want), (name, ex.id, text, type(extra))
                    n += 1
    assert n == 60 * 4 * 3


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_trl_rows_give_back_the_item_and_the_grader_score(task: str, fmt: str, tmp_path: Path) -> None:
    splits = load_task(task).head(40).split("random", seed=3)
    grader = grader_for(splits.spec)
    reward = rewards.trl(grader)
    paths = export.trl(splits, tmp_path, format=fmt)
    for name, part in splits:
        examples = list(part.examples())
        rows = export.read_trl(paths[name])
        if fmt == "jsonl":  # jsonl keeps the rows exactly as written
            assert rows == trl_rows(part)
        assert trl_rows(part) == grpo_rows(part)  # one row builder for the export and the GRPO dataset
        columns = {key: [row.get(key) for row in rows] for key in ITEM_FIELDS if any(key in row for row in rows)}
        for i, ex in enumerate(examples):
            assert item_from_columns(columns, i, ITEM_FIELDS) == ex.item
        for k in range(4):
            completions = [_completions(ex.item)[k] for ex in examples]
            want = [grader(to_sample(c), ex.item) for c, ex in zip(completions, examples, strict=True)]
            assert reward(completions, **columns) == want


def test_trl_row_checks_and_fills() -> None:
    messages = [{"role": "user", "content": "?"}]
    row = trl_row(messages, {"id": "a", "kind": "multilabel", "target": ("x",)})
    assert row["target"] == ["x"]
    assert row["known_labels"] is None
    assert "known_labels" in OPTIONAL_ITEM_FIELDS
    with pytest.raises(Exception, match="finite number"):
        trl_row(messages, {"id": "a", "target": "1.5"}, kind="regression")
    with pytest.raises(Exception, match="last message must be the user turn"):
        trl_row([{"role": "assistant", "content": "x"}], {"id": "a"})


def test_clean_item_and_verl_fallbacks() -> None:
    assert clean_item('{"target": "a", "known_labels": null}') == {"target": "a"}
    assert clean_item("not json") is None
    assert clean_item({"target": np.array(["a", "b"], dtype=object)}) == {"target": ["a", "b"]}
    assert verl_inputs(None, "BBB+", None) == ({"output_text": ""}, {"target": "BBB+"})
    assert verl_inputs("x", None, 5) == ({"output_text": "x"}, {})
    assert verl_inputs("x", "a", {"item": "[1]"}) == ({"output_text": "x"}, {"target": "a"})
