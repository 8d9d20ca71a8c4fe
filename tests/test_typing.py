"""The top-level API is typed for users' type checkers, although ``import biorft`` loads every name lazily.

A downstream script is type-checked as a user's project would be (``mypy --strict``; pyright when installed): it
passes, ``reveal_type`` shows real types for every name in ``biorft.__all__``, and a misuse is reported.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import biorft

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

pytestmark = pytest.mark.slow

GOOD = textwrap.dedent(
    """\
    from __future__ import annotations

    import biorft as br


    def best_tasks(prefix: str) -> list[str]:
        return [info.name for info in br.list_tasks() if info.name.startswith(prefix)]


    def score(task: str, answer: str) -> float:
        ds: br.TaskDataset = br.load_task(task)
        splits: br.Splits = ds.split()
        spec: br.TaskSpec = splits.test.spec
        grader: br.Grader = br.grader_for(spec)
        result: br.GradeResult = grader.explain(answer, br.reference_item(spec, splits.test.to_examples()[0]))
        return result.score


    def run(task: str) -> br.EvalReport:
        try:
            return br.evaluate(br.load_task(task), "o4-mini", base_url="http://127.0.0.1:9/v1", n_boot=0)
        except br.BiorftError as err:
            raise SystemExit(str(err)) from err
    """
)

BAD = textwrap.dedent(
    """\
    import biorft as br

    br.load_task(42)
    br.evaluate(br.load_task("genes/dosage_sensitive_tfs"), model=3)
    n: int = br.grader_for(br.load_task("x").spec)
    """
)


def _reveal_script() -> str:
    lines = ["import biorft as br", ""]
    lines += [f"reveal_type(br.{name})" for name in biorft.__all__]
    return "\n".join(lines) + "\n"


def _mypy(directory: Path, scripts: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on ``scripts`` as a user's project sees biorft: installed, so its own code is not checked."""
    for name, text in scripts.items():
        (directory / name).write_text(text)
    (directory / "mypy.ini").write_text("[mypy]\nstrict = True\n\n[mypy-biorft.*]\nignore_errors = True\n")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir", str(directory / ".mypy"), *scripts],
        cwd=directory,
        env={**os.environ, "MYPYPATH": str(SRC)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _untyped(revealed: dict[str, str]) -> dict[str, str]:
    """Names whose type, or whose return type, is ``Any``."""
    return {name: t for name, t in revealed.items() if t == "Any" or t.endswith("-> Any")}


@pytest.fixture(scope="module")
def mypy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy")  # one cache for the three runs


def test_the_type_checking_imports_match_the_lazy_table() -> None:
    tree = ast.parse((SRC / "biorft" / "__init__.py").read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    seen: dict[str, tuple[str, str | None]] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        assert node.module is not None
        for alias in node.names:
            assert alias.asname == alias.name, "import X as X marks an explicit re-export"
            if node.module == "biorft":
                seen[alias.name] = (f"biorft.{alias.name}", None)
            else:
                seen[alias.name] = (node.module, alias.name)
    assert seen == biorft._LAZY


def test_a_downstream_script_type_checks_under_mypy_strict_with_real_types(mypy_dir: Path) -> None:
    result = _mypy(mypy_dir, {"good.py": GOOD, "reveal.py": _reveal_script()})
    assert ": error:" not in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    revealed = re.findall(r'reveal.py:\d+: note: Revealed type is "(.*)"', result.stdout)
    assert len(revealed) == len(biorft.__all__), result.stdout + result.stderr
    named = dict(zip(biorft.__all__, revealed, strict=True))
    assert not _untyped(named)
    assert named["load_task"] == "def (name: str, version: str | None =) -> biorft.datasets._dataset.TaskDataset"
    assert named["evaluate"].startswith("def (data: biorft.graders._io.PromptedData, model: str")
    assert named["evaluate"].endswith("-> biorft.evaluation._report.EvalReport")
    assert named["grader_for"].endswith("-> biorft.graders._base.Grader")
    assert named["__version__"] == "str"
    assert named["graders"] == "types.ModuleType"


def test_misuse_is_reported_by_mypy(mypy_dir: Path) -> None:
    result = _mypy(mypy_dir, {"bad.py": BAD})
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Argument 1 to "load_task" has incompatible type "int"' in result.stdout
    assert 'Argument "model" to "evaluate" has incompatible type "int"' in result.stdout
    assert 'Incompatible types in assignment (expression has type "Grader"' in result.stdout


def _pyright() -> list[str] | None:
    exe = shutil.which("pyright")
    return [exe] if exe else None


@pytest.mark.skipif(
    _pyright() is None,
    reason="pyright is not installed (it is in the dev extra: pip install 'pyright[nodejs]', which bundles node)",
)
def test_a_downstream_script_type_checks_under_pyright_strict_with_real_types(tmp_path: Path) -> None:
    command = _pyright()
    assert command is not None
    (tmp_path / "reveal.py").write_text(_reveal_script())
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "bad.py").write_text(BAD)
    config = {"extraPaths": [str(SRC)], "typeCheckingMode": "strict", "pythonVersion": "3.10"}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))

    def diagnostics(*files: str) -> list[dict[str, Any]]:
        out = subprocess.run(
            [*command, "--outputjson", *files], cwd=tmp_path, capture_output=True, text=True, timeout=600
        )
        found: list[dict[str, Any]] = json.loads(out.stdout)["generalDiagnostics"]
        return found

    checked = diagnostics("good.py", "reveal.py")
    assert not [d for d in checked if d["severity"] != "information"], checked
    revealed = [d["message"] for d in checked if Path(d["file"]).name == "reveal.py"]
    assert len(revealed) == len(biorft.__all__), revealed
    named = dict(
        zip(biorft.__all__, (re.sub(r'^Type of "br\.\w+" is "(.*)"$', r"\1", m) for m in revealed), strict=True)
    )
    assert not _untyped(named)
    assert named["load_task"] == "(name: str, version: str | None = None) -> TaskDataset"
    assert named["grader_for"] == "(spec: TaskSpec, **options: Any) -> Grader"
    assert named["evaluate"].endswith("-> EvalReport")

    errors = [d for d in diagnostics("bad.py") if d["severity"] == "error"]
    assert {d["range"]["start"]["line"] for d in errors} == {2, 3, 4}, errors
