r"""What biorft sends as an RFT grader, and the local checks it passes before any request.

A grader is anything with ``to_openai() -> dict``, ``referenced_fields`` and ``name`` (``biorft.graders``), a
grader dict, or the path of a ``grader.json``. The local checks follow OpenAI's documented limits (see
[OpenAI's grader sandbox][openai-grader-sandbox]): a python grader's source is under 256 kB, parses, and defines
``grade(sample, item)``; a multi grader is ``{"type": "multi", "graders": {key: grader}, "calculate_output": expr}``
whose expression uses only its keys, ``+ - * / ^``, and ``min max abs floor ceil exp sqrt log``.

Examples:
    >>> p = grader_payload({"type": "python", "name": "exact",
    ...                     "source": "def grade(sample, item):\n    return float(item['target'] == 'x')"})
    >>> p.name, sorted(p.referenced_fields)
    ('exact', ['target'])
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from biorft.errors import GraderError
from biorft.export._validate import grader_item_fields

__all__ = ["MAX_PYTHON_SOURCE_BYTES", "GraderPayload", "check_grader", "grader_payload"]

MAX_PYTHON_SOURCE_BYTES = 256 * 1024  # "the provided code must be less than 256 kB in size"
GRADER_TYPES = frozenset({"python", "string_check", "text_similarity", "score_model", "label_model", "multi"})
STRING_CHECK_OPERATIONS = frozenset({"eq", "ne", "like", "ilike"})
FORMULA_FUNCTIONS = frozenset({"min", "max", "abs", "floor", "ceil", "exp", "sqrt", "log"})


@dataclass(frozen=True)
class GraderPayload:
    """A grader ready to send: its name, the exact dict, and the item fields it reads.

    Examples:
        >>> GraderPayload("g", {"type": "python"}, frozenset()).name
        'g'
    """

    name: str
    body: dict[str, Any]
    referenced_fields: frozenset[str]


def _check_formula(expr: str, keys: set[str], where: str) -> None:
    try:
        tree = ast.parse(expr.replace("^", "**"), mode="eval")
    except SyntaxError:
        raise GraderError(f"{where}.calculate_output {expr!r} does not parse") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Expression | ast.Load | ast.operator | ast.unaryop):
            if isinstance(node, ast.operator) and not isinstance(
                node, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow
            ):
                raise GraderError(f"{where}.calculate_output may use only + - * / ^, got {expr!r}")
            continue
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORMULA_FUNCTIONS:
            continue
        if isinstance(node, ast.Name):
            if node.id in keys or node.id in FORMULA_FUNCTIONS:
                continue
            raise GraderError(
                f"{where}.calculate_output uses {node.id!r}, which is not one of its graders {sorted(keys)}"
            )
        raise GraderError(
            f"{where}.calculate_output {expr!r} may use only the grader keys, numbers, + - * / ^ and "
            f"{sorted(FORMULA_FUNCTIONS)}"
        )


def _check_python(body: Mapping[str, Any], where: str) -> None:
    source = body.get("source")
    if not isinstance(source, str) or not source.strip():
        raise GraderError(f"{where}.source must be the python source text defining grade(sample, item)")
    size = len(source.encode("utf-8"))
    if size >= MAX_PYTHON_SOURCE_BYTES:
        raise GraderError(
            f"{where}.source is {size:,} bytes; OpenAI python graders must be under {MAX_PYTHON_SOURCE_BYTES:,} "
            "bytes (256 kB): move data out of the source or simplify the grader"
        )
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise GraderError(f"{where}.source does not parse: line {exc.lineno}: {exc.msg}") from None
    grades = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "grade"]
    if not grades:
        raise GraderError(f"{where}.source defines no top-level function grade(sample, item)")
    args = grades[-1].args
    positional = len(args.posonlyargs) + len(args.args)
    required = positional - len(args.defaults)
    if not (required <= 2 <= positional or args.vararg is not None):
        raise GraderError(f"{where}.source: grade must take two positional arguments (sample, item)")
    tag = body.get("image_tag")
    if tag is not None and not isinstance(tag, str):
        raise GraderError(f"{where}.image_tag must be a string such as '2025-05-08'")


def check_grader(body: Mapping[str, Any], where: str = "grader") -> None:
    r"""Check a grader dict against the documented RFT grader rules; raise naming the field at fault.

    Args:
        body: The grader dict.
        where: The path of this grader in the message (nested graders of a multi grader).

    Raises:
        GraderError: Naming the field and the fix.

    Examples:
        >>> check_grader({"type": "python", "name": "g", "source": "def grade(a):\n    return 1"})
        Traceback (most recent call last):
        ...
        biorft.errors.GraderError: grader.source: grade must take two positional arguments (sample, item)
    """
    if not isinstance(body, Mapping):
        raise GraderError(f"{where} must be a dict, got {type(body).__name__}")
    kind = body.get("type")
    if kind not in GRADER_TYPES:
        raise GraderError(f"{where}.type is {kind!r}; expected one of {sorted(GRADER_TYPES)}")
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise GraderError(f"{where}.name must be a non-empty string")
    if kind == "python":
        _check_python(body, where)
    elif kind == "string_check":
        if body.get("operation") not in STRING_CHECK_OPERATIONS:
            raise GraderError(f"{where}.operation must be one of {sorted(STRING_CHECK_OPERATIONS)}")
        for key in ("input", "reference"):
            if not isinstance(body.get(key), str):
                raise GraderError(f"{where}.{key} must be a template string such as '{{{{ item.target }}}}'")
    elif kind == "multi":
        graders = body.get("graders")
        if not isinstance(graders, Mapping) or not graders or "type" in graders:
            raise GraderError(f"{where}.graders must be a non-empty dict of named graders {{key: grader}}")
        for key, sub in graders.items():
            if not str(key).isidentifier():
                raise GraderError(f"{where}.graders key {key!r} must be an identifier usable in calculate_output")
            check_grader(sub, f"{where}.graders.{key}")
        expr = body.get("calculate_output")
        if not isinstance(expr, str) or not expr.strip():
            raise GraderError(f"{where}.calculate_output must be an expression over {sorted(graders)}")
        _check_formula(expr, {str(k) for k in graders}, where)
    try:
        json.dumps(body)
    except (TypeError, ValueError) as exc:
        raise GraderError(f"{where} is not JSON-serialisable: {exc}") from None


def grader_payload(grader: object) -> GraderPayload:
    """Turn a grader object, grader dict or ``grader.json`` path into a checked `GraderPayload`.

    Args:
        grader: Anything with ``to_openai()`` (and ``name`` / ``referenced_fields``), a dict, or a path.

    Returns:
        The payload; its ``body`` is sent unchanged.

    Raises:
        GraderError: When the grader cannot be read or breaks a documented rule.

    Examples:
        >>> grader_payload(42)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        biorft.errors.GraderError: cannot use a int as an RFT grader: pass a biorft grader ...
    """
    if hasattr(grader, "to_openai"):
        body = grader.to_openai()
        if not isinstance(body, Mapping):
            raise GraderError(f"{type(grader).__name__}.to_openai() returned {type(body).__name__}, not a dict")
        body = dict(body)
        fields = grader_item_fields(grader) if hasattr(grader, "referenced_fields") else grader_item_fields(body)
    elif isinstance(grader, str | Path):
        path = Path(grader)
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GraderError(f"cannot read the grader file {path}: {exc}") from None
        if not isinstance(loaded, dict):
            raise GraderError(f"{path} holds a JSON {type(loaded).__name__}, not a grader object")
        body, fields = loaded, grader_item_fields(loaded)
    elif isinstance(grader, Mapping):
        body = dict(grader)
        fields = grader_item_fields(body)
    else:
        raise GraderError(
            f"cannot use a {type(grader).__name__} as an RFT grader: pass a biorft grader "
            "(biorft.grader_for(spec)), a grader dict or the path of a grader.json"
        )
    check_grader(body)
    name = getattr(grader, "name", None)
    return GraderPayload(str(name) if isinstance(name, str) and name else str(body["name"]), body, fields)
