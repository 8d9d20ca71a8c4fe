"""verl export: parquet files in verl's RL data layout plus a ``reward.py`` with ``compute_score``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from biorft.errors import DatasetError, GraderError
from biorft.export._common import (
    check_referenced_fields,
    default_grader,
    dump_json,
    iter_parts,
    prepare_dir,
    write_card,
)
from biorft.export._trl import polars_item_schema
from biorft.graders import COMPUTE_SCORE_SHIM, ExportableGrader, trl_row, verl_reward_source
from biorft.graders._rt.inputs import clean_item

if TYPE_CHECKING:
    from biorft.datasets import Splits

__all__ = ["COMPUTE_SCORE_SHIM", "read_verl", "verl", "verl_row"]


def verl_row(
    messages: list[dict[str, str]], item: dict[str, Any], *, domain: str, split: str, index: int
) -> dict[str, Any]:
    """One verl row: ``data_source``, ``prompt``, ``ability``, ``reward_model``, ``extra_info``.

    ``reward_model.ground_truth`` is the target as a string (labels as is, numbers and label lists as JSON);
    the full grader item travels in ``extra_info["item"]``.

    Examples:
        >>> row = verl_row([{"role": "user", "content": "SMILES: CCO"}],
        ...                {"id": "m1", "task": "molecules/x", "target": -0.5}, domain="molecules",
        ...                split="train", index=0)
        >>> row["reward_model"], row["extra_info"]["index"]
        ({'style': 'rule', 'ground_truth': '-0.5'}, 0)
    """
    row = trl_row(messages, item)
    prompt = row.pop("prompt")
    item = row
    target = item.get("target")
    truth = target if isinstance(target, str) else dump_json(target)
    return {
        "data_source": item.get("task", ""),
        "prompt": prompt,
        "ability": domain,
        "reward_model": {"style": "rule", "ground_truth": truth},
        "extra_info": {"split": split, "index": index, "id": item.get("id"), "item": item},
    }


def verl(splits: Splits, out_dir: str | Path, grader: ExportableGrader | None = None) -> dict[str, Path]:
    r"""Write ``train/valid/test.parquet`` for verl, ``reward.py`` and ``card.json``.

    ``reward.py`` (`biorft.graders.verl_reward_source`) is the grader's self-contained source (``grader.to_source()``)
    followed by a ``compute_score(data_source, solution_str, ground_truth, extra_info=None)`` entry point for verl's
    ``custom_reward_function``; it turns verl's arguments into the grader's ``(sample, item)`` with the same function
    as the in-process reward `biorft.rewards.verl`, so both score every row alike.

    Args:
        splits: From [`split`][biorft.datasets.TaskDataset.split].
        out_dir: Output folder (created).
        grader: Grader whose source goes into ``reward.py``; default ``biorft.graders.grader_for(spec)``.

    Returns:
        ``{"train", "valid", "test", "reward", "card"}`` -> file paths.

    Examples:
        >>> import tempfile, biorft as br
        >>> class Exact:
        ...     name = "exact"; referenced_fields = frozenset({"target"})
        ...     def to_source(self):
        ...         return "def grade(sample, item):\n    return float(item['target'] in sample['output_text'])\n"
        >>> paths = verl(br.load_task("molecules/bbb_b3db").head(30).split("random"), tempfile.mkdtemp(),
        ...              grader=Exact())
        >>> sorted(read_verl(paths["train"])[0])
        ['ability', 'data_source', 'extra_info', 'prompt', 'reward_model']
    """
    import polars as pl

    parts = iter_parts(splits)
    out = prepare_dir(out_dir)
    if grader is None:
        grader = default_grader(splits)
    try:
        source = verl_reward_source(grader)
    except GraderError as exc:
        raise DatasetError(str(exc)) from exc
    kind = splits.spec.kind.value
    paths: dict[str, Path] = {}
    for name, ds in parts:
        examples = list(ds.examples())
        check_referenced_fields(grader, [e.item for e in examples], where=f"{ds.name} {name}")
        rows = [
            verl_row(e.messages, e.item, domain=ds.spec.domain.value, split=name, index=i)
            for i, e in enumerate(examples)
        ]
        schema = _schema(kind)
        frame = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
        path = out / f"{name}.parquet"
        frame.write_parquet(path, compression="zstd", statistics=False)
        paths[name] = path
    paths["reward"] = out / "reward.py"
    paths["reward"].write_text(source, encoding="utf-8")
    paths["card"] = out / "card.json"
    write_card(splits, paths["card"])
    return paths


def _schema(kind: str) -> dict[str, Any]:
    import polars as pl

    message = pl.Struct({"role": pl.String, "content": pl.String})
    return {
        "data_source": pl.String,
        "prompt": pl.List(message),
        "ability": pl.String,
        "reward_model": pl.Struct({"style": pl.String, "ground_truth": pl.String}),
        "extra_info": pl.Struct(
            {"split": pl.String, "index": pl.Int64, "id": pl.String, "item": pl.Struct(polars_item_schema(kind))}
        ),
    }


def read_verl(path: str | Path) -> list[dict[str, Any]]:
    """Read a verl parquet export into row dicts (``extra_info["item"]`` without null fields).

    Examples:
        >>> import tempfile, pathlib, polars as pl
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.parquet"
        >>> pl.DataFrame({"data_source": ["t"], "extra_info": [{"item": {"target": "a", "x": None}}]}).write_parquet(p)
        >>> read_verl(p)[0]["extra_info"]["item"]
        {'target': 'a'}
    """
    import polars as pl

    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"file {str(p)!r} does not exist")
    try:
        rows: list[dict[str, Any]] = pl.read_parquet(p).to_dicts()
    except Exception as exc:
        raise DatasetError(f"cannot read {str(p)!r} as parquet: {exc}".splitlines()[0]) from exc
    for row in rows:
        info = row.get("extra_info")
        if isinstance(info, dict) and isinstance(info.get("item"), dict):
            info["item"] = clean_item(info["item"])
    return rows
