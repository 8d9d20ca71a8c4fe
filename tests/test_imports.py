"""The import graph: no cycle between biorft's subpackages and modules, and light imports stay light.

Two checks: a static one over the source (every ``import`` / ``from ... import`` of a biorft module, at module level
or inside a function, except those under ``if TYPE_CHECKING:``), folded to the top-level units of the package
(``biorft.graders``, ``biorft.chem``, ...), must be acyclic; and importing each subpackage in a fresh interpreter
loads only the subpackages it depends on (``import biorft.evaluation`` never loads ``biorft.backends``).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import biorft

SRC = Path(biorft.__file__).resolve().parent


def _unit(module: str) -> str | None:
    """``biorft.graders._rt.molecules`` -> ``graders``; the package root itself is no unit."""
    parts = module.split(".")
    if parts[0] != "biorft" or len(parts) < 2:
        return None
    return parts[1]


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def import_graph() -> dict[str, set[str]]:
    """Unit -> the units its modules import (statically, TYPE_CHECKING imports left out)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        name = _module_name(path)
        unit = _unit(name) if name != "biorft" else None
        if unit is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _type_checking_lines(tree)
        targets: set[str] = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets.add(node.module)
                targets.update(f"{node.module}.{alias.name}" for alias in node.names)
        units = {
            u for t in targets if (u := _unit(t)) is not None and ((SRC / u).is_dir() or (SRC / f"{u}.py").exists())
        }
        graph.setdefault(unit, set()).update(units - {unit})
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_between_units() -> None:
    graph = import_graph()
    assert {"graders", "rewards", "backends", "evaluation", "export", "datasets", "chem"} <= set(graph)
    cycle = _cycle(graph)
    assert cycle is None, f"import cycle: {' -> '.join(cycle or [])}"


def test_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_rewards_and_backends_depend_one_way() -> None:
    graph = import_graph()
    assert "backends" not in graph["rewards"]
    assert "rewards" not in graph["backends"]
    assert "backends" not in graph["evaluation"]


LOADED = """
import json, sys, importlib
importlib.import_module(sys.argv[1])
print(json.dumps(sorted({n.split(".")[1] for n in sys.modules if n.startswith("biorft.")})))
"""


@pytest.mark.parametrize(
    ("module", "never"),
    [
        ("biorft.evaluation", {"backends", "datasets", "export", "rewards", "baselines"}),
        ("biorft.graders", {"backends", "datasets", "evaluation", "export", "rewards", "chem"}),
        ("biorft.rewards", {"backends", "datasets", "evaluation", "export"}),
        ("biorft.export", {"backends", "evaluation", "rewards"}),
        ("biorft.datasets", {"backends", "evaluation", "export", "graders", "rewards"}),
        ("biorft.backends", {"evaluation", "rewards", "graders", "export"}),
        ("biorft", {"backends", "evaluation", "graders", "datasets", "export", "rewards"}),
    ],
)
def test_fresh_import_loads_only_what_it_needs(module: str, never: set[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", LOADED, module], capture_output=True, text=True, check=True, cwd=SRC.parent
    )
    loaded = set(json.loads(out.stdout))
    assert not loaded & never, f"import {module} loads {sorted(loaded & never)}"
