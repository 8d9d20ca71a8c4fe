"""EvalReport: JSON round trip, Markdown, plots; compare() tables and plots."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from biorft.errors import ArgumentError
from biorft.evaluation import Comparison, EvalRecord, EvalReport, ReportError, compare, grade_outputs
from tests.evaluation._helpers import (
    TinyGrader,
    binary_spec,
    make_dataset,
    multiclass_spec,
    multilabel_spec,
    regression_spec,
)


def report_for(spec, answer_of, n: int = 30, model: str = "m") -> EvalReport:
    ds = make_dataset(spec, n)
    outputs = [{"id": ex.id, "output_text": answer_of(i, ex)} for i, ex in enumerate(ds.examples())]
    return grade_outputs(ds, outputs, TinyGrader(spec), model=model, n_boot=100)


def binary_report(model: str = "m", wrong_every: int = 4) -> EvalReport:
    def answer(i, ex):
        t = ex.item["target"]
        label = t if i % wrong_every else ("insensitive" if t == "sensitive" else "sensitive")
        return f'{{"answer": "{label}", "confidence": {0.55 + (i % 5) / 10}}}'

    return report_for(binary_spec(), answer, model=model)


def all_kinds() -> list[EvalReport]:
    return [
        binary_report(),
        report_for(multiclass_spec(), lambda i, ex: f"Answer: {ex.item['target'] if i % 3 else 'a'}"),
        report_for(multilabel_spec(), lambda i, ex: '{"answer": ' + str(ex.item["target"][:1]).replace("'", '"') + "}"),
        report_for(
            regression_spec(), lambda i, ex: "Answer: n/a" if i == 0 else f"Answer: {ex.item['target'] + 0.4 * (i % 3)}"
        ),
    ]


def test_json_round_trip_keeps_everything(tmp_path) -> None:
    for report in all_kinds():
        back = EvalReport.from_json(report.to_json())
        assert back == report
        report.to_json(tmp_path / "report.json")
        assert EvalReport.from_json(tmp_path / "report.json") == report
        assert EvalReport.from_json(tmp_path) == report  # a folder holding report.json


def test_from_json_rejects_other_files(tmp_path) -> None:
    with pytest.raises(ValueError, match="not a biorft evaluation report"):
        EvalReport.from_json('{"a": 1}')
    with pytest.raises(ValueError, match="no such report file"):
        EvalReport.from_json(tmp_path / "missing.json")


def test_table_lists_metrics_with_cis_and_counts() -> None:
    report = binary_report()
    table = report.table()
    assert table.startswith("### genes/tiny_binary · `m`")
    assert "30 examples × 1 sample" in table
    acc = report.metrics["accuracy"]
    assert f"| accuracy | {acc.value:.3f} | {acc.ci_low:.3f} – {acc.ci_high:.3f} | 30 |" in table
    assert "| AUROC |" in table
    assert "| reason: correct |" in table
    assert report.summary().startswith("genes/tiny_binary · m: balanced accuracy")


def test_confusion_matrix_counts_every_output() -> None:
    report = report_for(binary_spec(), lambda i, ex: "no idea" if i < 3 else f"Answer: {ex.item['target']}")
    labels, matrix = report.confusion_matrix()
    assert labels == ["sensitive", "insensitive", "(no answer)"]
    assert sum(map(sum, matrix)) == 30
    assert sum(row[2] for row in matrix) == 3
    with pytest.raises(ValueError, match="binary or multiclass"):
        all_kinds()[3].confusion_matrix()


def test_plots_are_written_for_every_kind(tmp_path) -> None:
    for i, report in enumerate(all_kinds()):
        path = report.plot(tmp_path / f"r{i}.png")
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = all_kinds()[0].save(tmp_path / "out")
    assert set(saved) == {"json", "markdown", "plot"}
    assert (tmp_path / "out" / "report.md").read_text().startswith("###")


def test_plot_without_matplotlib_names_the_extra(tmp_path) -> None:
    code = f"""
import sys
sys.modules["matplotlib"] = None  # as if the plot extra were not installed
from biorft.errors import MissingDependencyError
from biorft.evaluation import EvalRecord, EvalReport
from biorft.schema import TaskSpec
spec = TaskSpec(name="t", domain="other", kind="binary", labels=("a", "b"), instructions="x")
r = EvalReport.from_records(spec, "m", [EvalRecord(id="1", sample=0, output_text="", score=1, reason="c",
                            answer="a", target="a")], n_boot=0)
try:
    r.plot({str(tmp_path / "x.png")!r})
except MissingDependencyError as e:
    print(e)
print(sorted(r.save({str(tmp_path / "out")!r})))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'biorft[plot]'" in proc.stdout
    assert "['json', 'markdown']" in proc.stdout
    # save() still writes the JSON and Markdown, and says why the PNG is missing instead of skipping it silently
    assert f"{tmp_path / 'out' / 'report.png'} not written" in proc.stderr
    assert "matplotlib" in proc.stderr


def test_compare_side_by_side_with_paired_differences(tmp_path) -> None:
    weak = binary_report("weak", wrong_every=2)
    strong = binary_report("strong", wrong_every=10)
    other_task = report_for(regression_spec(), lambda i, ex: f"Answer: {ex.item['target']}")
    cmp = compare([weak, strong, other_task], n_boot=200)
    assert isinstance(cmp, Comparison)
    assert [g.task for g in cmp.groups] == ["genes/tiny_binary", "molecules/tiny_logs"]
    diff = cmp.groups[0].differences[1]["accuracy"]
    expected = strong.metrics["accuracy"].value - weak.metrics["accuracy"].value
    assert diff.value == pytest.approx(expected)
    assert diff.excludes(0.0)
    table = cmp.table()
    assert "| `weak` | model | 30 |" in table
    assert "Paired differences vs `weak`" in table
    assert f"{expected:+.3f}" in table
    assert "*" in table.split("Paired differences")[1]
    assert "### molecules/tiny_logs" in table
    assert cmp.groups[1].differences == ({},)
    png = cmp.plot(tmp_path / "cmp.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="at least one"):
        compare([])


def test_from_records_with_failures_lists_them() -> None:
    spec = binary_spec()
    rec = EvalRecord(id="1", sample=0, output_text="", score=0.0, reason="no_answer", target="sensitive")
    report = EvalReport.from_records(
        spec, "m", [rec], failures=[{"id": "2", "sample": 0, "error": "HTTP 500"}], n_boot=0
    )
    assert "1 request(s) failed and are not scored** (excluded from every metric" in report.table()
    assert "2#0" in report.table()
    assert math.isnan(report.metrics["accuracy"].ci_low)


def test_report_json_validates_against_the_published_schema_and_round_trips(tmp_path) -> None:
    import jsonschema

    from biorft.cli import main
    from biorft.evaluation import report_json_schema

    schema_file = tmp_path / "schema.json"
    assert main(["report", "--schema", str(schema_file)]) == 0
    schema = json.loads(schema_file.read_text())
    assert schema == json.loads(json.dumps(report_json_schema()))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    spec = binary_spec()
    recs = [
        EvalRecord(
            id="1",
            sample=0,
            output_text="Answer: sensitive",
            score=1.0,
            reason="correct",
            answer="sensitive",
            target="sensitive",
            confidence=0.9,
            latency_s=0.1,
            finish_reason="stop",
        ),
        EvalRecord(id="2", sample=0, output_text="", score=0.0, reason="no_answer", target="insensitive"),
    ]
    report = EvalReport.from_records(
        spec, "m", recs, failures=[{"id": "3", "sample": 0, "error": "HTTP 500", "attempts": 7}], n_boot=0, seed=3
    )
    report.save(tmp_path / "out", plot=False)
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["metrics"]["auroc"]["ci_low"] is None  # NaN is null in JSON, valid under the schema
    validator.validate(data)
    loaded = EvalReport.from_json(tmp_path / "out")
    assert loaded == report
    assert loaded.model_dump(mode="json") == data
    broken = dict(data, records=[{**data["records"][0], "score": 2.0}])
    assert list(validator.iter_errors(broken))
    with pytest.raises(ReportError, match=r"field records\.0\.score"):
        EvalReport.from_json(json.dumps(broken))


def test_version_1_reports_still_load(tmp_path) -> None:
    report = binary_report("old", wrong_every=3)
    data = report.to_dict()
    data.update(format_version=1)
    del data["kind"], data["sample"], data["task"]
    loaded = EvalReport.from_json(json.dumps(data))
    assert loaded.metrics == report.metrics
    assert loaded.kind == "model"
    assert loaded.task == report.task


def test_comparison_rows_say_their_kind_and_references_are_never_runs() -> None:
    from biorft.schema import ReferenceResult

    model = binary_report("gpt-x", wrong_every=4)
    base = binary_report("label-prior", wrong_every=2).model_copy(update={"kind": "baseline"})
    shortcut = binary_report("name-only", wrong_every=3).model_copy(update={"kind": "shortcut"})
    refs = [
        ReferenceResult(
            model="Geneformer",
            metric="auroc",
            value=0.91,
            sd=0.02,
            protocol="5-fold CV",
            citation="Theodoris et al. 2023",
        ),
        ReferenceResult(model="Unpublished", metric="accuracy", value=None, citation="none", note="no number found"),
    ]
    cmp = compare([model, base, shortcut], references=refs, n_boot=50)
    table = cmp.table()
    assert "| model | kind | n |" in table
    assert "| `gpt-x` | model |" in table
    assert "| `label-prior` | baseline |" in table
    assert "| `name-only` | shortcut |" in table
    assert "| Geneformer [1] | reference | – |" in table
    assert "0.910 ± 0.020" in table
    assert "| Unpublished [2] | reference | – |" in table
    assert "[1] Geneformer: AUROC; 5-fold CV; Theodoris et al. 2023" in table
    diffs = table.split("Paired differences")[1]
    assert "Geneformer" not in diffs  # a published number has no outputs to pair
    assert len(cmp.groups[0].differences) == 3
    with pytest.raises(ArgumentError, match="mapping"):
        compare([model, report_for(regression_spec(), lambda i, ex: "Answer: 1")], references=refs)
    assert "(shortcut)" in shortcut.table().splitlines()[0]


def test_baseline_reports_default_to_the_baseline_kind() -> None:
    spec = binary_spec()
    rec = EvalRecord(
        id="1", sample=0, output_text="", score=1.0, reason="correct", answer="sensitive", target="sensitive"
    )
    assert EvalReport.from_records(spec, "b", [rec], source="baseline", n_boot=0).kind == "baseline"
    assert EvalReport.from_records(spec, "m", [rec], n_boot=0).kind == "model"
