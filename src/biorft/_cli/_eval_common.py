"""Shared options of ``biorft eval`` and ``biorft grade``: which task, which split, which grader."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from biorft.errors import DatasetError

__all__ = ["add_data_options", "load_data", "load_grader"]

_SPLITS = ("train", "valid", "test", "all")


def add_data_options(p: argparse.ArgumentParser, *, default_split: str) -> None:
    """Add ``--task``, ``--split``, ``--split-method``, ``--fractions``, ``--split-seed``, ``--limit``, ``--grader``."""
    p.add_argument(
        "--task",
        required=True,
        help="a registered task name (see 'biorft tasks'), or 'package.module:attribute' naming a TaskDataset "
        "(or a function returning one) built in your own code",
    )
    p.add_argument("--split", choices=_SPLITS, default=default_split, help=f"which split (default: {default_split})")
    p.add_argument(
        "--split-method",
        default=None,
        help="split method (default: 'scaffold' for molecule tasks, 'family' otherwise); use the settings you "
        "exported the RFT files with",
    )
    p.add_argument("--fractions", type=float, nargs=3, default=(0.8, 0.1, 0.1), metavar=("TRAIN", "VALID", "TEST"))
    p.add_argument("--split-seed", type=int, default=0, help="seed of the split (default: 0)")
    p.add_argument("--limit", type=int, default=None, help="only the first N examples of the split")
    p.add_argument(
        "--grader",
        default=None,
        help="'package.module:attribute' naming a grader, or a function taking the TaskSpec and returning one "
        "(default: the task's own grader)",
    )


def _import_attr(option: str, value: str) -> Any:
    module_name, _, attr = value.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise DatasetError(f"{option} {value}: cannot import module {module_name!r} ({exc})") from exc
    obj = getattr(module, attr, None)
    if obj is None:
        raise DatasetError(f"{option} {value}: module {module_name!r} has no attribute {attr!r}")
    return obj


def load_grader(args: argparse.Namespace, spec: Any) -> Any:
    """The grader ``--grader`` names, or None for the task's default grader."""
    if args.grader is None:
        return None
    if ":" not in args.grader:
        raise DatasetError(f"--grader {args.grader}: expected 'package.module:attribute'")
    obj = _import_attr("--grader", args.grader)
    # a grader object, or a class / function that builds one from the task spec
    grader = obj(spec) if isinstance(obj, type) or not hasattr(obj, "explain") else obj
    if not hasattr(grader, "explain"):
        raise DatasetError(f"--grader {args.grader}: not a grader (it needs an explain(sample, item) method)")
    return grader


def _load_task(task: str) -> Any:
    if ":" in task:
        obj = _import_attr("--task", task)
        data = obj() if callable(obj) and not hasattr(obj, "examples") else obj
        if not (hasattr(data, "spec") and hasattr(data, "examples")):
            raise DatasetError(f"--task {task}: not a TaskDataset (it needs .spec and .examples())")
        return data
    from biorft.datasets import load_task  # type: ignore[attr-defined, unused-ignore]

    return load_task(task)


def load_data(args: argparse.Namespace) -> Any:
    """The dataset the options name: the task, split as asked, cut to ``--limit`` examples."""
    data = _load_task(args.task)
    if args.split != "all":
        method = args.split_method or ("scaffold" if str(data.spec.domain) == "molecules" else "family")
        splits = data.split(method, fractions=tuple(args.fractions), seed=args.split_seed)
        data = getattr(splits, args.split)
    if args.limit is not None:
        if args.limit < 1:
            raise DatasetError(f"--limit must be >= 1, got {args.limit}")
        data = data.head(args.limit)
    return data
