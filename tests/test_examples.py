"""Every script in examples/ runs as a user runs it: a subprocess in a temporary folder.

Offline examples run as they are; the endpoint examples run against the local fake OpenAI server
(tests/fakes/openai_server.py) through ``--base-url``, which answers each prompt with the right answer for model
``oracle`` (and fine-tuned models) and with a non-answer for every other model. A file in examples/ without a test
here fails ``test_every_example_file_has_a_test``.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import biorft as br
from biorft.chem import murcko_scaffold, parse
from biorft.datasets import gene_family
from tests.fakes._rft import rft_state
from tests.fakes.openai_server import FakeOpenAI

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
ALL_FILES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_file())
SCRIPTS = [name for name in ALL_FILES if name.endswith(".py")]
ENDPOINT_EXAMPLES = ["evaluate_endpoint.py", "openai_rft.py", "reproduce_study.py"]
API_KEY = "sk-examples-test-key-0123456789"

COVERED: set[str] = set()


def covers(*names: str) -> Callable[[Any], Any]:
    """Mark a test as running the given example scripts (the discovery check reads this)."""
    COVERED.update(names)
    return lambda fn: fn


def run(
    name: str, *args: str, cwd: Path, key: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``examples/<name>`` in ``cwd`` with a clean environment (no OpenAI settings unless ``key``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env.update({"BIORFT_CACHE_DIR": str(cwd / ".biorft-cache"), "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"})
    if key is not None:
        env["OPENAI_API_KEY"] = key
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if key is not None:
        assert key not in proc.stdout + proc.stderr, "an example printed the API key"
    return proc


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, (
        f"exit {proc.returncode}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    )
    assert "Traceback" not in proc.stderr
    return proc.stdout


def assert_outputs_git_ignored(folder: Path, *inputs: str) -> None:
    """Everything an example wrote into its working folder is ignored by the repository's .gitignore.

    ``inputs`` are files the test put there itself; ``.biorft-cache`` is the test's cache folder.
    """
    if not (REPO / ".git").exists():  # an unpacked sdist: no repository to ask
        return
    written = [p for p in folder.iterdir() if p.name not in {*inputs, ".biorft-cache"}]
    assert written, "the example wrote nothing into its working folder"
    queries = [f"{p.name}/x" if p.is_dir() else p.name for p in written]
    proc = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "--no-index", "--stdin"],
        input="\n".join(queries),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert sorted(set(queries) - set(proc.stdout.split())) == [], "add these example outputs to .gitignore"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def load_module(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------------------------
# the fake endpoint: right answers for "oracle" and fine-tuned models, a non-answer for every other model


def answer_text(target: Any) -> str:
    if isinstance(target, list):
        return ", ".join(target) or "none"
    return str(target)


@pytest.fixture(scope="module")
def reference_answers() -> dict[tuple[str, str], str]:
    """(system prompt, user prompt) of every bundled example -> its reference answer."""
    return {
        (ex.messages[0]["content"], ex.messages[-1]["content"]): answer_text(ex.item["target"])
        for info in br.list_tasks()
        for ex in br.load_task(info.name).examples()
    }


@pytest.fixture
def fake(reference_answers: dict[tuple[str, str], str]) -> Iterator[FakeOpenAI]:
    def answer(body: dict[str, Any]) -> str:
        messages = body["messages"]
        if body["model"] == "oracle" or body["model"].startswith("ft:"):
            truth = reference_answers[(messages[0]["content"], messages[-1]["content"])]
            return f"Reasoning about the entity...\nAnswer: {truth}"
        return "I cannot tell."

    with FakeOpenAI(answer) as server:
        rft_state(server).api_key = API_KEY  # the examples must send the key from OPENAI_API_KEY
        server.state["answer"] = answer
        yield server


def chat_requests(fake: FakeOpenAI) -> list[dict[str, Any]]:
    return [r.json() for r in fake.requests if r.path.endswith("/chat/completions")]


# ---------------------------------------------------------------------------------------------------------------
# static checks on every file in examples/


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_example_file_has_a_test(name: str) -> None:
    assert name in COVERED, f"examples/{name} has no test in tests/test_examples.py: add one (see covers())"


def test_every_data_file_is_used_by_an_example() -> None:
    sources = "".join((EXAMPLES / s).read_text(encoding="utf-8") for s in SCRIPTS)
    data = sorted(p.name for p in (EXAMPLES / "data").iterdir())
    assert data
    assert [name for name in data if name not in sources] == []


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_says_what_it_shows_and_how_to_run_it(name: str) -> None:
    tree = ast.parse((EXAMPLES / name).read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc, f"examples/{name} needs a module docstring"
    assert "What it shows" in doc
    assert f"python examples/{name}" in doc, "the docstring shows the command line"
    main = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
    assert main, "examples define main(argv) -> int, run under if __name__ == '__main__'"


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_uses_only_the_public_api(name: str) -> None:
    tree = ast.parse((EXAMPLES / name).read_text(encoding="utf-8"))
    private = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        private += [m for m in modules if m.startswith("biorft") and any(p.startswith("_") for p in m.split("."))]
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            private.append(ast.unparse(node))
    assert private == []


@covers(*ENDPOINT_EXAMPLES)
@pytest.mark.parametrize("name", ENDPOINT_EXAMPLES)
def test_endpoint_example_without_key_or_url_says_what_to_set(name: str, tmp_path: Path) -> None:
    proc = run(name, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "OPENAI_API_KEY" in lines[0]
    assert "--base-url" in lines[0]
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == [], "nothing is written before the endpoint check"


# ---------------------------------------------------------------------------------------------------------------
# offline examples


@covers("grade_outputs.py")
def test_grade_outputs_demo_reasons_match_the_grader(tmp_path: Path) -> None:
    out = ok(run("grade_outputs.py", "--out", "graded", cwd=tmp_path))
    lines = read_jsonl(tmp_path / "outputs.jsonl")
    assert len(lines) == 24
    ds = br.load_task("molecules/bbb_b3db")
    grader = br.grader_for(ds.spec)
    items = {ex.id: ex.item for ex in ds.examples()}
    targets = [items[o["id"]]["target"] for o in lines]
    assert targets.count("BBB+") == targets.count("BBB-") == 12, "the demo outputs cover both labels"
    expected = [grader.explain({"output_text": o["output_text"]}, items[o["id"]]) for o in lines]
    counts: dict[str, int] = {}
    for r in expected:
        counts[r.reason.value] = counts.get(r.reason.value, 0) + 1
    assert {"correct", "incorrect", "hedged", "no_answer"} <= set(counts)
    for reason, n in counts.items():
        assert f"| {reason} | {n} |" in out
    report = json.loads((tmp_path / "graded" / "report.json").read_text(encoding="utf-8"))
    assert report["metrics"]["mean_reward"]["value"] == pytest.approx(sum(r.score for r in expected) / 24)
    # a useful illustration: both labels predicted, confidences that rank, so MCC and AUROC are defined and positive
    assert report["metrics"]["mcc"]["value"] > 0.2
    assert report["metrics"]["auroc"]["value"] > 0.6
    assert "| MCC | 0." in out
    assert "| AUROC | 0." in out
    assert (tmp_path / "graded" / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_outputs_git_ignored(tmp_path)


@covers("grade_outputs.py")
def test_grade_outputs_reads_your_file_and_names_a_bad_line(tmp_path: Path) -> None:
    ds = br.load_task("genes/dosage_sensitive_tfs")
    a, b, c = ds.ids[:3]
    target = {ex.id: ex.item["target"] for ex in ds.head(3).examples()}
    mine = tmp_path / "mine.jsonl"
    rows = [
        {"id": a, "output_text": f"Answer: {target[a]}"},
        {"id": b, "output_text": "Answer: dosage-sensitive or dosage-insensitive"},
        {"id": c, "output_text": '{"answer": null}'},
    ]
    mine.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = ok(run("grade_outputs.py", "--task", ds.name, "--outputs", "mine.jsonl", cwd=tmp_path))
    for reason in ("correct", "hedged", "no_answer"):
        assert f"| {reason} | 1 | 33% |" in out
    assert not (tmp_path / "outputs.jsonl").exists()

    mine.write_text(mine.read_text() + json.dumps({"id": "no-such-gene", "output_text": "x"}) + "\n")
    proc = run("grade_outputs.py", "--task", ds.name, "--outputs", "mine.jsonl", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "line 4" in proc.stderr
    assert "no-such-gene" in proc.stderr


def split_ids(folder: Path) -> dict[str, list[str]]:
    return {part: [row["id"] for row in read_jsonl(folder / f"{part}.jsonl")] for part in ("train", "valid", "test")}


def check_exports(out: Path, n_kept: int, labels: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The three export formats are complete, disjoint, well-formed, and verl's reward.py scores them."""
    rft = out / "openai_rft"
    ids = split_ids(rft)
    assert sum(len(v) for v in ids.values()) == n_kept
    assert len(set().union(*ids.values())) == n_kept, "an example in two parts"
    rows = {part: read_jsonl(rft / f"{part}.jsonl") for part in ids}
    for part_rows in rows.values():
        for row in part_rows:
            assert row["messages"][-1]["role"] == "user"
            assert row["target"] in labels
    assert json.loads((rft / "grader.json").read_text())["type"] == "python"
    assert split_ids(out / "trl") == ids  # TRL rows carry the same ids (and fields)
    assert read_jsonl(out / "trl" / "train.jsonl")[0]["prompt"] == rows["train"][0]["messages"]
    reward = load_module(out / "verl" / "reward.py")
    verl_test = pl.read_parquet(out / "verl" / "test.parquet").to_dicts()
    assert [r["extra_info"]["id"] for r in verl_test] == ids["test"]
    for r in verl_test:
        truth = r["reward_model"]["ground_truth"]
        wrong = next(label for label in labels if label != truth)
        assert reward.compute_score(r["data_source"], f"Answer: {truth}", truth, r["extra_info"]) == 1.0
        assert reward.compute_score(r["data_source"], f"Answer: {wrong}", truth, r["extra_info"]) == 0.0
    return rows


@covers("build_molecule_task.py")
def test_build_molecule_task_accounts_for_every_row_and_exports_a_scaffold_split(tmp_path: Path) -> None:
    out = ok(run("build_molecule_task.py", cwd=tmp_path))
    with (EXAMPLES / "data" / "bbb_drugs.csv").open(newline="") as fh:
        source = list(csv.DictReader(fh))
    card = json.loads((tmp_path / "bbb_task" / "openai_rft" / "card.json").read_text())
    assert card["n_rows_in"] == len(source)
    assert card["n_rows_in"] == card["n_kept"] + card["n_quarantined"]
    reasons = {source[q["row"]]["name"]: q["reason"] for q in card["quarantined"]}
    assert set(reasons) == {
        "caffeine (Kekule SMILES)",
        "furosemide sodium",
        "nicotine (second source)",
        "nicotine (third source)",
        "truncated ring",
        "typo in SMILES",
        "not a molecule",
        "label missing",
        "label unclear",
    }
    assert "duplicate of 'caffeine'" in reasons["caffeine (Kekule SMILES)"]
    assert "duplicate of 'furosemide'" in reasons["furosemide sodium"]  # the salt standardised to the parent
    assert "majority 'BBB+' kept" in reasons["nicotine (third source)"]
    assert all("invalid SMILES" in reasons[n] for n in ("truncated ring", "typo in SMILES", "not a molecule"))
    assert f"{len(source)} rows in, {card['n_kept']} molecules kept" in out

    rows = check_exports(tmp_path / "bbb_task", card["n_kept"], {"BBB+", "BBB-"})
    entity = {r["id"]: r["entity"] for part in rows.values() for r in part}
    assert "." not in entity["chlorpromazine hydrochloride"]  # counter-ion stripped
    assert entity["nicotine"] == "CN1CCC[C@H]1c1cccnc1"
    scaffolds = {part: {murcko_scaffold(parse(r["entity"])) for r in part_rows} for part, part_rows in rows.items()}
    assert not scaffolds["train"] & scaffolds["test"]
    assert not scaffolds["train"] & scaffolds["valid"]
    assert not scaffolds["valid"] & scaffolds["test"]
    assert_outputs_git_ignored(tmp_path)


@covers("build_gene_task.py")
def test_build_gene_task_resolves_mixed_identifiers_and_exports_a_family_split(tmp_path: Path) -> None:
    out = ok(run("build_gene_task.py", cwd=tmp_path))
    with (EXAMPLES / "data" / "tf_genes.csv").open(newline="") as fh:
        source = list(csv.DictReader(fh))
    card = json.loads((tmp_path / "tf_task" / "openai_rft" / "card.json").read_text())
    assert card["n_rows_in"] == len(source) == card["n_kept"] + card["n_quarantined"]
    reasons: dict[str, list[str]] = {}
    for q in card["quarantined"]:
        reasons.setdefault(source[q["row"]]["gene"], []).append(q["reason"])
    assert sorted(reasons) == [
        "CDK6",
        "ENSG00000141510",
        "ENSG00000999999",
        "NOTAGENE1",
        "STAT3",
        "gapdh",
    ]
    assert len(reasons["STAT3"]) == 2
    assert all("conflicting labels" in r for r in reasons["STAT3"])
    assert all("unknown" in reasons[g][0] for g in ("NOTAGENE1", "ENSG00000999999"))
    assert "OCT4                 -> POU5F1" in out  # aliases resolve to current symbols
    assert "HER2                 -> ERBB2" in out
    assert reasons["CDK6"] == ["missing target"]
    assert "duplicate of 'ENSG00000111640'" in reasons["gapdh"][0]
    assert "ENSG00000159216.19   -> RUNX1" in out

    rows = check_exports(tmp_path / "tf_task", card["n_kept"], {"TF", "non-TF"})
    entity = {r["id"]: r["entity"] for part in rows.values() for r in part}
    assert entity["ENSG00000136826"] == "KLF4"
    assert entity["ENSG00000159216"] == "RUNX1"
    assert "STAT3" not in entity.values()
    assert entity["ENSG00000204531"] == "POU5F1"
    genes = {part: {r["entity"] for r in part_rows} for part, part_rows in rows.items()}
    assert not genes["train"] & genes["test"]
    assert not genes["train"] & genes["valid"]
    families = {part: {gene_family(g) for g in part_genes} for part, part_genes in genes.items()}
    assert not families["train"] & families["test"]
    assert not families["train"] & families["valid"]
    assert not families["valid"] & families["test"]
    assert_outputs_git_ignored(tmp_path)


@covers("custom_grader.py")
def test_custom_grader_exports_a_grader_that_scores_as_documented(tmp_path: Path) -> None:
    out = ok(run("custom_grader.py", cwd=tmp_path))
    assert "parity: 200/200 outputs scored identically" in out
    exported = json.loads((tmp_path / "custom_grader" / "grader.json").read_text())
    assert exported["type"] == "python"
    assert exported["name"] == "logs_json_tolerance"
    grade = load_module(tmp_path / "custom_grader" / "exported_grader.py").grade
    item = {"target": -2.0}
    assert grade({"output_text": '{"answer": -2.3}'}, item) == 1.0  # within 0.5
    assert grade({"output_text": '{"answer": -3.5}'}, item) == pytest.approx(0.0)  # 1.5 off: linear to 0
    assert grade({"output_text": '{"answer": -3.0}'}, item) == pytest.approx(0.5)  # 1.0 off: halfway
    assert grade({"output_text": "Answer: -2.0"}, item) == 0.0  # right number, not JSON: gated
    assert grade({"output_text": '{"answer": 42}'}, item) == 0.0  # outside the plausible range
    assert "| format_error |" in out
    assert "| out_of_range |" in out
    assert_outputs_git_ignored(tmp_path)


# ---------------------------------------------------------------------------------------------------------------
# endpoint examples against the fake server


@covers("evaluate_endpoint.py")
def test_evaluate_endpoint_grades_the_test_split_and_rescoring_uses_the_cache(tmp_path: Path, fake: FakeOpenAI) -> None:
    args = ("--base-url", fake.base_url, "--model", "oracle", "--task", "genes/dosage_sensitive_tfs", "--limit", "120")
    out = ok(run("evaluate_endpoint.py", *args, cwd=tmp_path, key=API_KEY))
    run_dir = tmp_path / "runs" / "genes_dosage_sensitive_tfs" / "oracle"
    report = json.loads((run_dir / "report.json").read_text())
    n = len(report["records"])
    assert n >= 10
    assert report["metrics"]["mean_reward"]["value"] == 1.0
    assert [r["model"] for r in chat_requests(fake)] == ["oracle"] * n
    assert all(r.headers.get("authorization") == f"Bearer {API_KEY}" for r in fake.requests)
    assert API_KEY not in out
    assert (run_dir / "responses.jsonl").exists()
    assert (run_dir / "report.png").exists()

    # the same command again: everything from the cache, no request
    out2 = ok(run("evaluate_endpoint.py", *args, cwd=tmp_path, key=API_KEY))
    assert len(chat_requests(fake)) == n
    assert "requests: 0 sent" in out2
    assert json.loads((run_dir / "report.json").read_text())["metrics"] == report["metrics"]

    # a model that never answers scores 0, and a local endpoint needs no key
    ok(run("evaluate_endpoint.py", *args[:2], "--model", "mute", *args[4:], cwd=tmp_path))
    mute = json.loads((tmp_path / "runs" / "genes_dosage_sensitive_tfs" / "mute" / "report.json").read_text())
    assert mute["metrics"]["mean_reward"]["value"] == 0.0
    assert sorted(r["id"] for r in mute["records"]) == sorted(r["id"] for r in report["records"])
    assert_outputs_git_ignored(tmp_path)


@covers("openai_rft.py", "evaluate_endpoint.py")
def test_openai_rft_dry_run_then_submit_watch_and_evaluate(tmp_path: Path, fake: FakeOpenAI) -> None:
    state = rft_state(fake)
    common = ("--base-url", fake.base_url, "--task", "genes/dosage_sensitive_tfs", "--limit", "200")

    # dry run: no key, no request; the local checks, then the request that would create the job
    out = ok(run("openai_rft.py", *common, "--dry-run", "--hp", "n_epochs=2", cwd=tmp_path))
    assert fake.requests == []
    assert "uploaded:" not in out
    assert "dry run: no file uploaded and no job created" in out
    request = json.loads(out[out.index("{") :])
    assert request["model"] == "o4-mini-2025-04-16"
    assert request["method"]["type"] == "reinforcement"
    assert request["method"]["reinforcement"]["hyperparameters"] == {"n_epochs": 2, "reasoning_effort": "medium"}
    for role, name in (("training_file", "train.jsonl"), ("validation_file", "valid.jsonl")):
        digest = hashlib.sha256((tmp_path / "rft" / name).read_bytes()).hexdigest()
        assert request[role] == f"<upload of {name}, sha256 {digest}>"
        assert f"{name} (" in out
        assert "would be uploaded" in out
    # the same dry run with a key set sends nothing either
    again = ok(run("openai_rft.py", *common, "--dry-run", "--hp", "n_epochs=2", cwd=tmp_path, key=API_KEY))
    assert json.loads(again[again.index("{") :])["training_file"] == request["training_file"]
    assert fake.requests == []

    # the real run: grader checked and run by the service, files uploaded, the job created, watched to the end
    out = ok(
        run(
            "openai_rft.py",
            *common,
            "--hp",
            "n_epochs=2",
            "--suffix",
            "tfs",
            "--poll",
            "0.01",
            cwd=tmp_path,
            key=API_KEY,
        )
    )
    assert fake.count("/v1/fine_tuning/alpha/graders/validate") == 1
    assert len(state.graders_run) == 2
    uploaded = {f.id: f.content for f in state.files.values()}
    assert len(uploaded) == 2
    (job,) = state.jobs.values()
    assert job.status == "succeeded"
    assert uploaded[job.body["training_file"]] == (tmp_path / "rft" / "train.jsonl").read_bytes()
    assert uploaded[job.body["validation_file"]] == (tmp_path / "rft" / "valid.jsonl").read_bytes()
    grader = json.loads((tmp_path / "rft" / "grader.json").read_text())
    assert job.body["method"]["reinforcement"]["grader"]["source"] == grader["source"]
    assert job.body["method"]["reinforcement"]["hyperparameters"] == {"n_epochs": 2, "reasoning_effort": "medium"}
    assert "succeeded" in out
    assert "checkpoint step 4" in out
    next_command = out.strip().splitlines()[-1]
    assert next_command.startswith("next: python examples/evaluate_endpoint.py --model ft:o4-mini-2025-04-16:")

    # the suggested evaluation runs on exactly the test split the RFT export held out
    args = next_command.removeprefix("next: python examples/evaluate_endpoint.py ").split()
    ok(run("evaluate_endpoint.py", *args, "--base-url", fake.base_url, cwd=tmp_path, key=API_KEY))
    (report_path,) = (tmp_path / "runs" / "genes_dosage_sensitive_tfs").glob("*/report.json")
    report = json.loads(report_path.read_text())
    assert sorted(r["id"] for r in report["records"]) == sorted(split_ids(tmp_path / "rft")["test"])
    assert report["metrics"]["mean_reward"]["value"] == 1.0
    assert_outputs_git_ignored(tmp_path)


@covers("reproduce_study.py")
def test_reproduce_study_compares_models_and_baselines_on_the_same_test_splits(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    args = (
        "--base-url",
        fake.base_url,
        "--models",
        "oracle",
        f"mute={fake.base_url}",
        "--limit",
        "60",
        "--n-boot",
        "100",
    )
    out = ok(run("reproduce_study.py", *args, cwd=tmp_path))  # local endpoints: no key needed
    tasks = [t.name for t in br.list_tasks()]
    assert {t.split("/")[0] for t in tasks} == {"genes", "molecules"}
    table = (tmp_path / "study" / "comparison.md").read_text()
    assert table in out + "\n" or table.split("\n\n", 2)[2] in out
    n_requests = 0
    for task in tasks:
        assert f"### {task}" in table
        folder = tmp_path / "study" / "reports" / task.replace("/", "_")
        reports = {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
        baselines = [name for name in reports if name.startswith("baseline_")]
        assert {"baseline_majority", "baseline_label_prior"} <= set(baselines)
        assert ("baseline_fp_forest" in baselines) == task.startswith("molecules/")
        assert ("baseline_gene_knn" in baselines) == task.startswith("genes/")
        test_ids = sorted(r["id"] for r in reports["oracle"]["records"])
        if task.startswith("genes/"):  # 5 family folds pooled: all 60 drawn genes, each once
            assert len(test_ids) == 60
            assert reports["baseline_family_rule"]["params"]["kind"] == "shortcut"
            assert reports["baseline_gene_knn"]["params"]["folds"]["method"] == "family"
        else:
            assert 4 <= len(test_ids) <= 10
        for name, report in reports.items():
            assert sorted(r["id"] for r in report["records"]) == test_ids, f"{task}: {name} on another split"
            assert f"| `{report['model']}` |" in table
            m = report["metrics"]["mean_reward"]
            assert m["ci_low"] <= m["value"] <= m["ci_high"]
        assert reports["oracle"]["metrics"]["mean_reward"]["value"] == 1.0
        assert reports["mute"]["metrics"]["mean_reward"]["value"] == 0.0
        n_requests += 2 * len(test_ids)
    assert len(chat_requests(fake)) == n_requests
    with (tmp_path / "study" / "comparison.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["task"], r["model"]) for r in rows if r["metric"] == "mean_reward"} >= {(t, "oracle") for t in tasks}
    assert (tmp_path / "study" / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_outputs_git_ignored(tmp_path)


@covers("reproduce_study.py")
def test_reproduce_study_offline_needs_no_key_and_shows_the_table(tmp_path: Path) -> None:
    out = ok(run("reproduce_study.py", "--offline", "--limit", "60", "--n-boot", "100", cwd=tmp_path))
    folder = tmp_path / "study" / "offline"
    table = (folder / "comparison.md").read_text()
    assert "offline preview: `scripted` is a stand-in, not a model" in table.splitlines()[0]
    assert "no key" not in out
    for task in (t.name for t in br.list_tasks()):
        assert f"### {task}" in table
        reports = {
            p.stem: json.loads(p.read_text()) for p in (folder / "reports" / task.replace("/", "_")).glob("*.json")
        }
        assert {"scripted", "baseline_majority", "baseline_label_prior"} <= set(reports)
        scripted = reports["scripted"]
        test_ids = sorted(r["id"] for r in scripted["records"])
        assert all(sorted(r["id"] for r in rep["records"]) == test_ids for rep in reports.values()), task
        # the stand-in is right on the examples whose id hashes to a non-multiple of 3, wrong on the others
        scores = {r["id"]: r["score"] for r in scripted["records"]}
        right = [i for i in test_ids if int(hashlib.sha256(i.encode()).hexdigest(), 16) % 3]
        assert all(scores[i] == 1.0 for i in right), task
        assert all(scores[i] < 1.0 for i in test_ids if i not in right), task
        start = table.index(f"### {task}")  # the stand-in is the first row: the reference of the paired differences
        assert table.index("| `scripted` |", start) < table.index("| `baseline:majority` |", start)
    with (folder / "comparison.csv").open(newline="") as fh:
        assert {r["model"] for r in csv.DictReader(fh)} >= {"scripted", "baseline:majority"}
    assert (folder / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (folder / "cache").exists(), "offline sends no request and keeps no response cache"
    assert_outputs_git_ignored(tmp_path)

    proc = run("reproduce_study.py", "--offline", "--models", "gpt-4o", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--offline calls no model" in proc.stderr


# ---------------------------------------------------------------------------------------------------------------
# TRL GRPO on a tiny local model (skipped only without torch / trl; CI sets BIORFT_REQUIRE_TRL=1)

_MUST_RUN = os.environ.get("BIORFT_REQUIRE_TRL") == "1"


@covers("trl_grpo.py")
@pytest.mark.training
@pytest.mark.skipif(
    (find_spec("trl") is None or find_spec("torch") is None) and not _MUST_RUN,
    reason="needs torch and the trl extra: pip install torch, then pip install 'biorft[trl]'",
)
def test_trl_grpo_trains_a_tiny_local_model(tmp_path: Path) -> None:
    from tests.backends.test_trl import tiny_model_and_tokenizer

    model, tokenizer = tiny_model_and_tokenizer(br.load_task("molecules/bbb_b3db").head(32))
    model.save_pretrained(tmp_path / "tiny")
    tokenizer.save_pretrained(tmp_path / "tiny")
    args = ["--model", str(tmp_path / "tiny"), "--max-steps", "2", "--limit", "8", "--num-generations", "2"]
    args += ["--batch-size", "4", "--max-completion-length", "16", "--out", "grpo"]
    out = ok(run("trl_grpo.py", *args, cwd=tmp_path, timeout=500))
    assert "training on 8 of " in out
    steps = [line.split() for line in out.splitlines() if line[:4].strip().isdigit() and len(line.split()) == 2]
    assert [int(s[0]) for s in steps] == [1, 2]
    assert all(0.0 <= float(s[1]) <= 1.0 for s in steps)
    final = tmp_path / "grpo" / "final"
    assert (final / "config.json").exists()
    assert (final / "tokenizer.json").exists()


@covers("reproduce_study.py")
def test_reproduce_study_tdc_admet_runs_tdc_protocol_and_writes_the_study_table(
    tmp_path: Path, fake: FakeOpenAI, reference_answers: dict[tuple[str, str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from biorft.datasets import _registry
    from biorft.datasets._tdc import tdc_task_names
    from tests.fakes.file_server import serve_files
    from tests.fakes.tdc_archive import make_admet_archive

    monkeypatch.setenv("BIORFT_DATA_DIR", str(tmp_path / "data"))
    with serve_files({"/tdc/admet_group.zip": make_admet_archive(rows=40)}) as files:
        monkeypatch.setenv("BIORFT_DATA_MIRROR", files.base_url)
        for name in tdc_task_names():  # the oracle knows the answers of this archive's test sets
            _registry._CACHE.pop((name, "1.0.0"), None)
            for ex in br.load_task(name).examples():
                reference_answers[(ex.messages[0]["content"], ex.messages[-1]["content"])] = answer_text(
                    ex.item["target"]
                )
        tasks = ("tdc/caco2_wang", "tdc/herg", "tdc/cyp2d6_veith")  # the 22 of tdc-admet take minutes: see below
        args = ("--base-url", fake.base_url, "--models", "oracle", "--tasks", *tasks, "--seeds", "2")
        out = ok(run("reproduce_study.py", *args, "--n-boot", "50", cwd=tmp_path, timeout=900))
    for name in tdc_task_names():
        _registry._CACHE.pop((name, "1.0.0"), None)
    assert files.hits["/tdc/admet_group.zip"] == 1  # the test process downloaded it; the script used the cache
    study = (tmp_path / "study" / "study.md").read_text()
    assert "tdc/caco2_wang (mae, lower is better)" in study
    assert "tdc/cyp2d6_veith (auprc, higher is better)" in study
    rows = list(csv.DictReader((tmp_path / "study" / "study.csv").open()))
    assert {r["task"] for r in rows} == set(tasks)
    cell = {(r["task"], r["row"]): r for r in rows}
    assert float(cell[("tdc/caco2_wang", "oracle")]["value"]) == 0.0  # exact answers: MAE 0
    assert cell[("tdc/caco2_wang", "baseline:desc_gbm")]["n_runs"] == "2"  # one run per seed: mean +/- sd
    assert cell[("tdc/herg", "ref: RDKit2D + MLP (DeepPurpose)")]["value"] == "0.841"
    assert (tmp_path / "study" / "study.png").stat().st_size > 1000
    assert "tdc/herg: TDC benchmark" in out
    script = load_module(EXAMPLES / "reproduce_study.py")
    assert script.expand_tasks(["tdc-admet"]) == sorted(tdc_task_names())
    assert script.expand_tasks(["tdc-admet", "molecules/tox21"])[-1] == "molecules/tox21"
