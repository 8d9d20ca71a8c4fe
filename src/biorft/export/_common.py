"""Shared pieces of the exporters: lines, deterministic JSON / JSONL / parquet writing, grader checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biorft.errors import DatasetError
from biorft.graders import ExportableGrader, grader_fields, grader_for

if TYPE_CHECKING:
    from biorft.datasets import Splits, TaskDataset

__all__ = [
    "check_referenced_fields",
    "default_grader",
    "dump_json",
    "iter_parts",
    "prepare_dir",
    "read_jsonl",
    "write_card",
    "write_jsonl",
]


def default_grader(splits: Splits) -> ExportableGrader:
    """The task's default grader, `biorft.graders.grader_for` of the split's spec."""
    return grader_for(splits.spec)


def dump_json(obj: Any) -> str:
    """Compact, deterministic JSON (key order as given, UTF-8 kept, no NaN)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def prepare_dir(out_dir: str | Path) -> Path:
    """Create ``out_dir`` (parents too); raise [DatasetError][biorft.errors.DatasetError] naming it when that fails."""
    path = Path(out_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(f"cannot create output folder {str(path)!r}: {exc.strerror or exc}") from exc
    return path


def iter_parts(splits: Splits) -> Iterable[tuple[str, TaskDataset]]:
    """``("train", ds), ("valid", ds), ("test", ds)`` of a [`Splits`][biorft.datasets.Splits]."""
    from biorft.datasets import Splits

    if not isinstance(splits, Splits):
        raise DatasetError(
            f"export needs a Splits object (from dataset.split(...)), got {type(splits).__name__}; "
            "call ds.split() first (the task's canonical split)"
        )
    return list(splits)


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as JSON lines (deterministic bytes); returns the number of lines."""
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(dump_json(row))
            fh.write("\n")
            n += 1
    return n


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file; blank lines are skipped.

    Raises:
        DatasetError: Naming the file and line number of a line that is not a JSON object.
    """
    rows: list[dict[str, Any]] = []
    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"file {str(p)!r} does not exist")
    with p.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{p}:{lineno}: not valid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict):
                raise DatasetError(f"{p}:{lineno}: expected a JSON object, got {type(obj).__name__}")
            rows.append(obj)
    return rows


def check_referenced_fields(grader: ExportableGrader, items: Sequence[dict[str, Any]], *, where: str) -> None:
    """Every item field the grader requires (`biorft.graders.grader_fields`) must be in every item."""
    fields = grader_fields(grader)[1]
    for i, item in enumerate(items):
        missing = sorted(fields - set(item))
        if missing:
            raise DatasetError(
                f"{where}: example {i} ({item.get('id')!r}) lacks item field(s) {missing} that grader "
                f"{getattr(grader, 'name', '?')!r} reads; use the task's own grader or add the fields"
            )


def write_card(splits: Splits, path: Path) -> None:
    """Write the dataset card (with split stats) as indented JSON."""
    path.write_text(splits.card.model_dump_json(indent=1) + "\n", encoding="utf-8")
