"""Hugging Face / TRL export: a conversational ``prompt`` column plus the grader item's fields as columns."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from biorft.datasets._io import did_you_mean
from biorft.errors import DatasetError
from biorft.export._common import iter_parts, prepare_dir, read_jsonl, write_card, write_jsonl
from biorft.graders import item_field_types, trl_row, trl_rows

if TYPE_CHECKING:
    from biorft.datasets import Splits

__all__ = ["polars_item_schema", "read_trl", "trl", "trl_row"]

_FORMATS = ("jsonl", "parquet")


def trl(splits: Splits, out_dir: str | Path, format: str = "jsonl") -> dict[str, Path]:
    """Write ``train``, ``valid``, ``test`` files loadable by ``datasets.load_dataset`` plus ``card.json``.

    Load them with ``datasets.load_dataset("json", data_files={"train": ".../train.jsonl", ...})`` (or
    ``"parquet"``); the ``prompt`` column holds ``[{"role", "content"}, ...]``. The rows are
    `biorft.graders.trl_rows`, the same rows `biorft.backends.trl.grpo_dataset` trains on, so
    `biorft.rewards.trl` rebuilds every item from them.

    Args:
        splits: From [`split`][biorft.datasets.TaskDataset.split].
        out_dir: Output folder (created).
        format: ``"jsonl"`` or ``"parquet"``.

    Returns:
        ``{"train", "valid", "test", "card"}`` -> file paths.

    Examples:
        >>> import tempfile, biorft as br
        >>> splits = br.load_task("molecules/solubility_aqsoldb").head(50).split("random")
        >>> paths = trl(splits, tempfile.mkdtemp(), format="parquet")
        >>> row = read_trl(paths["test"])[0]
        >>> [m["role"] for m in row["prompt"]], isinstance(row["target"], float)
        (['system', 'user'], True)
    """
    if format not in _FORMATS:
        raise DatasetError(f"unknown TRL format {format!r}{did_you_mean(format, _FORMATS)}; use 'jsonl' or 'parquet'")
    parts = iter_parts(splits)
    out = prepare_dir(out_dir)
    paths: dict[str, Path] = {}
    for name, ds in parts:
        rows = trl_rows(ds)
        path = out / f"{name}.{format}"
        if format == "jsonl":
            write_jsonl(path, rows)
        else:
            _write_rows_parquet(rows, path, ds.spec.kind.value)
        paths[name] = path
    paths["card"] = out / "card.json"
    write_card(splits, paths["card"])
    return paths


def polars_item_schema(kind: str) -> dict[str, Any]:
    """The polars types of a task kind's item columns (`biorft.graders.item_field_types`).

    Examples:
        >>> polars_item_schema("regression")["target"]
        Float64
    """
    import polars as pl

    types: dict[str, Any] = {"string": pl.String, "float64": pl.Float64, "list<string>": pl.List(pl.String)}
    return {name: types[t] for name, t in item_field_types(kind).items()}


def _write_rows_parquet(rows: list[dict[str, Any]], path: Path, kind: str) -> None:
    import polars as pl

    message = pl.Struct({"role": pl.String, "content": pl.String})
    schema: dict[str, Any] = {"prompt": pl.List(message), **polars_item_schema(kind)}
    extra = sorted({k for r in rows for k in r} - set(schema))
    for k in extra:
        schema[k] = pl.String
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    frame.write_parquet(path, compression="zstd", statistics=False)


def read_trl(path: str | Path) -> list[dict[str, Any]]:
    r"""Read a TRL export file (``.jsonl`` or ``.parquet``) into row dicts.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.jsonl"
        >>> _ = p.write_text('{"prompt": [{"role": "user", "content": "hi"}], "target": 1.5}\n')
        >>> read_trl(p)[0]["target"]
        1.5
    """
    p = Path(path)
    if p.suffix == ".parquet":
        import polars as pl

        if not p.is_file():
            raise DatasetError(f"file {str(p)!r} does not exist")
        rows: list[dict[str, Any]] = pl.read_parquet(p).to_dicts()
        if rows and "known_labels" in rows[0] and all(r.get("known_labels") is None for r in rows):
            for r in rows:
                r.pop("known_labels")
        return rows
    return read_jsonl(p)
