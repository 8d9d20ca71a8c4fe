"""Every failure mode of the OpenAI RFT backend maps to a BackendError subclass with an actionable message."""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest
from tests.backends._rft_helpers import API_KEY, Sleeps, StubGrader, make_client, rft_line, write_export
from tests.fakes._rft import JobScript, RFTState
from tests.fakes.openai_server import Failure, FakeOpenAI, Reply, Request, error_body

from biorft.backends.openai_rft import (
    AuthenticationError,
    FileProcessingError,
    FineTuningUnavailable,
    GraderRunError,
    InvalidHyperparameter,
    InvalidRequest,
    JobFailed,
    NotFound,
    OpenAIRFT,
    PermissionDenied,
    RateLimited,
    RetryPolicy,
    ServiceUnavailable,
    UnsupportedModel,
)
from biorft.errors import BackendError, DatasetError, GraderError


def _posts(fake: FakeOpenAI, suffix: str) -> int:
    return sum(1 for r in fake.requests if r.method == "POST" and r.path.endswith(suffix))


# -- HTTP status codes -------------------------------------------------------------------------------------
def test_401_is_authentication_error(any_client: openai.OpenAI, state: RFTState, tmp_path: Path) -> None:
    state.api_key = "sk-the-right-key-0123456789"
    rft = OpenAIRFT(any_client, state_path=tmp_path / "s.json", retry=RetryPolicy(sleep=Sleeps()))
    with pytest.raises(AuthenticationError, match="Check the API key") as info:
        rft.jobs()
    assert info.value.status_code == 401
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_403_is_permission_denied(rft: OpenAIRFT, fake: FakeOpenAI, export_dir: Path) -> None:
    fake.inject(Failure("status", status=403, path="/files", message="Project lacks file access"))
    with pytest.raises(PermissionDenied, match="Project lacks file access") as info:
        rft.upload(export_dir / "train.jsonl")
    assert not isinstance(info.value, FineTuningUnavailable)
    assert "permissions" in str(info.value)


def test_404_is_not_found(rft: OpenAIRFT) -> None:
    with pytest.raises(NotFound, match="ftjob-missing") as info:
        rft.job("ftjob-missing").status()
    assert isinstance(info.value, LookupError)
    assert "Check the id" in str(info.value)


def test_429_retried_honouring_retry_after(rft: OpenAIRFT, fake: FakeOpenAI, sleeps: Sleeps, export_dir: Path) -> None:
    fake.inject(*[Failure("status", status=429, path="/files", headers={"Retry-After": "3"})] * 2)
    assert rft.upload(export_dir / "train.jsonl").startswith("file-")
    # the first request (listing files to find an earlier upload) was retried by biorft, not by the SDK
    assert sum(1 for r in fake.requests if r.method == "GET" and r.path.endswith("/files")) == 3
    assert _posts(fake, "/files") == 1
    assert len(sleeps) >= 2
    assert all(3.0 <= s <= 3.3 for s in sleeps[:2])


def test_429_retry_after_ms_is_read(rft: OpenAIRFT, fake: FakeOpenAI, sleeps: Sleeps) -> None:
    fake.inject(Failure("status", status=429, path="/fine_tuning/jobs", headers={"retry-after-ms": "1500"}))
    assert rft.jobs() == []
    assert 1.5 <= sleeps[0] <= 1.65


def test_429_gives_up_after_bounded_attempts(fake: FakeOpenAI, client: openai.OpenAI, tmp_path: Path) -> None:
    sleeps = Sleeps()
    rft = OpenAIRFT(client, state_path=tmp_path / "s.json", retry=RetryPolicy(max_retries=3, sleep=sleeps))
    fake.inject(*[Failure("status", status=429, path="/fine_tuning/jobs")] * 4)
    with pytest.raises(RateLimited, match="after 4 attempts") as info:
        rft.jobs()
    assert len(sleeps) == 3
    assert all(0 < s <= 60.0 for s in sleeps)
    assert info.value.status_code == 429
    assert rft.jobs() == []  # the queue of failures is used up; the next call works


def test_retry_after_longer_than_max_delay_fails_at_once(rft: OpenAIRFT, fake: FakeOpenAI, sleeps: Sleeps) -> None:
    fake.inject(Failure("status", status=429, path="/fine_tuning/jobs", headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimited, match="asked to wait 3600 s"):
        rft.jobs()
    assert sleeps == []


def test_insufficient_quota_is_not_retried(rft: OpenAIRFT, fake: FakeOpenAI, sleeps: Sleeps) -> None:
    def out_of_quota(f: FakeOpenAI, req: Request) -> Reply:
        return Reply(429, error_body(429, "You exceeded your current quota.", "insufficient_quota"))

    fake.add_route("GET", "/fine_tuning/jobs", out_of_quota)
    with pytest.raises(RateLimited, match="out of quota"):
        rft.jobs()
    assert sleeps == []


def test_5xx_retried_with_growing_backoff(rft: OpenAIRFT, fake: FakeOpenAI, sleeps: Sleeps) -> None:
    fake.inject(
        Failure("status", status=500, path="/fine_tuning/jobs"), Failure("status", status=502, path="/fine_tuning/jobs")
    )
    assert rft.jobs() == []
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0
    assert 1.0 <= sleeps[1] <= 2.0


def test_5xx_exhausted_is_service_unavailable(fake: FakeOpenAI, client: openai.OpenAI, tmp_path: Path) -> None:
    rft = OpenAIRFT(client, state_path=tmp_path / "s.json", retry=RetryPolicy(max_retries=1, sleep=Sleeps()))
    fake.inject(*[Failure("status", status=503, path="/fine_tuning/jobs")] * 2)
    with pytest.raises(ServiceUnavailable, match="retry later"):
        rft.jobs()


def test_timeouts_and_dropped_connections_are_retried(fake: FakeOpenAI, tmp_path: Path) -> None:
    client = make_client("openai", fake, timeout=0.3)
    sleeps = Sleeps()
    rft = OpenAIRFT(client, state_path=tmp_path / "s.json", retry=RetryPolicy(sleep=sleeps))
    fake.inject(Failure("hang", seconds=0.6, path="/fine_tuning/jobs"), Failure("drop", path="/fine_tuning/jobs"))
    assert rft.jobs() == []
    assert len(sleeps) == 2


def test_unreachable_service(tmp_path: Path) -> None:
    with FakeOpenAI() as fake:
        client = make_client("openai", fake, timeout=1.0)
    rft = OpenAIRFT(client, state_path=tmp_path / "s.json", retry=RetryPolicy(max_retries=1, sleep=Sleeps()))
    with pytest.raises(ServiceUnavailable, match="could not connect"):
        rft.jobs()


# -- the end of self-serve fine-tuning ---------------------------------------------------------------------
@pytest.mark.parametrize("status", [403, 400])
def test_account_that_cannot_create_jobs(
    any_client: openai.OpenAI, state: RFTState, export_dir: Path, tmp_path: Path, status: int
) -> None:
    state.create_job_denied = status
    rft = OpenAIRFT(any_client, state_path=tmp_path / "s.json", retry=RetryPolicy(sleep=Sleeps()))
    with pytest.raises(FineTuningUnavailable) as info:
        rft.submit(export_dir, StubGrader())
    message = str(info.value)
    assert "2027-01-06" in message
    assert "TRL GRPO" in message
    assert "biorft.backends.trl" in message
    assert isinstance(info.value, PermissionDenied)
    assert state.jobs == {}


def test_other_400_on_create_is_invalid_request(rft: OpenAIRFT, export_dir: Path, fake: FakeOpenAI) -> None:
    message = "Model o5-mini is not supported for reinforcement fine-tuning in this region."
    fake.inject(Failure("status", status=400, path="/fine_tuning/jobs", message=message))
    with pytest.raises(InvalidRequest, match="not supported for reinforcement fine-tuning") as info:
        rft.submit(export_dir, StubGrader(), model="o5-mini", allow_any_model=True)
    assert not isinstance(info.value, FineTuningUnavailable)
    assert info.value.status_code == 400


# -- jobs that fail, and non-idempotent creation -------------------------------------------------------------
def test_failed_job_raises_with_its_error(rft: OpenAIRFT, export_dir: Path, state: RFTState) -> None:
    state.job_script = JobScript(fail_at_step=3)
    job = rft.submit(export_dir, StubGrader())
    with pytest.raises(JobFailed, match="grader_error: Too many grader errors") as info:
        job.watch(poll=0.0, progress=False)
    assert info.value.job_id == job.id
    assert info.value.code == "grader_error"
    summary = rft.job(job.id).watch(poll=0.0, progress=False, raise_on_failure=False)
    assert summary.status == "failed"
    assert summary.error is not None
    assert [p.step for p in summary.history] == [1, 2]


def test_lost_create_reply_does_not_make_a_second_job(
    rft: OpenAIRFT, export_dir: Path, state: RFTState, fake: FakeOpenAI
) -> None:
    state.lose_next_create_reply = True
    job = rft.submit(export_dir, StubGrader())
    assert list(state.jobs) == [job.id]
    assert _posts(fake, "/fine_tuning/jobs") == 1


def test_cancel_a_finished_job_is_invalid(rft: OpenAIRFT, export_dir: Path) -> None:
    job = rft.submit(export_dir, StubGrader())
    job.watch(poll=0.0, progress=False)
    with pytest.raises(InvalidRequest, match="Cannot cancel a job whose status is succeeded"):
        job.cancel()


# -- files -------------------------------------------------------------------------------------------------
def test_file_that_fails_processing(rft: OpenAIRFT, export_dir: Path, state: RFTState) -> None:
    state.next_file_error = "Invalid file format: line 3 is not valid JSON."
    with pytest.raises(FileProcessingError, match="line 3 is not valid JSON") as info:
        rft.upload(export_dir / "train.jsonl")
    assert "biorft validate" in str(info.value)
    assert json.loads(rft.registry.path.read_text())["files"] == {}
    fresh = rft.upload(export_dir / "train.jsonl")  # the failed file is not reused
    assert state.files[fresh].status() == "processed"
    assert len(state.files) == 2


def test_file_processing_timeout(client: openai.OpenAI, export_dir: Path, state: RFTState, tmp_path: Path) -> None:
    state.processing_polls = 10**6
    rft = OpenAIRFT(client, state_path=tmp_path / "s.json", retry=RetryPolicy(sleep=Sleeps()), file_timeout=0.0)
    with pytest.raises(FileProcessingError, match="still 'uploaded'"):
        rft.upload(export_dir / "valid.jsonl")


def test_unreadable_upload(rft: OpenAIRFT, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read"):
        rft.upload(tmp_path / "missing.jsonl")
    with pytest.raises(DatasetError, match="cannot upload a int"):
        rft.upload(3)


# -- graders -----------------------------------------------------------------------------------------------
def test_grader_runtime_error_maps_to_grader_run_error(rft_any: OpenAIRFT) -> None:
    bad = StubGrader(source="def grade(sample, item):\n    return 1 / 0\n", name="crashes")
    with pytest.raises(GraderRunError, match="python_grader_runtime_error on sample 0") as info:
        rft_any.run_grader(bad, "Answer: BBB+", {"target": "BBB+"})
    assert info.value.errors == ("python_grader_runtime_error",)
    assert info.value.details is not None
    assert "ZeroDivisionError" in info.value.details
    assert "catch every exception" in str(info.value)
    run = rft_any.run_grader(bad, "x", {"target": "BBB+"}, raise_on_error=False)
    assert run.errors == ("python_grader_runtime_error",)
    assert run.reward == 0.0


def test_grader_that_returns_a_non_number(rft: OpenAIRFT) -> None:
    odd = StubGrader(source="def grade(sample, item):\n    return 'yes'\n")
    with pytest.raises(GraderRunError, match="not a finite number"):
        rft.run_grader(odd, "x", {"target": "BBB+"})


def test_grader_that_hangs(rft: OpenAIRFT, state: RFTState) -> None:
    state.grader_timeout = 0.5
    slow = StubGrader(source="def grade(sample, item):\n    while True:\n        pass\n")
    with pytest.raises(GraderRunError, match="unresponsive_reward_error"):
        rft.run_grader(slow, "x", {"target": "BBB+"})


def test_grader_the_service_rejects(rft: OpenAIRFT) -> None:
    with_typo = {
        "type": "string_check",
        "name": "g",
        "operation": "eq",
        "input": "{{ sample.output_text }}",
        "reference": "{{ item.target }}",
        "pass_treshold": 1,
    }
    with pytest.raises(InvalidRequest, match="pass_treshold: unknown parameter"):
        rft.validate_grader(with_typo)


@pytest.mark.parametrize(
    ("grader", "match"),
    [
        (StubGrader(source="def grade(sample, item):\n    return 1.0\n" + "#" * 262_144), "under 262,144 bytes"),
        (StubGrader(source="def score(sample, item):\n    return 1.0\n"), "no top-level function grade"),
        (StubGrader(source="def grade(sample item):\n"), "does not parse"),
        (
            {"type": "multi", "name": "m", "graders": {"a": StubGrader().to_openai()}, "calculate_output": "a + b"},
            "'b', which is not one of its graders",
        ),
        ({"type": "string_check", "name": "g", "operation": "startswith", "input": "", "reference": ""}, "operation"),
        ({"type": "unknown", "name": "g"}, "type is 'unknown'"),
    ],
)
def test_bad_graders_fail_locally_before_any_request(
    rft: OpenAIRFT, fake: FakeOpenAI, export_dir: Path, grader: object, match: str
) -> None:
    with pytest.raises(GraderError, match=match):
        rft.submit(export_dir, grader)
    assert [r for r in fake.requests if "/files" in r.path or "/fine_tuning" in r.path] == []


# -- local checks before anything is paid for ------------------------------------------------------------
def test_model_allow_list_and_override(rft: OpenAIRFT, export_dir: Path, fake: FakeOpenAI, state: RFTState) -> None:
    with pytest.raises(UnsupportedModel, match="allow_any_model=True"):
        rft.submit(export_dir, StubGrader(), model="gpt-4o-mini")
    assert fake.requests == []
    job = rft.submit(export_dir, StubGrader(), model="o5-mini-2027-01-01", allow_any_model=True)
    assert state.jobs[job.id].body["model"] == "o5-mini-2027-01-01"
    for ok in ("gpt-5-2025-08-07", "o4-mini", "ft:o4-mini-2025-04-16:acme::abc123"):
        assert rft.submit(export_dir, StubGrader(), model=ok).id in state.jobs


@pytest.mark.parametrize(
    ("hp", "match"),
    [
        ({"epochs": 2}, "did you mean 'n_epochs'"),
        ({"reasoning_effort": "max"}, "reasoning_effort"),
        ({"n_epochs": 0}, "positive integer"),
        ({"batch_size": 2.5}, "positive integer"),
        ({"eval_samples": True}, "positive integer"),
        ({"compute_multiplier": -1.0}, "positive number"),
    ],
)
def test_bad_hyperparameters_fail_locally(
    rft: OpenAIRFT, export_dir: Path, fake: FakeOpenAI, hp: dict[str, object], match: str
) -> None:
    with pytest.raises(InvalidHyperparameter, match=match):
        rft.submit(export_dir, StubGrader(), hyperparameters=hp)
    assert fake.requests == []


def test_rft_data_rules_checked_before_upload(rft: OpenAIRFT, tmp_path: Path, fake: FakeOpenAI) -> None:
    folder = write_export(tmp_path / "bad")
    lines = (folder / "train.jsonl").read_text().splitlines()
    with_answer = json.loads(lines[2])
    with_answer["messages"].append({"role": "assistant", "content": "Answer: BBB+"})
    no_target = json.loads(lines[4])
    del no_target["target"]
    lines[2], lines[4] = json.dumps(with_answer), json.dumps(no_target)
    (folder / "train.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError) as info:
        rft.submit(folder, StubGrader())
    message = str(info.value)
    assert "line 3: messages[2].role" in message
    assert "line 3: messages: the last message must have role 'user'" in message
    assert "line 5: target: missing" in message
    assert "biorft validate" in message
    assert [r for r in fake.requests if "/files" in r.path] == []


def test_train_valid_overlap_is_refused(rft: OpenAIRFT, tmp_path: Path) -> None:
    folder = write_export(tmp_path / "leaky")
    leaked = json.dumps(rft_line(3, "train"))
    with (folder / "valid.jsonl").open("a") as fh:
        fh.write(leaked + "\n")
    with pytest.raises(DatasetError, match=r"1 prompt\(s\) appear in both train.jsonl and valid.jsonl.*line 4"):
        rft.submit(folder, StubGrader())


def test_missing_data_and_grader(rft: OpenAIRFT, tmp_path: Path) -> None:
    folder = write_export(tmp_path / "nograder")
    (folder / "grader.json").unlink()
    with pytest.raises(DatasetError, match="no grader given"):
        rft.submit(folder)
    with pytest.raises(DatasetError, match="does not exist"):
        rft.submit((folder / "train.jsonl", folder / "nope.jsonl"), StubGrader())
    with pytest.raises(DatasetError, match="RFT needs both a training and a validation file"):
        rft.submit(folder / "train.jsonl", StubGrader())


def test_bad_arguments(rft: OpenAIRFT, export_dir: Path) -> None:
    with pytest.raises(InvalidRequest, match="suffix"):
        rft.submit(export_dir, StubGrader(), suffix="x" * 65)
    with pytest.raises(InvalidRequest, match="seed"):
        rft.submit(export_dir, StubGrader(), seed="7")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match="metadata"):
        rft.submit(export_dir, StubGrader(), metadata={"k" * 65: "v"})
    with pytest.raises(InvalidRequest, match="allows 16"):
        rft.submit(export_dir, StubGrader(), metadata={f"k{i}": "v" for i in range(15)})
    with pytest.raises(InvalidRequest, match="limit"):
        rft.jobs(limit=0)
    with pytest.raises(InvalidRequest, match="job_id"):
        rft.job(" ")


def test_async_client_is_refused(fake: FakeOpenAI) -> None:
    with pytest.raises(BackendError, match="async clients are not supported"):
        OpenAIRFT(openai.AsyncOpenAI(base_url=fake.base_url, api_key=API_KEY))  # type: ignore[arg-type]


def test_no_client_in_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    rft = OpenAIRFT(state_path=tmp_path / "s.json")
    with pytest.raises(AuthenticationError, match="set OPENAI_API_KEY"):
        rft.jobs()


# -- the fake itself checks bodies against the SDK's types (so the tests above could fail) -----------------
def test_fake_refuses_bodies_the_sdk_types_do_not_allow(
    client: openai.OpenAI, rft: OpenAIRFT, export_dir: Path
) -> None:
    train, valid = rft.upload(export_dir / "train.jsonl"), rft.upload(export_dir / "valid.jsonl")
    method = {"type": "reinforcement", "reinforcement": {"grader": StubGrader().to_openai()}}
    bad_hp = {**method, "reinforcement": {**method["reinforcement"], "hyperparameters": {"reasoning_effort": "max"}}}
    for kwargs in (
        {"method": bad_hp},
        {"method": method, "extra_body": {"unknown_field": 1}},
        {"method": {"type": "reinforcement", "reinforcement": {"grader": {"type": "python", "name": "g"}}}},
    ):
        with pytest.raises(openai.BadRequestError):
            client.fine_tuning.jobs.create(
                model="o4-mini-2025-04-16", training_file=train, validation_file=valid, **kwargs
            )  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError, match="requires a validation file"):
        client.fine_tuning.jobs.create(model="o4-mini-2025-04-16", training_file=train, method=method)  # type: ignore[arg-type]
    ok = client.fine_tuning.jobs.create(
        model="o4-mini-2025-04-16", training_file=train, validation_file=valid, method=method
    )  # type: ignore[arg-type]
    assert ok.status == "validating_files"
