"""Shared options of ``biorft eval``, ``grade`` and ``report``: which task, which split, which grader; statistics.

Defaults come from ``biorft._defaults``, the module ``biorft.evaluate`` reads too, so the command line never
repeats (and never drifts from) the library's numbers.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from biorft import _defaults
from biorft._cli._types import positive_int
from biorft.errors import ArgumentError, DatasetError

__all__ = [
    "add_data_options",
    "add_stats_options",
    "apply_limit",
    "check_cache_path",
    "check_out_dir",
    "load_data",
    "load_grader",
    "split_description",
]

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
        help="split method (default: the task's canonical split, pinned in its card, as every biorft command uses); "
        "with a method, --fractions and --split-seed apply",
    )
    p.add_argument("--fractions", type=float, nargs=3, default=None, metavar=("TRAIN", "VALID", "TEST"))
    p.add_argument("--split-seed", type=int, default=None, help="seed of the split (with --split-method; default 0)")
    p.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        metavar="N",
        help="a seeded sample of N examples of the split (stratified by label for classification tasks, seed "
        "--seed), not its first N rows; the report says it is a sample",
    )
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


def add_stats_options(p: argparse.ArgumentParser, *, what: str = "the CIs") -> None:
    """Add ``--n-boot`` and ``--seed`` (defaults: the library's)."""
    p.add_argument(
        "--n-boot",
        type=int,
        default=_defaults.N_BOOT,
        help=f"bootstrap resamples for {what} (default: %(default)s; 0 skips the intervals)",
    )
    p.add_argument("--seed", type=int, default=_defaults.SEED, help="seed of the bootstrap (default: %(default)s)")


def load_data(args: argparse.Namespace) -> Any:
    """The dataset the options name: the task, split as asked (default: its canonical split)."""
    data = _load_task(args.task)
    if args.split_method is None and (args.fractions is not None or args.split_seed is not None):
        raise ArgumentError("--fractions and --split-seed need --split-method (the default is the canonical split)")
    if args.split != "all":
        if args.split_method is None:
            splits = data.split()  # the task's canonical split, pinned (and checked) by its card
        else:
            fractions = tuple(args.fractions) if args.fractions is not None else (0.8, 0.1, 0.1)
            seed = args.split_seed if args.split_seed is not None else 0
            splits = data.split(args.split_method, fractions=fractions, seed=seed)
        data = getattr(splits, args.split)
    return data


def split_description(args: argparse.Namespace) -> str:
    """What ``--split`` / ``--split-method`` selected, for reports ("test part of the canonical split")."""
    if args.split == "all":
        return "whole task"
    method = f"'{args.split_method}' split" if args.split_method else "canonical split"
    return f"{args.split} part of the {method}"


def apply_limit(data: Any, args: argparse.Namespace) -> Any:
    """``data`` cut to a seeded, label-stratified sample of ``--limit`` examples (for commands that grade files)."""
    if args.limit is None:
        return data
    from biorft.evaluation._sample import sample_ids

    ids, info = sample_ids(
        data.spec, ((ex.id, ex.item.get("target")) for ex in data.examples()), args.limit, seed=args.seed
    )
    return data if info is None else data.subset(ids)


def check_out_dir(out: Path, flag: str = "--out") -> None:
    """Fail before any work when ``out`` cannot hold a report.

    ``out`` fails when it is a file, cannot be created or written, or holds a ``report.json`` that biorft did not
    write (never clobbered).
    """
    if out.exists() and not out.is_dir():
        raise ArgumentError(f"{flag} {out}: is a file, not a folder; pass a folder for the report files")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".biorft-write-check-"):
            pass
    except OSError as exc:
        raise ArgumentError(
            f"{flag} {out}: cannot write into this folder ({exc.strerror or type(exc).__name__}); pass a folder you "
            "can write to"
        ) from None
    for name in ("report.json", "report.md", "report.png"):
        target = out / name
        if target.is_dir():
            raise ArgumentError(f"{flag} {out}: {target} is a folder; remove it or pass another {flag}")
    existing = out / "report.json"
    if existing.is_file():
        try:
            ours = json.loads(existing.read_bytes().decode("utf-8")).get("format") == "biorft.eval_report"
        except (ValueError, AttributeError):
            ours = False
        if not ours:
            raise ArgumentError(
                f"{flag} {out}: {existing} exists and is not a biorft report; refusing to overwrite it, pass another "
                f"{flag}"
            )


def check_cache_path(cache: Path, flag: str = "--cache") -> None:
    """Fail before any request when the cache path is a folder or its folder cannot be written."""
    if cache.is_dir():
        raise ArgumentError(f"{flag} {cache}: is a folder, not a file; pass a file such as {cache / 'cache.jsonl'}")
    parent = cache.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArgumentError(
            f"{flag} {cache}: cannot create its folder ({exc.strerror or type(exc).__name__})"
        ) from None
    if cache.exists() and not os.access(cache, os.W_OK):
        raise ArgumentError(f"{flag} {cache}: the file is not writable; pass a cache file you can write")
    if not cache.exists() and not os.access(parent, os.W_OK):
        raise ArgumentError(f"{flag} {cache}: cannot write into {parent}; pass a cache file in a folder you can write")
