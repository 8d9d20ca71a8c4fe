"""OpenAI reinforcement fine-tuning export: train / valid / test JSONL, ``grader.json`` and ``card.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biorft.errors import DatasetError
from biorft.export._common import (
    check_referenced_fields,
    default_grader,
    iter_parts,
    prepare_dir,
    read_jsonl,
    write_card,
    write_jsonl,
)
from biorft.graders import ExportableGrader

if TYPE_CHECKING:
    from biorft.datasets import Splits

__all__ = ["openai_rft", "read_openai_rft", "rft_line"]


def rft_line(messages: list[dict[str, str]], item: dict[str, Any]) -> dict[str, Any]:
    """One RFT training line: ``messages`` (ending with the user's) plus the grader item's fields at top level.

    The grader's ``item`` is the training line minus ``messages``, and the last message must have role ``user``
    (no assistant turns); see [OpenAI's grader sandbox][openai-grader-sandbox].

    Examples:
        >>> rft_line([{"role": "user", "content": "SMILES: CCO"}], {"id": "m1", "target": "BBB+"})
        {'messages': [{'role': 'user', 'content': 'SMILES: CCO'}], 'id': 'm1', 'target': 'BBB+'}
    """
    if not messages or messages[-1].get("role") != "user":
        raise DatasetError("an RFT line's messages must end with a user message")
    if any(m.get("role") == "assistant" for m in messages):
        raise DatasetError("an RFT line must not contain assistant messages")
    if "messages" in item:
        raise DatasetError("an item field may not be called 'messages'")
    return {"messages": messages, **item}


def openai_rft(splits: Splits, out_dir: str | Path, grader: ExportableGrader | None = None) -> dict[str, Path]:
    """Write an OpenAI RFT data set: ``train.jsonl``, ``valid.jsonl``, ``test.jsonl``, ``grader.json``, ``card.json``.

    Each line is ``{"messages": [system, user], "id", "task", "kind", "entity", "target"[, "known_labels"]}``.
    Same splits give byte-identical files.

    Args:
        splits: From [`split`][biorft.datasets.TaskDataset.split].
        out_dir: Output folder (created).
        grader: Grader to store in ``grader.json`` (its ``to_openai()`` dict); default
            ``biorft.graders.grader_for(splits.spec)``. Its ``referenced_fields`` must be in every line.

    Returns:
        ``{"train", "valid", "test", "grader", "card"}`` -> file paths.

    Raises:
        DatasetError: Empty train or valid part (RFT needs both), a field the grader reads missing, or an
            output folder that cannot be created.

    Examples:
        >>> import tempfile, biorft as br
        >>> class Exact:  # any object with the grader interface works
        ...     name = "exact"; referenced_fields = frozenset({"target"})
        ...     def to_openai(self): return {"type": "python", "name": "exact", "source": "def grade(s, i): return 0"}
        >>> splits = br.load_task("genes/dosage_sensitive_tfs").split("family", seed=0)
        >>> paths = openai_rft(splits, tempfile.mkdtemp(), grader=Exact())
        >>> sorted(paths)
        ['card', 'grader', 'test', 'train', 'valid']
        >>> read_openai_rft(paths["valid"])[0]["messages"][-1]["role"]
        'user'
    """
    parts = iter_parts(splits)
    out = prepare_dir(out_dir)
    sizes = {name: len(ds) for name, ds in parts}
    if not sizes["train"] or not sizes["valid"]:
        raise DatasetError(
            f"OpenAI RFT needs a non-empty training and validation file; split sizes are {sizes}: use fractions "
            "with a valid part, e.g. (0.8, 0.1, 0.1)"
        )
    if grader is None:
        grader = default_grader(splits)
    paths: dict[str, Path] = {}
    for name, ds in parts:
        examples = list(ds.examples())
        check_referenced_fields(grader, [e.item for e in examples], where=f"{ds.name} {name}")
        path = out / f"{name}.jsonl"
        write_jsonl(path, (rft_line(e.messages, e.item) for e in examples))
        paths[name] = path
    paths["grader"] = out / "grader.json"
    paths["grader"].write_text(json.dumps(grader.to_openai(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["card"] = out / "card.json"
    write_card(splits, paths["card"])
    return paths


def read_openai_rft(path: str | Path) -> list[dict[str, Any]]:
    r"""Read an RFT JSONL file back into line dicts (``messages`` plus item fields).

    Raises:
        DatasetError: Naming the file and line of a line that is not a JSON object.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.jsonl"
        >>> _ = p.write_text('{"messages": [{"role": "user", "content": "hi"}], "target": "a"}\n')
        >>> read_openai_rft(p)[0]["target"]
        'a'
    """
    return read_jsonl(path)
