"""Hugging Face / TRL export: a conversational ``prompt`` column plus the grader item's fields as columns."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from biorft.datasets._io import did_you_mean
from biorft.errors import DatasetError
from biorft.export._common import iter_parts, prepare_dir, read_jsonl, write_card, write_jsonl

if TYPE_CHECKING:
    from biorft.datasets import Splits

__all__ = ["read_trl", "trl", "trl_row"]

_FORMATS = ("jsonl", "parquet")


def trl_row(messages: list[dict[str, str]], item: dict[str, Any]) -> dict[str, Any]:
    """One TRL row: ``prompt`` (chat messages, TRL's conversational prompt-only format) plus the item's fields.

    TRL's ``GRPOTrainer`` passes every extra column to reward functions as keyword arguments, so the reward gets
    ``target`` (and ``known_labels`` ...) alongside the completions.

    Examples:
        >>> trl_row([{"role": "user", "content": "Gene: TP53"}], {"id": "g1", "target": "yes"})["prompt"][0]["role"]
        'user'
    """
    return {"prompt": messages, **item}


def trl(splits: Splits, out_dir: str | Path, format: str = "jsonl") -> dict[str, Path]:
    """Write ``train``, ``valid``, ``test`` files loadable by ``datasets.load_dataset`` plus ``card.json``.

    Load them with ``datasets.load_dataset("json", data_files={"train": ".../train.jsonl", ...})`` (or
    ``"parquet"``); the ``prompt`` column holds ``[{"role", "content"}, ...]``.

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
        rows = [trl_row(e.messages, e.item) for e in ds.examples()]
        path = out / f"{name}.{format}"
        if format == "jsonl":
            write_jsonl(path, rows)
        else:
            _write_rows_parquet(rows, path, ds.spec.kind.value)
        paths[name] = path
    paths["card"] = out / "card.json"
    write_card(splits, paths["card"])
    return paths


def _item_schema(kind: str) -> dict[str, Any]:
    import polars as pl

    target: Any = {"regression": pl.Float64, "multilabel": pl.List(pl.String)}.get(kind, pl.String)
    schema: dict[str, Any] = {
        "id": pl.String,
        "task": pl.String,
        "kind": pl.String,
        "entity": pl.String,
        "target": target,
    }
    if kind == "multilabel":
        schema["known_labels"] = pl.List(pl.String)
    return schema


def _write_rows_parquet(rows: list[dict[str, Any]], path: Path, kind: str) -> None:
    import polars as pl

    message = pl.Struct({"role": pl.String, "content": pl.String})
    schema: dict[str, Any] = {"prompt": pl.List(message), **_item_schema(kind)}
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
