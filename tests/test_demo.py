"""biorft demo: the README's main command, end to end on the bundled data."""

from __future__ import annotations

from types import SimpleNamespace

from biorft._demo import _pick_tasks
from biorft.datasets import load_task


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
        if task.startswith("genes/"):
            # 5 family folds pooled: every gene predicted once; the shortcut rows are there and marked
            assert all(r.n_examples == len(load_task(task)) for r in reports)
            shortcuts = {r.model for r in reports if r.params.get("kind") == "shortcut"}
            assert shortcuts == {"baseline:gene_knn", "baseline:family_rule"}
            assert all(r.params["folds"]["method"] == "family" for r in reports)
        else:
            assert all(r.n_examples == len(test_lines) for r in reports)
        assert task in printed
    assert printed.count("grader parity") == 4
    gene_sections = report_md.split("### genes/")[1:]
    assert all("baseline:gene_knn" in sec and "baseline:family_rule" in sec for sec in gene_sections)
    assert "Shortcut rows" in report_md
    assert printed.count("shortcut baseline:gene_knn") == 2


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
