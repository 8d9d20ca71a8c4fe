"""biorft demo: the README's main command, end to end on the bundled data."""

from __future__ import annotations

import json
from types import SimpleNamespace

from biorft._demo import _check_parity, _pick_tasks
from tests.evaluation._helpers import TinyGrader, binary_spec, make_dataset


def test_demo_runs_offline_and_writes_the_report(tmp_path, capsys) -> None:
    from biorft._demo import run_demo
    from biorft.evaluation import EvalReport

    out = tmp_path / "demo"
    run_demo(out, max_molecules=400, n_boot=100)
    printed = capsys.readouterr().out
    report_md = (out / "report.md").read_text()
    sections = [line[4:] for line in report_md.splitlines() if line.startswith("### ")]
    assert sum(s.startswith("genes/") for s in sections) == 2
    assert sum(s.startswith("molecules/") for s in sections) == 2
    assert (out / "report.png").read_bytes()[:4] == b"\x89PNG"
    for task in sections:
        task_dir = out / task.replace("/", "__")
        for name in ("train.jsonl", "valid.jsonl", "test.jsonl", "grader.json"):
            assert (task_dir / "rft" / name).stat().st_size > 0, (task, name)
        reports = [EvalReport.from_json(p) for p in sorted((task_dir / "reports").glob("*.json"))]
        assert {r.model for r in reports} >= {"baseline:majority", "baseline:label_prior"}
        test_lines = (task_dir / "rft" / "test.jsonl").read_text().splitlines()
        assert all(r.n_examples == len(test_lines) for r in reports)
        assert task in printed
    assert printed.count("grader parity") == 4


def test_pick_tasks_prefers_the_named_tasks_and_mixes_kinds() -> None:
    def info(name: str, kind: str) -> SimpleNamespace:
        return SimpleNamespace(name=name, domain=name.split("/")[0], kind=kind)

    infos = [
        info("genes/a", "binary"),
        info("genes/dosage_sensitive_tfs", "binary"),
        info("genes/b", "binary"),
        info("molecules/m1", "binary"),
        info("molecules/m2", "binary"),
        info("molecules/m3", "regression"),
    ]
    assert _pick_tasks(infos) == ["genes/dosage_sensitive_tfs", "genes/a", "molecules/m1", "molecules/m3"]


SOURCE_OK = """
import json, re

def grade(sample, item):
    text = sample["output_text"] if isinstance(sample, dict) else str(sample)
    found = re.findall(r"(?im)^\\s*answer\\s*:\\s*(.+?)\\s*$", text)
    return 1.0 if found and found[-1].strip().casefold() == item["target"] else 0.0
"""


def test_parity_check_runs_the_source_in_a_subprocess_and_reports_differences(tmp_path) -> None:
    ds = make_dataset(binary_spec(), 6)
    grader = TinyGrader(ds.spec)
    cases = [
        {"sample": {"output_text": text}, "item": ex.item}
        for ex in ds.examples()
        for text in ("Answer: sensitive", "Answer: insensitive", "")
    ]
    assert _check_parity(grader, SOURCE_OK, cases, tmp_path) == []
    wrong = SOURCE_OK.replace("1.0 if", "0.5 if")
    mismatches = _check_parity(grader, wrong, cases, tmp_path)
    assert len(mismatches) == sum(grader(c["sample"], c["item"]) == 1.0 for c in cases) > 0
    assert "in-process 1.0 != exported 0.5" in mismatches[0]
    broken = _check_parity(grader, "raise RuntimeError('boom')", cases, tmp_path)
    assert len(broken) == 1
    assert "RuntimeError: boom" in broken[0]
    assert json.loads((tmp_path / "cases.json").read_text()) == cases
