r"""Check an OpenAI RFT JSONL file against the RFT data rules before anything is uploaded or paid for.

The rules (OpenAI's and Azure OpenAI's RFT guides; see [OpenAI's grader sandbox][openai-grader-sandbox]): one JSON
object per line; a ``messages`` list in chat format whose roles are ``system`` / ``developer`` / ``user`` only (no
``assistant`` turns: the model writes the answer during training) and whose **last message has role user**; every
other top-level field is the grader's ``item``, so every field the grader reads must be present on every line.

Problems name the 1-based line number and the field; nothing stops at the first problem, so one run lists
everything to fix.

Examples:
    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> rows = [{"messages": [{"role": "user", "content": "BBB+ or BBB-?"}], "target": "BBB+"},
    ...         {"messages": [{"role": "assistant", "content": "BBB+"}]}]
    >>> _ = (d / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    >>> report = validate_rft_jsonl(d / "train.jsonl", grader={"type": "string_check", "name": "g",
    ...     "operation": "eq", "input": "{{ sample.output_text }}", "reference": "{{ item.target }}"})
    >>> report.ok, report.n_lines
    (False, 2)
    >>> [(p.line, p.field) for p in report.problems]
    [(2, 'messages[0].role'), (2, 'messages'), (2, 'target')]
    >>> print(report.problems[-1])
    line 2: target: missing; the grader reads item['target'], so every line needs it
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from biorft.errors import DatasetError, GraderError

__all__ = ["RFTProblem", "RFTValidationReport", "grader_item_fields", "validate_rft_jsonl"]

ALLOWED_ROLES = frozenset({"system", "developer", "user"})
_TEMPLATE = re.compile(r"\{\{\s*item\.([A-Za-z_][A-Za-z0-9_]*)")
_DECLARATIONS = ("REQUIRED_FIELDS", "REFERENCED_FIELDS")  # declared item fields in a python grader, by priority


@dataclass(frozen=True)
class RFTProblem:
    """One problem in an RFT JSONL file.

    Attributes:
        line: 1-based line number; 0 for the file as a whole.
        field: The field at fault, e.g. ``"messages[1].role"`` or ``"target"``; empty for the line as a whole.
        message: What is wrong and what to do.

    Examples:
        >>> print(RFTProblem(3, "target", "missing"))
        line 3: target: missing
    """

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass(frozen=True)
class RFTValidationReport:
    """What [`validate_rft_jsonl`][biorft.export.validate_rft_jsonl] found in one file.

    Attributes:
        path: The file checked.
        n_lines: Number of non-empty lines (examples) read.
        problems: Rule violations; the file would be rejected or would break training.
        warnings: Suspicious but allowed (duplicate ids or prompts, null grader fields).
        referenced_fields: The item fields the grader reads, as checked.

    Examples:
        >>> RFTValidationReport(Path("x.jsonl"), 0, (), ()).ok
        True
    """

    path: Path
    n_lines: int
    problems: tuple[RFTProblem, ...]
    warnings: tuple[RFTProblem, ...]
    referenced_fields: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        """True when the file has no problems (warnings allowed)."""
        return not self.problems

    def raise_for_problems(self, limit: int = 5) -> None:
        """Raise [`DatasetError`][biorft.errors.DatasetError] listing the first ``limit`` problems when there are any.

        Args:
            limit: How many problems the message quotes.

        Raises:
            DatasetError: Naming the file, the count and the first problems with their line numbers.

        Examples:
            >>> RFTValidationReport(Path("ok.jsonl"), 3, (), ()).raise_for_problems()
        """
        if not self.problems:
            return
        shown = "; ".join(str(p) for p in self.problems[:limit])
        more = f" (and {len(self.problems) - limit} more)" if len(self.problems) > limit else ""
        raise DatasetError(
            f"{self.path}: {len(self.problems)} problem(s) in {self.n_lines} line(s) break the OpenAI RFT data "
            f"rules: {shown}{more}; run `biorft validate {self.path}` to list them all"
        )

    def __str__(self) -> str:
        head = f"{self.path}: {self.n_lines} line(s), {len(self.problems)} problem(s), {len(self.warnings)} warning(s)"
        return "\n".join([head, *(f"  {p}" for p in self.problems), *(f"  warning: {w}" for w in self.warnings)])


def _declared_fields(tree: ast.Module) -> set[str] | None:
    """The fields a grader source declares as a top-level list literal, else ``None``.

    biorft's exported graders write ``REQUIRED_FIELDS = ["target"]`` (and ``REFERENCED_FIELDS``, which includes the
    optional ones); a foreign grader may declare either. ``REQUIRED_FIELDS`` wins.
    """
    declared: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in _DECLARATIONS:
                try:
                    value = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
                if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                    declared[name] = set(value)
    for name in _DECLARATIONS:
        if name in declared:
            return declared[name]
    return None


def _python_item_fields(source: str) -> set[str]:
    """Keys a python grader needs on every item.

    A declaration (``REQUIRED_FIELDS = [...]``, else ``REFERENCED_FIELDS = [...]``, as biorft's exported graders
    write) is used as is; otherwise keys read with ``item["key"]`` are required and ``item.get("key")`` is optional.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise GraderError(f"python grader source does not parse: line {exc.lineno}: {exc.msg}") from None
    declared = _declared_fields(tree)
    if declared is not None:
        return declared
    names = {"item"}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "grade" and len(node.args.args) >= 2:
            names.add(node.args.args[1].arg)
    fields: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in names
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            fields.add(node.slice.value)
    return fields


def _dict_item_fields(grader: Mapping[str, Any]) -> set[str]:
    fields: set[str] = set()
    if grader.get("type") == "python" and isinstance(grader.get("source"), str):
        fields |= _python_item_fields(grader["source"])
    subs = grader.get("graders")
    if isinstance(subs, Mapping):
        children = list(subs.values()) if "type" not in subs else [subs]
        for child in children:
            if isinstance(child, Mapping):
                fields |= _dict_item_fields(child)

    def strings(value: Any) -> Iterable[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list | tuple):
            for v in value:
                yield from strings(v)

    for key, value in grader.items():
        if key not in ("source", "graders"):
            for text in strings(value):
                fields.update(_TEMPLATE.findall(text))
    return fields


def grader_item_fields(grader: object) -> frozenset[str]:
    r"""The item fields a grader needs on every line.

    A biorft grader says so itself: its exported source declares ``REQUIRED_FIELDS`` (the optional
    ``known_labels`` of a multilabel grader is not required); any other object with ``referenced_fields`` is taken
    at its word. For a grader dict (``grader.json``) the fields are read from ``{{ item.<field> }}`` templates and,
    for python graders, from the source's ``REQUIRED_FIELDS = [...]`` / ``REFERENCED_FIELDS = [...]`` declaration
    (biorft's exported graders carry one), else from ``item["<field>"]`` subscripts in the source
    (``item.get(...)`` marks an optional field and is not required). A ``str`` or `Path` is read
    as a ``grader.json`` file.

    Args:
        grader: A grader object, a grader dict, a path to ``grader.json``, or None.

    Returns:
        The field names (empty for None).

    Raises:
        GraderError: When the grader file cannot be read or its python source does not parse.

    Examples:
        >>> sorted(grader_item_fields({"type": "python", "name": "g",
        ...     "source": "def grade(sample, it):\n    return float(it['target'] == it.get('alias'))"}))
        ['target']
    """
    if grader is None:
        return frozenset()
    fields = getattr(grader, "referenced_fields", None)
    if fields is not None:
        to_source = getattr(grader, "to_source", None)
        if callable(to_source):
            try:
                declared = _declared_fields(ast.parse(str(to_source())))
            except (SyntaxError, ValueError):
                declared = None
            if declared is not None:
                return frozenset(declared)
        return frozenset(str(f) for f in fields)
    if isinstance(grader, str | Path):
        path = Path(grader)
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GraderError(
                f"cannot read the grader file {path}: {exc}; pass a grader.json written by "
                "biorft.export.openai_rft or a grader dict"
            ) from None
        if not isinstance(loaded, Mapping):
            raise GraderError(f"{path} holds a JSON {type(loaded).__name__}, not a grader object")
        return frozenset(_dict_item_fields(loaded))
    if isinstance(grader, Mapping):
        return frozenset(_dict_item_fields(grader))
    raise GraderError(
        f"cannot tell which item fields a {type(grader).__name__} reads: pass a biorft grader (with "
        "referenced_fields), a grader dict or the path of a grader.json"
    )


def _check_message(i: int, msg: Any, line: int, out: list[RFTProblem]) -> str | None:
    where = f"messages[{i}]"
    if not isinstance(msg, Mapping):
        out.append(RFTProblem(line, where, f"must be an object with 'role' and 'content', got {type(msg).__name__}"))
        return None
    role = msg.get("role")
    if not isinstance(role, str):
        out.append(RFTProblem(line, f"{where}.role", "missing or not a string"))
        return None
    if role not in ALLOWED_ROLES:
        if role == "assistant":
            why = (
                "role 'assistant' is not allowed in RFT data (no assistant turns: the model writes the answer "
                "during training; put the reference answer in an item field such as 'target')"
            )
        else:
            why = f"role {role!r} is not allowed in RFT data; use one of {sorted(ALLOWED_ROLES)}"
        out.append(RFTProblem(line, f"{where}.role", why))
    content = msg.get("content")
    if isinstance(content, str):
        if not content.strip():
            out.append(RFTProblem(line, f"{where}.content", "is empty"))
    elif isinstance(content, list):
        texts = [p.get("text") for p in content if isinstance(p, Mapping)]
        if not content or not all(isinstance(t, str) and t.strip() for t in texts) or len(texts) != len(content):
            out.append(RFTProblem(line, f"{where}.content", "content parts must be objects with non-empty 'text'"))
    else:
        out.append(RFTProblem(line, f"{where}.content", "missing, or neither a string nor a list of text parts"))
    return role


def _check_line(
    obj: Any, line: int, fields: frozenset[str], problems: list[RFTProblem], warnings: list[RFTProblem]
) -> None:
    if not isinstance(obj, Mapping):
        problems.append(RFTProblem(line, "", f"must be a JSON object, got {type(obj).__name__}"))
        return
    messages = obj.get("messages")
    if not isinstance(messages, list) or not messages:
        problems.append(RFTProblem(line, "messages", "missing or empty; each line needs a list of chat messages"))
    else:
        roles = [_check_message(i, m, line, problems) for i, m in enumerate(messages)]
        if roles[-1] is not None and roles[-1] != "user":
            problems.append(RFTProblem(line, "messages", f"the last message must have role 'user', got {roles[-1]!r}"))
    for name in sorted(fields):
        if name not in obj:
            problems.append(RFTProblem(line, name, f"missing; the grader reads item[{name!r}], so every line needs it"))
        elif obj[name] is None:
            warnings.append(RFTProblem(line, name, "is null; check that the grader handles a missing value"))


def validate_rft_jsonl(path: str | Path, grader: object = None) -> RFTValidationReport:
    r"""Check an RFT JSONL file line by line; collect every problem with its line number.

    Args:
        path: The JSONL file (``train.jsonl`` / ``valid.jsonl``).
        grader: Optional grader whose item fields must be on every line: a biorft grader, a grader dict, or the
            path of a ``grader.json`` (see `grader_item_fields`).

    Returns:
        The report; ``report.ok`` is False when any rule is broken, ``report.raise_for_problems()`` raises.

    Raises:
        DatasetError: When the file cannot be read at all.
        GraderError: When the grader cannot be read.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "valid.jsonl"
        >>> _ = p.write_text('{"messages": [{"role": "user", "content": "Is TP53 a TF?"}], "target": "yes"}\n')
        >>> validate_rft_jsonl(p, grader={"type": "python", "name": "g",
        ...     "source": "def grade(s, item):\n    return float(item['target'] in s['output_text'])"}).ok
        True
    """
    path = Path(path)
    fields = grader_item_fields(grader)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror or exc}; check the path") from None
    problems: list[RFTProblem] = []
    warnings: list[RFTProblem] = []
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the final newline ends the last line; it does not start a new one
    n = 0
    seen_ids: dict[str, int] = {}
    seen_prompts: dict[str, int] = {}
    for number, chunk in enumerate(lines, start=1):
        text_bytes = chunk[:-1] if chunk.endswith(b"\r") else chunk
        if not text_bytes.strip():
            problems.append(RFTProblem(number, "", "blank line; JSONL needs one JSON object on every line"))
            continue
        n += 1
        try:
            text = text_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(RFTProblem(number, "", f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8"))
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(RFTProblem(number, "", f"not valid JSON: {exc.msg} at column {exc.colno}"))
            continue
        _check_line(obj, number, fields, problems, warnings)
        if isinstance(obj, Mapping):
            ident = obj.get("id")
            if isinstance(ident, str | int) and not isinstance(ident, bool):
                first = seen_ids.setdefault(str(ident), number)
                if first != number:
                    warnings.append(RFTProblem(number, "id", f"duplicate id {ident!r} (first on line {first})"))
            if isinstance(obj.get("messages"), list):
                prompt = json.dumps(obj["messages"], sort_keys=True)
                first = seen_prompts.setdefault(prompt, number)
                if first != number:
                    warnings.append(RFTProblem(number, "messages", f"same prompt as line {first}"))
    if n == 0 and not problems:
        problems.append(RFTProblem(0, "", "no examples; an RFT file needs at least one line"))
    return RFTValidationReport(path, n, tuple(problems), tuple(warnings), fields)
