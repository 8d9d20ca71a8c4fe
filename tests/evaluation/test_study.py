"""The study table: model x task matrix of primary metrics, seeds as mean +/- sd, baselines and reference rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from biorft.evaluation import EvalRecord, EvalReport, study_table
from biorft.schema import TaskSpec

REG = TaskSpec(
    name="tdc/caco2_wang",
    domain="molecules",
    kind="regression",
    tolerance=0.5,
    instructions="?",
    metadata={"primary_metric": "mae"},
)
BIN = TaskSpec(
    name="tdc/herg",
    domain="molecules",
    kind="binary",
    labels=("blocker", "non-blocker"),
    positive_label="blocker",
    instructions="?",
    metadata={"primary_metric": "auroc"},
)


def regression(model: str, err: float, source: str = "endpoint") -> EvalReport:
    recs = [
        EvalRecord(id=str(i), sample=0, output_text="", score=1.0, reason="correct", answer=i + err * (-1) ** i,
                   target=float(i))
        for i in range(20)
    ]  # fmt: skip
    return EvalReport.from_records(REG, model, recs, n_boot=100, source=source)


def binary(model: str, flip: int, source: str = "endpoint") -> EvalReport:
    recs = []
    for i in range(20):
        target = "blocker" if i % 2 else "non-blocker"
        answer = target if i >= flip else ("non-blocker" if target == "blocker" else "blocker")
        recs.append(
            EvalRecord(id=str(i), sample=0, output_text="", score=float(answer == target), reason="correct",
                       answer=answer, target=target, confidence=0.6 + i / 100)
        )  # fmt: skip
    return EvalReport.from_records(BIN, model, recs, n_boot=100, source=source)


def test_seeds_become_mean_and_population_sd_and_single_runs_keep_their_ci() -> None:
    seeds = [regression("llm", e) for e in (0.2, 0.3, 0.4)]
    table = study_table([*seeds, regression("baseline:desc_gbm", 0.5, "baseline")], references=False)
    cell = table.cells[("llm", "tdc/caco2_wang")]
    assert cell.n_runs == 3
    assert cell.value == pytest.approx(np.mean([0.2, 0.3, 0.4]))
    assert cell.sd == pytest.approx(np.std([0.2, 0.3, 0.4]))
    single = table.cells[("baseline:desc_gbm", "tdc/caco2_wang")]
    assert (single.value, single.sd, single.n_runs) == (pytest.approx(0.5), None, 1)
    assert single.ci_low is not None
    assert table.kinds == {"llm": "model", "baseline:desc_gbm": "baseline"}
    assert table.best("tdc/caco2_wang") == "llm"  # MAE: lower is better


def test_reference_rows_in_the_primary_metric_and_best_ignores_them() -> None:
    table = study_table([binary("llm", 4), binary("baseline:majority", 10, "baseline"), regression("llm", 0.3)])
    assert table.tasks == ("tdc/herg", "tdc/caco2_wang")
    refs = [r for r in table.rows if table.kinds[r] == "reference"]
    assert "ref: Random Forest (Oloren AI)" in refs
    assert table.cells[("ref: RDKit2D + MLP (DeepPurpose)", "tdc/herg")].value == pytest.approx(0.841)
    assert table.rows[: len(table.rows) - len(refs)] == ("llm", "baseline:majority")
    assert table.best("tdc/herg") == "llm"
    md = table.markdown()
    assert "tdc/herg (auroc, higher is better)" in md
    assert "0.841 +/- 0.020" in md
    rows = list(csv.DictReader(io.StringIO(table.csv())))
    assert {r["kind"] for r in rows} == {"model", "baseline", "reference"}
    assert len(rows) == len(table.cells)


def test_save_writes_markdown_csv_and_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    table = study_table([binary("llm", 3), regression("llm", 0.3), regression("baseline:esol", 0.9, "baseline")])
    paths = table.save(tmp_path)
    assert paths["markdown"].read_text().startswith("| row | kind |")
    assert paths["plot"].stat().st_size > 1000
    assert paths["csv"].read_text().splitlines()[0].startswith("task,metric,row,kind")
