from __future__ import annotations

import importlib.util
import pathlib

import polars as pl
import pytest

from biorft import export
from biorft.datasets import load_task
from biorft.errors import DatasetError


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
@pytest.mark.parametrize("task", ["molecules/tox21", "molecules/solubility_aqsoldb", "genes/dosage_sensitive_tfs"])
def test_round_trip(task: str, fmt: str, tmp_path: pathlib.Path) -> None:
    splits = load_task(task).head(200).split("random", seed=1)
    paths = export.trl(splits, tmp_path, format=fmt)
    for name, part in splits:
        rows = export.read_trl(paths[name])
        expected = list(part.examples())
        assert len(rows) == len(expected)
        for row, ex in zip(rows, expected, strict=True):
            assert row["prompt"] == ex.messages
            assert {k: v for k, v in row.items() if k != "prompt"} == ex.item


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_conversational_prompt_column_typed(fmt: str, tmp_path: pathlib.Path) -> None:
    paths = export.trl(load_task("molecules/tox21").head(50).split("random"), tmp_path, format=fmt)
    frame = pl.read_ndjson(paths["train"]) if fmt == "jsonl" else pl.read_parquet(paths["train"])
    assert frame.schema["prompt"] == pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
    assert frame.schema["target"] == pl.List(pl.String)
    assert frame.schema["known_labels"] == pl.List(pl.String)
    assert frame["prompt"].list.last().struct.field("role").eq("user").all()


@pytest.mark.skipif(importlib.util.find_spec("datasets") is None, reason="Hugging Face datasets not installed")
@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_loads_with_hugging_face_datasets(fmt: str, tmp_path: pathlib.Path) -> None:  # pragma: no cover
    from datasets import load_dataset

    paths = export.trl(load_task("molecules/bbb_b3db").head(50).split("random"), tmp_path, format=fmt)
    dd = load_dataset(
        "json" if fmt == "jsonl" else "parquet", data_files={k: str(paths[k]) for k in ("train", "valid", "test")}
    )
    assert dd["train"][0]["prompt"][-1]["role"] == "user"
    assert dd["valid"].num_rows == 5


def test_unknown_format(tmp_path: pathlib.Path) -> None:
    with pytest.raises(DatasetError, match=r"unknown TRL format 'parquett' \(did you mean 'parquet'"):
        export.trl(load_task("molecules/bbb_b3db").head(10).split("random"), tmp_path, format="parquett")
