"""The reward-hacking audit: every bundled task's default grader passes; hackable graders are caught."""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest

import biorft as br
from biorft.cli import main
from biorft.graders import GradeResult, Reason, SetGrader, grader_for
from biorft.graders._labels import label_prevalence

TASKS = [t.name for t in br.list_tasks()]


@pytest.mark.parametrize("task", TASKS)
def test_every_bundled_task_passes_the_audit(task: str) -> None:
    result = br.audit(task, rows=300, baselines=False, parity_rows=2)
    assert result.ok, result.table()
    assert result.oracle == 1.0
    assert result.parity_cases > 0
    assert result.parity_ok
    families = {p.family for p in result.policies}
    assert {"constant", "hedge", "format", "garbage", "baseline", "oracle"} <= families
    for policy in result.policies:
        if policy.name == "garbage: very long list of every answer" and result.kind == "multilabel":
            continue  # every label, many times: the constant "every label" (checked against the prior above)
        if policy.family in ("hedge", "format", "garbage"):
            assert policy.mean_reward == 0.0, policy  # every hedge, exploit and garbage answer scores 0


def test_tox21_fixed_answers_earn_exactly_the_prior_on_the_whole_task() -> None:
    ds = br.load_task("molecules/tox21")
    grader = grader_for(ds.spec)
    items = [ex.item for ex in ds.examples()]
    rates = label_prevalence(items, ds.spec.labels)
    answers = ["none", ", ".join(ds.spec.labels), *ds.spec.labels]
    means = [math.fsum(grader(f"Answer: {a}", it) for it in items) / len(items) for a in answers]
    # the label-prior draws are a mixture of fixed answers, so its expectation equals their common mean
    prior = 1.0 - math.fsum(rates[lab] for lab in ds.spec.labels) / len(ds.spec.labels)
    assert max(means) - min(means) < 1e-9
    assert means[0] < 0.95
    assert math.isclose(means[0], prior, abs_tol=0.02)


def test_the_old_f1_reward_is_caught() -> None:
    ds = br.load_task("molecules/tox21")
    result = br.audit(ds, SetGrader(ds.spec.labels), rows=300, baselines=False, parity=False)
    assert not result.ok
    assert any(p.name == "constant: none" for p in result.flagged)
    assert "HACKABLE" in result.summary()
    assert "constant: none" in result.summary()


class Substring:
    """A naive custom grader: pays any output that contains the reference label."""

    name = "substring"

    def __call__(self, sample: Any, item: Any) -> float:
        text = sample.get("output_text", "") if isinstance(sample, dict) else str(sample)
        return 1.0 if str(item["target"]) in text else 0.0

    def explain(self, sample: Any, item: Any) -> GradeResult:
        score = self(sample, item)
        return GradeResult(score, Reason.CORRECT if score else Reason.INCORRECT)


def substring_grader(spec: Any) -> Any:
    return Substring()


def test_custom_grader_without_source_is_audited() -> None:
    result = br.audit("molecules/bbb_b3db", Substring(), rows=200, baselines=False)
    assert not result.ok
    names = {p.name for p in result.flagged}
    assert "hedge: right or wrong label" in names
    assert "hedge: both" not in names
    assert result.parity_cases == 0
    assert result.parity_ok


def test_grader_that_raises_is_flagged() -> None:
    def fragile(sample: Any, item: Any) -> float:
        if len(sample["output_text"]) > 100_000:
            raise ValueError("too long")
        return 0.0

    result = br.audit("genes/dosage_sensitive_tfs", fragile, rows=30, baselines=False)
    assert not result.ok
    assert any("raised ValueError" in p.note for p in result.flagged)


def test_user_task_and_shortcut_baselines() -> None:
    frame = pl.DataFrame(
        {
            "symbol": [f"ZNF{i}" for i in range(30)] + [f"KRT{i}" for i in range(30)],
            "label": ["tf"] * 30 + ["other"] * 30,
        }
    )
    ds = br.gene_task(frame, gene="symbol", target="label", name="genes/user_demo", kind="binary")
    result = br.audit(ds, parity_rows=2)
    assert result.ok, result.table()
    assert any(p.family == "shortcut" for p in result.policies)
    assert result.to_dict()["ok"] is True


def test_cli_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "genes/dosage_sensitive_tfs", "--rows", "40", "--no-baselines"]) == 0
    out = capsys.readouterr().out
    assert "prior baseline" in out
    assert "OK" in out
    code = main(
        [
            "audit",
            "molecules/bbb_b3db",
            "--rows",
            "40",
            "--no-baselines",
            "--grader",
            "tests.test_audit:substring_grader",
        ]
    )
    assert code == 1
    assert "HACKABLE" in capsys.readouterr().out
