"""Export of a grader as self-contained Python source and as an OpenAI python-grader dict.

The exported module embeds the runtime modules of `biorft.graders._rt` verbatim (their text is read from the
installed package), then the grader's configuration as a JSON literal, then the ``grade(sample, item)`` entry point
that OpenAI's python grader calls. The in-process grader runs the same runtime functions on the same configuration,
which is what makes the scores identical (and the parity tests check it in a clean interpreter).
"""

from __future__ import annotations

import ast
import functools
import json
from importlib import resources
from typing import Any

from biorft._version import __version__
from biorft.errors import GraderError
from biorft.graders._rt import MODULES

__all__ = [
    "OPENAI_IMAGE_TAG",
    "OPENAI_SOURCE_LIMIT",
    "grader_source",
    "item_fields",
    "openai_python_grader",
    "runtime_module",
    "runtime_source",
]

OPENAI_IMAGE_TAG = "2025-05-08"
"""The OpenAI grader image whose packages (rdkit 2024.9.6, numpy 2.2.4, ...) the exported graders are tested under.

See [OpenAI's grader sandbox][openai-grader-sandbox].
"""

OPENAI_SOURCE_LIMIT = 256_000
"""OpenAI python graders take source under 256 kB, counted in UTF-8 bytes.

See [OpenAI's grader sandbox][openai-grader-sandbox].
"""

_OWN = "biorft."


def _module_text(name: str) -> str:
    return resources.files("biorft.graders._rt").joinpath(f"{name}.py").read_text(encoding="utf-8")


def _strip_module(name: str, text: str) -> str:
    """Drop ``from __future__ import annotations`` and the imports between runtime modules (any line span)."""
    drop: set[int] = set()
    for node in ast.parse(text, filename=f"{name}.py").body:
        if isinstance(node, ast.ImportFrom) and (node.module == "__future__" or (node.module or "").startswith(_OWN)):
            drop.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        elif isinstance(node, ast.Import) and any(a.name.startswith(_OWN) for a in node.names):
            raise GraderError(f"runtime module {name}.py must import other runtime modules with 'from ... import'")
    lines = text.splitlines()
    return "\n".join(line for i, line in enumerate(lines, start=1) if i not in drop).strip("\n")


def _bound_names(tree: ast.Module) -> dict[str, str]:
    """Top-level name -> how it is bound (imports by their statement text, everything else by ``"def"``)."""
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            origin = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = f"import {origin}:{alias.name}"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = "def"
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names[sub.id] = "def"
    return names


def runtime_module(name: str) -> str:
    """One runtime module's text as the exported source embeds it (imports between runtime modules removed).

    Examples:
        >>> "def verl_inputs(" in runtime_module("inputs")
        True
    """
    return _strip_module(name, _module_text(name))


@functools.cache
def runtime_source() -> str:
    """The runtime modules, concatenated into one namespace (checked for clashing top-level names).

    Examples:
        >>> "def extract(" in runtime_source() and "def build(" in runtime_source()
        True
    """
    parts: list[str] = []
    owner: dict[str, tuple[str, str]] = {}
    for name in MODULES:
        body = runtime_module(name)
        for bound, how in _bound_names(ast.parse(body)).items():
            previous = owner.get(bound)
            if previous is not None and (how == "def" or previous[1] != how):
                raise GraderError(
                    f"runtime modules {previous[0]}.py and {name}.py both define {bound!r}; rename one "
                    "(the exported grader is a single namespace)"
                )
            owner[bound] = (name, how)
        parts.append(f"# ---- biorft.graders._rt.{name} ----\n{body}\n")
    return "\n\n".join(parts)


def item_fields(config: Any) -> tuple[list[str], list[str]]:
    """The item keys a grader configuration reads: ``(required, optional)``, each sorted.

    Every scoring node's ``target_field`` is required on every item; a set grader's ``known_field`` (the measured
    labels) is optional. Format and validity graders read no item field.

    Examples:
        >>> item_fields({"type": "gate", "gate": {"type": "format"},
        ...              "grader": {"type": "set", "target_field": "target", "known_field": "known_labels"}})
        (['target'], ['known_labels'])
    """
    required: set[str] = set()
    optional: set[str] = set()
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("target_field"), str):
                required.add(node["target_field"])
            if isinstance(node.get("known_field"), str):
                optional.add(node["known_field"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(required), sorted(optional - required)


def grader_source(name: str, config_json: str) -> str:
    """The complete exported module for one grader configuration (JSON text, canonical form).

    Examples:
        >>> src = grader_source("demo", '{"type": "format", "name": "demo", "sources": ["line"], "mode": "strict"}')
        >>> namespace: dict[str, object] = {}
        >>> exec(compile(src, "grader.py", "exec"), namespace)
        >>> grade = namespace["grade"]
        >>> grade({"output_text": "Answer: 42"}, {})
        1.0
    """
    header = (
        f'"""biorft grader {name!r}: grade(sample, item) -> float in [0, 1].\n\n'
        f"Generated by biorft {__version__} (Grader.to_source). Self-contained: the standard library, plus RDKit for\n"
        "molecule graders. `sample` is {'output_text': ..., 'output_json': ...} or a str; `item` is the reference\n"
        "(the RFT JSONL line minus `messages`). `explain(sample, item)` returns the full outcome.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
    )
    required, optional = item_fields(json.loads(config_json))
    footer = f'''

# ---- grader configuration and entry points ----
import json as _json

CONFIG = _json.loads({config_json!r})
_SCORER = build(CONFIG)

# biorft: item fields, machine-readable (biorft.export.validate_rft_jsonl reads these two literals)
REQUIRED_FIELDS = {json.dumps(required)}
"""Item keys every RFT JSONL line needs: grade() reads them."""
OPTIONAL_FIELDS = {json.dumps(optional)}
"""Item keys grade() reads when present (e.g. the measured labels of a multilabel example)."""
REFERENCED_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS


def grade(sample, item):
    """Score one model output against its reference item: a float in [0, 1]; never raises."""
    try:
        return float(evaluate(_SCORER, sample, item).score)
    except Exception:
        return 0.0


def explain(sample, item):
    """The full outcome: {{"score", "reason", "answer", "detail", "confidence"}}."""
    return evaluate(_SCORER, sample, item)._asdict()
'''
    return header + runtime_source() + footer


def openai_python_grader(name: str, source: str) -> dict[str, Any]:
    r"""A dict valid as ``openai.types.graders.PythonGraderParam``; raises when the source is over the size limit.

    Examples:
        >>> openai_python_grader("g", "def grade(sample, item):\n    return 1.0\n")["type"]
        'python'
    """
    size = len(source.encode("utf-8"))
    if size >= OPENAI_SOURCE_LIMIT:
        raise GraderError(
            f"grader {name!r}: exported source is {size} bytes, over the OpenAI python-grader limit of "
            f"{OPENAI_SOURCE_LIMIT} bytes; use fewer labels / synonyms or split the grader"
        )
    return {"type": "python", "name": name, "source": source, "image_tag": OPENAI_IMAGE_TAG}
