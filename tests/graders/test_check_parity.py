"""check_parity: the exported source in a clean interpreter against the in-process grader."""

from __future__ import annotations

import json
from pathlib import Path

from biorft.graders import LabelGrader, check_parity
from tests.evaluation._helpers import TinyGrader, binary_spec, make_dataset

SOURCE_OK = """
import json, re

def grade(sample, item):
    text = sample["output_text"] if isinstance(sample, dict) else str(sample)
    found = re.findall(r"(?im)^\\s*answer\\s*:\\s*(.+?)\\s*$", text)
    return 1.0 if found and found[-1].strip().casefold() == item["target"] else 0.0
"""


def test_check_parity_runs_the_source_in_a_subprocess_and_reports_differences(tmp_path: Path) -> None:
    ds = make_dataset(binary_spec(), 6)
    grader = TinyGrader(ds.spec)
    cases = [
        {"sample": {"output_text": text}, "item": ex.item}
        for ex in ds.examples()
        for text in ("Answer: sensitive", "Answer: insensitive", "")
    ]
    ok = check_parity(grader, cases, source=SOURCE_OK, workdir=tmp_path)
    assert ok.ok
    assert ok.mismatches == ()
    assert ok.n_identical == len(cases)
    wrong = SOURCE_OK.replace("1.0 if", "0.5 if")
    report = check_parity(grader, cases, source=wrong, workdir=tmp_path)
    assert not report.ok
    assert len(report.mismatches) == sum(grader(c["sample"], c["item"]) == 1.0 for c in cases) > 0
    assert "in-process 1.0 != exported 0.5" in str(report.mismatches[0])
    broken = check_parity(grader, cases, source="raise RuntimeError('boom')", workdir=tmp_path)
    assert not broken.ok
    assert broken.error is not None
    assert "RuntimeError: boom" in broken.error
    assert json.loads((tmp_path / "cases.json").read_text()) == cases


def test_check_parity_refuses_a_source_that_imports_biorft() -> None:
    grader = LabelGrader(["a", "b"])
    cases = [{"sample": {"output_text": "Answer: a"}, "item": {"id": "1", "target": "a"}}]
    assert check_parity(grader, cases).ok  # the real export is self-contained
    leaning = grader.to_source() + "\nimport biorft\n"
    report = check_parity(grader, cases, source=leaning)
    assert report.error is not None
    assert "imported biorft" in report.error
