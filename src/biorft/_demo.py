"""The offline end-to-end demo behind ``biorft demo``.

On the bundled data, for two gene and two molecule tasks: take the task's canonical split (``ds.split()``, molecule
parts sampled down) and check it for leakage, export the OpenAI RFT files, check that the exported grader source
scores the test split exactly as the in-process grader does (run in a separate Python process), evaluate the non-LLM
baselines through the graders, and write a comparison report (Markdown table and PNG plot) under the output folder.

Gene tasks are small (a test split of 13-49 genes gives intervals of +/-0.2-0.3), so their baselines are
cross-validated over 5 family folds instead: fitted per fold, every gene predicted once, intervals over all genes.
Their reports include the shortcut baselines that read only the gene's name (``baseline:gene_knn``, symbol
n-grams) and its family (``baseline:family_rule``).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from biorft._version import __version__

__all__ = ["run_demo"]

_GENE_PREFERRED = ("genes/dosage_sensitive_tfs", "genes/bivalent_vs_no_methylation")
_MOLECULE_PREFERRED = ("molecules/bbb_b3db", "molecules/solubility_aqsoldb")
_EXTRA_SAMPLES = ("", "I cannot tell.", "Answer:", '{"answer": null}', "Answer: yes or no\n")


def _pick_tasks(infos: Sequence[Any]) -> list[str]:
    """Two gene tasks and two molecule tasks (a classification and a regression one when there are both)."""
    genes = [i for i in infos if str(i.domain) == "genes"]
    molecules = [i for i in infos if str(i.domain) == "molecules"]

    def choose(pool: list[Any], preferred: Sequence[str], kinds: Sequence[Sequence[str]]) -> list[str]:
        kind_of = {i.name: str(i.kind) for i in pool}
        chosen = [n for n in preferred if n in kind_of][:2]
        for wanted in kinds:  # then one task of each kind group not represented yet
            if len(chosen) < 2 and not any(kind_of[n] in wanted for n in chosen):
                chosen += [n for n in kind_of if kind_of[n] in wanted and n not in chosen][:1]
        chosen += [n for n in kind_of if n not in chosen][: 2 - len(chosen)]
        return chosen

    picked = choose(genes, _GENE_PREFERRED, [("binary", "multiclass"), ("regression", "multilabel")])
    picked += choose(molecules, _MOLECULE_PREFERRED, [("binary",), ("regression",), ("multiclass", "multilabel")])
    return picked


def run_demo(out: Path, *, max_molecules: int = 2000, n_boot: int = 1000, seed: int = 0) -> None:
    """Run the demo and write its outputs under ``out``.

    Args:
        out: Output folder, created if missing.
        max_molecules: Examples drawn from each molecule task (the bundled ones hold up to ~10,000), to stay fast.
        n_boot: Bootstrap resamples for the confidence intervals.
        seed: Seed of the example draw, the splits, the baselines and the bootstrap.

    Raises:
        GraderError: When an exported grader does not score like the in-process grader.
    """
    import biorft as br
    from biorft.baselines import FingerprintForest, for_task
    from biorft.errors import GraderError
    from biorft.graders import check_parity

    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    print(f"biorft {__version__} demo: writing to {out}/")
    reports = []
    for name in _pick_tasks(br.list_tasks()):
        ds = br.load_task(name)
        spec = ds.spec
        is_gene = str(spec.domain) == "genes"
        splits = ds.split()  # the task's canonical split, as every entry point
        if str(spec.domain) == "molecules":
            splits = splits.sample(max_molecules, seed=seed)
        splits.check_leakage()
        folds = ds.folds(k=5, method="family", seed=seed) if is_gene else None
        if folds is not None:
            folds.check_leakage()
        task_dir = out / name.replace("/", "__")
        br.export.openai_rft(splits, task_dir / "rft")

        grader = br.grader_for(spec)
        exported = json.loads((task_dir / "rft" / "grader.json").read_text(encoding="utf-8"))
        source = exported["source"] if exported.get("type") == "python" else grader.to_source()

        baselines = [
            FingerprintForest(n_estimators=100, seed=seed) if isinstance(b, FingerprintForest) else b
            for b in for_task(spec, seed=seed)
        ]
        task_reports = []
        for baseline in baselines:
            if folds is not None:
                report = baseline.cross_validate(folds, grader, n_boot=n_boot, seed=seed)
            else:
                report = baseline.fit(splits.train).evaluate(splits.test, grader, n_boot=n_boot, seed=seed)
            report.to_json(task_dir / "reports" / f"{baseline.name.split(':')[-1]}.json", indent=1)
            task_reports.append(report)
        reports += task_reports

        # every baseline answer for each test example, plus outputs a grader must survive
        answers: dict[str, set[str]] = {}
        for report in task_reports:
            for record in report.records:
                answers.setdefault(record.id, set()).add(record.output_text)
        cases = [
            {"sample": {"output_text": text}, "item": ex.item}
            for ex in splits.test.examples()
            for text in sorted(answers.get(ex.id, set()) | set(_EXTRA_SAMPLES))
        ]
        parity = check_parity(grader, cases, source=source)
        if parity.error is not None:
            raise GraderError(f"{name}: {parity}")
        if parity.mismatches:
            raise GraderError(
                f"{name}: the exported grader scores {len(parity.mismatches)} of {len(cases)} cases differently "
                f"from the in-process grader, e.g. {parity.mismatches[0]}"
            )

        sizes = "/".join(str(len(part)) for _, part in splits)
        best = max(task_reports, key=lambda r: _finite(r.metrics[r.primary_metric].value))
        print(
            f"  {name}: canonical {splits.stats.method} split {sizes} (train/valid/test), RFT files exported, "
            f"grader parity {len(cases)}/{len(cases)} cases"
        )
        if folds is not None:
            print(f"    baselines: 5 family folds, every gene predicted once (test sizes {folds.sizes})")
        print(f"    best baseline {best.model}: {best.summary().split(': ', 1)[1]}")
        shortcuts = [r for r in task_reports if r.params.get("kind") == "shortcut"]
        for r in shortcuts:
            print(f"    shortcut {r.model}: {r.summary().split(': ', 1)[1]}")

    comparison = br.compare(reports, n_boot=n_boot, seed=seed)
    header = (
        f"# biorft demo\n\nbiorft {__version__}: non-LLM baselines on the test splits (gene tasks: pooled over 5 "
        "family folds, every gene predicted once), scored by each task's grader; 95% bootstrap CIs over test "
        "examples. The first row of each task is the reference for the paired differences. Shortcut rows (models "
        "that read only the gene's name or family): "
        + (", ".join(sorted({r.model for r in reports if r.params.get("kind") == "shortcut"})) or "none")
        + ".\n\n"
    )
    (out / "report.md").write_text(header + comparison.table(), encoding="utf-8")
    comparison.plot(out / "report.png")
    print(f"report: {out / 'report.md'}, {out / 'report.png'} ({time.perf_counter() - t0:.0f} s)")


def _finite(x: float) -> float:
    return x if math.isfinite(x) else -math.inf
