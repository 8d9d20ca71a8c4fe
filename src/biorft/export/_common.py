"""Shared pieces of the exporters: lines, deterministic JSON / JSONL / parquet writing, grader checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from biorft.errors import DatasetError

if TYPE_CHECKING:
    from biorft.datasets import Splits, TaskDataset

__all__ = [
    "OPTIONAL_ITEM_FIELDS",
    "GraderLike",
    "check_referenced_fields",
    "default_grader",
    "dump_json",
    "iter_parts",
    "prepare_dir",
    "read_jsonl",
    "write_card",
    "write_jsonl",
]

OPTIONAL_ITEM_FIELDS = frozenset({"known_labels"})
"""Item fields a grader may read but that only some examples carry (multilabel ``known_labels``)."""


class GraderLike(Protocol):
    """What the exporters need from a grader (``biorft.graders.Grader`` satisfies it)."""

    name: str
    referenced_fields: frozenset[str]

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI grader dict."""
        ...

    def to_source(self) -> str:
        """A self-contained module defining ``grade(sample, item)``."""
        ...


def default_grader(splits: Splits) -> GraderLike:
    """The task's default grader, ``biorft.graders.grader_for(spec)`` (imported only when needed)."""
    import importlib

    try:
        graders: Any = importlib.import_module("biorft.graders")  # imported only when no grader is passed
    except ModuleNotFoundError as exc:
        raise DatasetError("no default grader: biorft.graders is not available; pass grader=...") from exc
    grader: GraderLike = graders.grader_for(splits.spec)
    return grader


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
            "call ds.split('random') first"
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


def check_referenced_fields(grader: GraderLike, items: Sequence[dict[str, Any]], *, where: str) -> None:
    """Every field the grader reads must be in every item (``known_labels`` may be absent)."""
    fields = set(getattr(grader, "referenced_fields", ()) or ()) - OPTIONAL_ITEM_FIELDS
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
