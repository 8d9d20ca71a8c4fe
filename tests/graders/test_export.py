from __future__ import annotations

import ast
import json
import pickle
import sys

import pytest
from openai.types.graders import MultiGraderParam, PythonGraderParam
from pydantic import TypeAdapter

from biorft.errors import GraderError
from biorft.graders import OPENAI_IMAGE_TAG, OPENAI_SOURCE_LIMIT, LabelGrader, _export
from tests.graders.catalogue import catalogue

GRADERS = catalogue()


@pytest.mark.parametrize("key", sorted(GRADERS))
def test_to_openai_is_a_python_grader_param(key: str) -> None:
    d = GRADERS[key].to_openai()
    assert (
        PythonGraderParam.__required_keys__
        <= set(d)
        <= PythonGraderParam.__required_keys__ | PythonGraderParam.__optional_keys__
    )
    assert TypeAdapter(PythonGraderParam).validate_python(d) == d
    assert (d["type"], d["name"], d["image_tag"]) == ("python", GRADERS[key].name, OPENAI_IMAGE_TAG)
    assert len(d["source"].encode()) < OPENAI_SOURCE_LIMIT
    assert d["source"] == GRADERS[key].to_source()
    # Not a multi grader: the composition lives inside the one python grader.
    assert set(d) != set(MultiGraderParam.__required_keys__)


@pytest.mark.parametrize("key", sorted(GRADERS))
def test_exported_source_imports_only_stdlib_and_rdkit(key: str) -> None:
    tree = ast.parse(GRADERS[key].to_source())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert modules - set(sys.stdlib_module_names) <= {"rdkit"}
    assert "biorft" not in modules


def test_exported_config_is_the_grader_config() -> None:
    g = GRADERS["weighted"]
    ns: dict[str, object] = {}
    exec(compile(g.to_source(), "g.py", "exec"), ns)
    assert ns["CONFIG"] == g.config
    assert (
        ns["explain"]("Answer: sensitive", {"target": "sensitive"})["reason"]
        == g.explain(  # type: ignore[operator]
            "Answer: sensitive", {"target": "sensitive"}
        ).reason.value
    )


def test_grade_returns_zero_on_unexpected_errors() -> None:
    ns: dict[str, object] = {}
    exec(compile(LabelGrader(["a", "b"]).to_source(), "g.py", "exec"), ns)

    def boom(*args: object) -> object:
        raise RuntimeError("boom")

    ns["evaluate"] = boom
    assert ns["grade"]({"output_text": "Answer: a"}, {"target": "a"}) == 0.0  # type: ignore[operator]


def test_internal_errors_score_zero_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from biorft.graders._rt import engine

    g = LabelGrader(["a", "b"])

    def boom(sample: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "extract", boom)
    result = g.explain("Answer: a", {"target": "a"})
    assert (result.score, result.reason.value) == (0.0, "grader_error")
    assert "boom" in result.detail


def test_source_over_the_limit_raises() -> None:
    labels = [f"label-{i:06d}-" + "x" * 40 for i in range(5000)]
    g = LabelGrader(labels, name="huge")
    assert len(g.to_source().encode()) > OPENAI_SOURCE_LIMIT
    with pytest.raises(GraderError, match=r"huge.*256000"):
        g.to_openai()


def test_runtime_name_clash_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = {"text": "def helper():\n    return 1\n", "extract": "from typing import Any\nhelper = 2\n"}
    monkeypatch.setattr(_export, "MODULES", ("text", "extract"))
    monkeypatch.setattr(_export, "_module_text", lambda name: texts[name])
    with pytest.raises(GraderError, match="both define 'helper'"):
        _export.runtime_source.__wrapped__()


def test_runtime_imports_between_modules_are_removed() -> None:
    text = "from __future__ import annotations\n\nfrom biorft.graders._rt.text import (\n    clip,\n)\nX = clip\n"
    assert _export._strip_module("m", text).strip() == "X = clip"
    with pytest.raises(GraderError, match=r"from ... import"):
        _export._strip_module("m", "import biorft.graders._rt.text\n")


def test_graders_pickle() -> None:
    for g in GRADERS.values():
        clone = pickle.loads(pickle.dumps(g))
        assert clone.config == g.config
        assert clone.referenced_fields == g.referenced_fields
        assert clone("Answer: BBB+", {"target": "BBB+"}) == g("Answer: BBB+", {"target": "BBB+"})
        assert repr(clone) == repr(g)


def test_configuration_must_be_json() -> None:
    from biorft.graders import Grader

    with pytest.raises(GraderError, match="JSON"):
        Grader({"type": "format", "name": "x", "sources": ["line"], "mode": "strict", "bad": float("nan")})
    assert json.loads(json.dumps(GRADERS["gate"].config)) == GRADERS["gate"].config
    with pytest.raises(GraderError, match="invalid grader configuration"):
        Grader({"type": "nonsense", "name": "x"})
    with pytest.raises(GraderError, match="invalid grader configuration"):
        Grader({"type": "label", "name": "x"})
    rebuilt = Grader(GRADERS["weighted"].config)
    assert rebuilt("Answer: sensitive", {"target": "sensitive"}) == GRADERS["weighted"](
        "Answer: sensitive", {"target": "sensitive"}
    )


def test_importing_graders_and_rewards_stays_light() -> None:
    import subprocess

    code = (
        "import sys, biorft.graders, biorft.rewards; heavy = [m for m in ('rdkit', 'polars', 'openai', 'numpy', "
        "'torch', 'trl') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"importing biorft.graders pulled in: {out}"
