"""OpenAIRFT end to end against the fake server, with both the OpenAI and the AzureOpenAI client."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import openai
import pytest
from tests.backends._rft_helpers import StubGrader, rft_line, write_export
from tests.fakes._rft import JobScript, RFTState
from tests.fakes.openai_server import FakeOpenAI

from biorft.backends.openai_rft import (
    JobHandle,
    OpenAIRFT,
    RetryPolicy,
    RewardGapWarning,
    WatchTimeout,
)


def test_submit_and_watch_end_to_end(rft_any: OpenAIRFT, export_dir: Path, state: RFTState) -> None:
    rft = rft_any
    grader = StubGrader()
    job = rft.submit(
        export_dir,
        grader,
        model="o4-mini-2025-04-16",
        hyperparameters={"n_epochs": 2, "reasoning_effort": "low", "eval_interval": "auto"},
        suffix="bbbp",
        seed=7,
    )
    assert isinstance(job, JobHandle)
    assert job.id in state.jobs
    body = state.jobs[job.id].body
    assert body["model"] == "o4-mini-2025-04-16"
    assert body["suffix"] == "bbbp"
    assert body["seed"] == 7
    assert body["method"] == {
        "type": "reinforcement",
        "reinforcement": {
            "grader": grader.to_openai(),
            "hyperparameters": {"n_epochs": 2, "reasoning_effort": "low", "eval_interval": "auto"},
        },
    }
    assert body["metadata"]["biorft_submission"]

    updates: list[str] = []
    summary = job.watch(poll=0.0, progress=False, on_update=lambda j, new: updates.append(j.status))
    assert summary.ok
    assert summary.status == "succeeded"
    assert summary.fine_tuned_model == job.fine_tuned_model
    assert summary.fine_tuned_model is not None
    assert summary.fine_tuned_model.startswith("ft:o4-mini-2025-04-16:")
    assert updates[0] == "queued"
    assert "running" in updates
    assert updates[-1] == "succeeded"
    # one metric point per step, with both rewards, from events and checkpoints
    script = state.job_script
    assert [p.step for p in summary.history] == [1, 2, 3, 4]
    assert [p.train_reward_mean for p in summary.history] == list(script.train_rewards)
    assert [p.valid_reward_mean for p in summary.history] == list(script.valid_rewards)
    assert summary.history[-1].total_steps == 4
    assert summary.warnings == ()
    assert "succeeded" in str(summary)

    events = job.events()
    assert events[0].message.startswith("Validating training file")
    assert events[-1].message == "The job has successfully completed"
    assert [e.created_at for e in events] == sorted(e.created_at for e in events)
    checkpoints = job.checkpoints()
    assert [c.step_number for c in checkpoints] == [2, 4]
    assert job.metrics() == summary.history
    assert job.status() == "succeeded"


def test_uploaded_bytes_and_grader_are_exactly_the_export(
    rft_any: OpenAIRFT, export_dir: Path, state: RFTState
) -> None:
    rft = rft_any
    job = rft.submit(export_dir)  # grader from export_dir/grader.json
    body = state.jobs[job.id].body
    assert state.files[body["training_file"]].content == (export_dir / "train.jsonl").read_bytes()
    assert state.files[body["validation_file"]].content == (export_dir / "valid.jsonl").read_bytes()
    assert state.files[body["training_file"]].purpose == "fine-tune"
    sent = body["method"]["reinforcement"]["grader"]
    assert sent == json.loads((export_dir / "grader.json").read_text())
    assert sent["source"] == StubGrader().source
    # the file content endpoint serves the same bytes back through the SDK
    content = rft.client.files.content(body["training_file"]).read()
    assert content == (export_dir / "train.jsonl").read_bytes()


def test_upload_is_idempotent(rft_any: OpenAIRFT, export_dir: Path, state: RFTState, fake: FakeOpenAI) -> None:
    rft = rft_any
    first = rft.upload(export_dir / "train.jsonl")
    assert rft.upload(export_dir / "train.jsonl") == first
    assert rft.upload(str(export_dir / "train.jsonl")) == first
    assert len(state.files) == 1
    assert sum(1 for r in fake.requests if r.method == "POST" and r.path.endswith("/files")) == 1
    # the registry survives a new backend object (new process), keyed by content, not by path
    copy = export_dir / "copy.jsonl"
    copy.write_bytes((export_dir / "train.jsonl").read_bytes())
    again = OpenAIRFT(rft.client, state_path=rft.registry.path, retry=rft.retry_policy)
    assert again.upload(copy) == first
    assert len(state.files) == 1
    # different bytes -> a new file
    assert rft.upload(export_dir / "valid.jsonl") != first
    assert len(state.files) == 2


def test_upload_reuses_a_file_found_on_the_service_without_registry(
    rft: OpenAIRFT, export_dir: Path, state: RFTState, tmp_path: Path
) -> None:
    first = rft.upload(export_dir / "train.jsonl")
    other_machine = OpenAIRFT(rft.client, state_path=tmp_path / "elsewhere.json", retry=rft.retry_policy)
    assert other_machine.upload(export_dir / "train.jsonl") == first
    assert len(state.files) == 1
    assert json.loads((tmp_path / "elsewhere.json").read_text())["files"]  # and it is recorded there now


def test_upload_again_when_the_service_lost_the_file(rft: OpenAIRFT, export_dir: Path, state: RFTState) -> None:
    first = rft.upload(export_dir / "train.jsonl")
    rft.client.files.delete(first)
    second = rft.upload(export_dir / "train.jsonl")
    assert second != first
    assert set(state.files) == {second}


def test_upload_waits_for_processing_with_backoff(
    rft: OpenAIRFT, export_dir: Path, state: RFTState, sleeps: list[float]
) -> None:
    state.processing_polls = 4
    file_id = rft.upload(export_dir / "train.jsonl")
    assert state.files[file_id].status() == "processed"
    assert len(sleeps) == 3
    assert sleeps == sorted(sleeps)
    assert sleeps[-1] > sleeps[0]


def test_upload_a_dataset_split(rft: OpenAIRFT, state: RFTState) -> None:
    class Spec:
        name = "molecules/b3db_bbbp"

    class Ex:
        def __init__(self, i: int) -> None:
            line = rft_line(i, "train")
            self.id = line["id"]
            self.messages = line.pop("messages")
            self.item = line

    class Split:
        spec = Spec()

        def examples(self) -> list[Ex]:
            return [Ex(i) for i in range(3)]

    file_id = rft.upload(Split())
    f = state.files[file_id]
    assert f.filename.startswith("molecules_b3db_bbbp-")
    lines = [json.loads(x) for x in f.content.decode().splitlines()]
    assert lines == [rft_line(i, "train") for i in range(3)]


def test_grader_validate_and_run(rft_any: OpenAIRFT) -> None:
    rft = rft_any
    g = StubGrader()
    assert rft.validate_grader(g) == g.to_openai()
    item = rft_line(0, "valid")
    del item["messages"]
    good = rft.run_grader(g, "The molecule is small and lipophilic.\nAnswer: BBB+", item)
    assert good.reward == 1.0
    assert good.ok
    # the service and the local grader agree on every sample
    samples = ["Answer: BBB-", "Answer: BBB+", {"output_text": "Answer: BBB+"}, "no answer at all"]
    runs = rft.run_grader(g, [(s, item) for s in samples])
    assert [r.reward for r in runs] == [g(s, item) for s in samples]


def test_run_multi_grader(rft: OpenAIRFT) -> None:
    multi = {
        "type": "multi",
        "name": "label_and_format",
        "graders": {
            "label": StubGrader().to_openai(),
            "format": {
                "type": "string_check",
                "name": "has_answer",
                "operation": "like",
                "input": "{{ sample.output_text }}",
                "reference": "Answer:",
            },
        },
        "calculate_output": "0.8 * label + 0.2 * format",
    }
    run = rft.run_grader(multi, "Answer: BBB-", {"target": "BBB+"})
    assert run.sub_rewards == {"label": 0.0, "format": 1.0}
    assert run.reward == pytest.approx(0.2)


def test_jobs_list_reattach_and_cancel(rft: OpenAIRFT, export_dir: Path, state: RFTState) -> None:
    a = rft.submit(export_dir, StubGrader())
    b = rft.submit(export_dir, StubGrader(name="other"))
    assert len(state.files) == 2  # both jobs share the uploads
    listed = rft.jobs(limit=10)
    assert {h.id for h in listed} == {a.id, b.id}
    same = rft.job(a.id)
    assert same.status() in {"queued", "validating_files"}
    assert same.cancel() == "cancelled"
    assert a.status() == "cancelled"
    summary = a.watch(poll=0.0, progress=False)
    assert summary.status == "cancelled"
    assert not summary.ok
    assert a.fine_tuned_model is None


def test_watch_resumes_after_ctrl_c(rft: OpenAIRFT, export_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = rft.submit(export_dir, StubGrader())
    polls: list[str] = []

    def interrupt(j: object, new: object) -> None:
        polls.append(getattr(j, "status", ""))
        if len(polls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        job.watch(poll=0.0, progress=True, on_update=interrupt)
    err = capsys.readouterr().err
    assert f"job {job.id} keeps running" in err
    assert f"biorft rft watch {job.id}" in err
    # a fresh backend object re-attaches by id and sees the whole history
    again = OpenAIRFT(rft.client, state_path=rft.registry.path, retry=rft.retry_policy).job(job.id)
    summary = again.watch(poll=0.0, progress=False)
    assert summary.ok
    assert [p.step for p in summary.history] == [1, 2, 3, 4]


def test_watch_timeout_leaves_the_job_running(rft: OpenAIRFT, export_dir: Path, state: RFTState) -> None:
    state.job_script = JobScript(queued_polls=10**6)
    job = rft.submit(export_dir, StubGrader())
    fast = OpenAIRFT(rft.client, state_path=rft.registry.path, retry=RetryPolicy())  # real sleeping
    with pytest.raises(WatchTimeout, match=f"biorft rft watch {job.id}"):
        fast.job(job.id).watch(poll=0.01, timeout=0.2, progress=False)
    assert job.status() == "queued"


def test_widening_reward_gap_warns(rft: OpenAIRFT, export_dir: Path, state: RFTState) -> None:
    state.job_script = JobScript(train_rewards=(0.3, 0.5, 0.7, 0.9), valid_rewards=(0.3, 0.35, 0.4, 0.42))
    job = rft.submit(export_dir, StubGrader())
    with pytest.warns(RewardGapWarning, match="reward hacking"):
        summary = job.watch(poll=0.0, progress=False)
    assert summary.ok
    assert any("widening train/valid gap" in w for w in summary.warnings)
    assert "0.48 above valid reward 0.42 at step 4" in summary.warnings[0]


def test_steady_rewards_do_not_warn(rft: OpenAIRFT, export_dir: Path) -> None:
    job = rft.submit(export_dir, StubGrader())
    with warnings.catch_warnings():
        warnings.simplefilter("error", RewardGapWarning)
        assert job.watch(poll=0.0, progress=False).warnings == ()


def test_azure_pause_at_cost_limit_and_resume(rft: OpenAIRFT, export_dir: Path, state: RFTState) -> None:
    state.job_script = JobScript(pause_at_step=3)
    job = rft.submit(export_dir, StubGrader())
    paused = job.watch(poll=0.0, progress=False)
    assert paused.status == "paused"
    assert "USD 5,000" in paused.warnings[-1]
    assert paused.history[-1].step == 2
    assert job.resume() == "running"
    done = job.watch(poll=0.0, progress=False)
    assert done.ok
    assert [p.step for p in done.history] == [1, 2, 3, 4]


def test_backend_builds_its_client_from_the_environment_only_when_used(
    fake: FakeOpenAI, export_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    rft = OpenAIRFT(state_path=tmp_path / "s.json")  # no key yet: fine until a request is made
    assert "not built yet" in repr(rft)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-0123456789")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    assert rft.upload(export_dir / "valid.jsonl").startswith("file-")
    assert isinstance(rft.client, openai.OpenAI)
    assert rft.client.max_retries == 0  # biorft retries itself


def test_given_client_is_copied_without_sdk_retries(any_client: openai.OpenAI, tmp_path: Path) -> None:
    client = any_client
    rft = OpenAIRFT(client, state_path=tmp_path / "s.json")
    assert client.max_retries == 2  # the caller's client is untouched
    assert rft.client.max_retries == 0
    assert type(rft.client) is type(client)


def test_submit_with_a_pair_of_paths_and_smaller_export(tmp_path: Path, rft: OpenAIRFT, state: RFTState) -> None:
    folder = write_export(tmp_path / "pair", n_train=3, n_valid=2)
    job = rft.submit((folder / "train.jsonl", str(folder / "valid.jsonl")), folder / "grader.json")
    assert state.jobs[job.id].body["validation_file"] in state.files


def test_dry_run_checks_everything_and_sends_nothing(
    rft_any: OpenAIRFT, export_dir: Path, state: RFTState, fake: FakeOpenAI
) -> None:
    import hashlib

    from biorft.backends.openai_rft import SubmissionPlan
    from biorft.errors import DatasetError

    grader = StubGrader()
    hp = {"n_epochs": 2, "reasoning_effort": "low"}
    plan = rft_any.submit(export_dir, grader, hyperparameters=hp, suffix="bbbp", seed=7, dry_run=True)
    assert isinstance(plan, SubmissionPlan)
    assert fake.requests == []  # no upload, no grader validation, no job
    train, valid = export_dir / "train.jsonl", export_dir / "valid.jsonl"
    assert [(f.role, f.path, f.sha256, f.bytes, f.lines, f.file_id) for f in plan.files] == [
        ("training_file", train, hashlib.sha256(train.read_bytes()).hexdigest(), train.stat().st_size, 8, None),
        ("validation_file", valid, hashlib.sha256(valid.read_bytes()).hexdigest(), valid.stat().st_size, 4, None),
    ]
    assert plan.uploads_needed == plan.files
    request = plan.request
    assert request["training_file"] == plan.files[0].placeholder
    assert request["method"] == {
        "type": "reinforcement",
        "reinforcement": {"grader": grader.to_openai(), "hyperparameters": hp},
    }
    assert (request["model"], request["suffix"], request["seed"]) == ("o4-mini-2025-04-16", "bbbp", 7)
    assert "sha256" in json.loads(plan.to_json())["method"]["reinforcement"]["grader"]["source"]
    assert json.loads(plan.to_json(full_source=True))["method"] == request["method"]
    assert "would be uploaded" in str(plan)

    # a real submission sends exactly the planned request, with the uploaded ids in place of the placeholders
    job = rft_any.submit(export_dir, grader, hyperparameters=hp, suffix="bbbp", seed=7)
    body = state.jobs[job.id].body
    planned = {**request, "training_file": body["training_file"], "validation_file": body["validation_file"]}
    assert {k: v for k, v in body.items() if k != "metadata"} == {k: v for k, v in planned.items() if k != "metadata"}
    # a later dry run knows the uploads from the local registry, still without a request
    seen = len(fake.requests)
    again = rft_any.submit(export_dir, grader, hyperparameters=hp, dry_run=True)
    assert len(fake.requests) == seen
    assert (again.request["training_file"], again.request["validation_file"]) == (
        body["training_file"],
        body["validation_file"],
    )
    assert again.uploads_needed == ()

    # local checks still run and refuse bad data, before anything is sent
    lines = train.read_text().splitlines()
    lines[2] = json.dumps({**json.loads(lines[2]), "messages": [{"role": "assistant", "content": "x"}]})
    train.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match="line 3"):
        rft_any.submit(export_dir, grader, dry_run=True)
    assert len(fake.requests) == seen


def test_dry_run_needs_no_key(export_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    plan = OpenAIRFT(state_path=tmp_path / "files.json").submit(export_dir, StubGrader(), dry_run=True)
    assert [f.file_id for f in plan.files] == [None, None]
