from __future__ import annotations

import hashlib
import json
import pathlib

import pytest
from tests.export.conftest import StubGrader

from biorft import export
from biorft.datasets import load_task
from biorft.errors import DatasetError
from biorft.schema import DatasetCard


@pytest.mark.parametrize("task", ["molecules/tox21", "genes/bivalent_vs_lys4_only", "molecules/solubility_aqsoldb"])
def test_round_trip(task: str, tmp_path: pathlib.Path, stub_grader: StubGrader) -> None:
    ds = load_task(task)
    if len(ds) > 600:
        ds = ds.head(600)
    splits = ds.split("random", seed=0)
    paths = export.openai_rft(splits, tmp_path, grader=stub_grader)
    for name, part in splits:
        lines = export.read_openai_rft(paths[name])
        expected = list(part.examples())
        assert len(lines) == len(expected)
        for line, ex in zip(lines, expected, strict=True):
            assert line["messages"] == ex.messages
            assert {k: v for k, v in line.items() if k != "messages"} == ex.item
            assert line["messages"][-1]["role"] == "user"
            assert all(m["role"] != "assistant" for m in line["messages"])
    assert json.loads(paths["grader"].read_text()) == stub_grader.to_openai()
    card = DatasetCard.model_validate_json(paths["card"].read_text())
    assert card.splits == splits.stats


def test_lines_score_with_the_exported_grader(tmp_path: pathlib.Path, stub_grader: StubGrader) -> None:
    """The item the grader gets (line minus messages) is enough to score (docs/concepts/openai_sandbox.md)."""
    splits = load_task("molecules/bbb_b3db").head(60).split("random")
    paths = export.openai_rft(splits, tmp_path, grader=stub_grader)
    namespace: dict[str, object] = {}
    exec(json.loads(paths["grader"].read_text())["source"], namespace)
    grade = namespace["grade"]
    for line in export.read_openai_rft(paths["train"]):
        item = {k: v for k, v in line.items() if k != "messages"}
        assert grade({"output_text": f"reasoning...\nAnswer: {item['target']}"}, item) == 1.0  # type: ignore[operator]
        other = "BBB-" if item["target"] == "BBB+" else "BBB+"
        assert grade({"output_text": f"Answer: {other}"}, item) == 0.0  # type: ignore[operator]


def test_deterministic_bytes(tmp_path: pathlib.Path, stub_grader: StubGrader) -> None:
    ds = load_task("genes/dosage_sensitive_tfs")
    for sub in ("a", "b"):
        export.openai_rft(ds.split("cold", seed=5), tmp_path / sub, grader=stub_grader)
    for name in ("train.jsonl", "valid.jsonl", "test.jsonl", "grader.json", "card.json"):
        a = hashlib.sha256((tmp_path / "a" / name).read_bytes()).hexdigest()
        assert a == hashlib.sha256((tmp_path / "b" / name).read_bytes()).hexdigest(), name


def test_missing_referenced_field_is_refused(tmp_path: pathlib.Path) -> None:
    splits = load_task("molecules/bbb_b3db").head(30).split("random")
    with pytest.raises(DatasetError, match=r"lacks item field\(s\) \['reference_smiles'\] that grader 'stub-exact'"):
        export.openai_rft(splits, tmp_path, grader=StubGrader(frozenset({"target", "reference_smiles"})))
    # known_labels is optional: only multilabel examples carry it
    export.openai_rft(splits, tmp_path, grader=StubGrader(frozenset({"target", "known_labels"})))


def test_empty_valid_refused(tmp_path: pathlib.Path, stub_grader: StubGrader) -> None:
    splits = load_task("molecules/bbb_b3db").head(30).split("random", fractions=(0.9, 0.0, 0.1))
    with pytest.raises(DatasetError, match="non-empty training and validation"):
        export.openai_rft(splits, tmp_path, grader=stub_grader)


def test_not_splits_refused(tmp_path: pathlib.Path, stub_grader: StubGrader) -> None:
    with pytest.raises(DatasetError, match="needs a Splits object"):
        export.openai_rft(load_task("molecules/bbb_b3db"), tmp_path, grader=stub_grader)  # type: ignore[arg-type]


def test_default_grader_is_the_tasks_grader(tmp_path: pathlib.Path) -> None:
    from biorft.graders import grader_for

    splits = load_task("molecules/bbb_b3db").head(30).split("random")
    paths = export.openai_rft(splits, tmp_path)
    assert json.loads(paths["grader"].read_text()) == grader_for(splits.spec).to_openai()


def test_unwritable_output(tmp_path: pathlib.Path, stub_grader: StubGrader) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatasetError, match="cannot create output folder"):
        export.openai_rft(load_task("molecules/bbb_b3db").head(30).split("random"), blocker / "sub", grader=stub_grader)


def test_read_reports_line_numbers(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"messages": []}\n{oops\n')
    with pytest.raises(DatasetError, match=r"x.jsonl:2: not valid JSON"):
        export.read_openai_rft(p)
