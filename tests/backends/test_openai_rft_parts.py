"""The pure parts of the RFT backend: retry timing, metrics, the reward-gap rule, the registry, grader checks."""

from __future__ import annotations

import email.utils
import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.backends._rft_helpers import StubGrader

from biorft.backends._grader import check_grader, grader_payload
from biorft.backends._metrics import MetricPoint, merge_points, metric_from_data, reward_gap_warning
from biorft.backends._models import check_hyperparameters, check_model
from biorft.backends._retry import RetryPolicy, retry_after_seconds
from biorft.backends._state import FileRegistry, default_state_path
from biorft.errors import BackendError, GraderError


@given(
    attempt=st.integers(0, 30),
    retry_after=st.one_of(st.none(), st.floats(0, 120)),
    jitter=st.floats(0, 0.999),
    initial=st.floats(0.01, 5),
    max_delay=st.floats(0.1, 90),
)
def test_backoff_is_bounded_and_honours_retry_after(
    attempt: int, retry_after: float | None, jitter: float, initial: float, max_delay: float
) -> None:
    policy = RetryPolicy(base_delay=initial, max_delay=max_delay, jitter=lambda: jitter)
    wait = policy.backoff(attempt, retry_after)
    assert 0 <= wait <= max_delay
    if retry_after is not None:
        assert wait >= min(retry_after, max_delay)
        assert wait <= max(retry_after * 1.1, min(max_delay, initial * 2**attempt))
    else:
        nominal = min(max_delay, initial * 2**attempt)
        assert nominal / 2 <= wait <= nominal


def test_backoff_jitter_spreads_clients() -> None:
    waits = {RetryPolicy(jitter=lambda j=j: j).backoff(3, None) for j in (0.0, 0.25, 0.5, 0.75)}
    assert len(waits) == 4


def test_retry_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError, match="max_delay"):
        RetryPolicy(max_delay=-1)
    with pytest.raises(ValueError, match="base_delay"):
        RetryPolicy(base_delay=float("nan"))
    with pytest.warns(DeprecationWarning, match="max_retries"):
        assert RetryPolicy(max_attempts=3).max_retries == 2


def test_retry_after_forms() -> None:
    assert retry_after_seconds({"Retry-After": "12"}) == 12.0
    assert retry_after_seconds({"retry-after": "0.5"}) == 0.5
    assert retry_after_seconds({"retry-after-ms": "20", "retry-after": "9"}) == 0.02
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({"retry-after": "-3"}) == 0.0
    in_ten = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8.0 <= (retry_after_seconds({"retry-after": in_ten}) or 0) <= 10.5
    assert retry_after_seconds(None) is None


def test_metrics_from_events_and_checkpoints() -> None:
    assert metric_from_data({"step": 2}) is None  # no metric
    assert metric_from_data({"train_reward_mean": 0.4}) is None  # no step
    assert metric_from_data("text") is None
    p = metric_from_data({"metrics": {"train_reward_mean": 0.4, "valid_reward_mean": float("nan")}}, step=5)
    assert p == MetricPoint(5, train_reward_mean=0.4)
    merged = merge_points([MetricPoint(5, valid_reward_mean=0.3), MetricPoint(1, train_reward_mean=0.1), p])
    assert merged == (
        MetricPoint(1, train_reward_mean=0.1),
        MetricPoint(5, train_reward_mean=0.4, valid_reward_mean=0.3),
    )


@given(
    train=st.lists(st.floats(0, 1), min_size=2, max_size=12),
    shift=st.floats(0, 1),
)
def test_reward_gap_rule(train: list[float], shift: float) -> None:
    # valid follows train exactly (no gap): never a warning
    same = [MetricPoint(i, train_reward_mean=t, valid_reward_mean=t) for i, t in enumerate(train)]
    assert reward_gap_warning(same) is None
    # a constant gap does not widen: never a warning
    const = [MetricPoint(i, train_reward_mean=t, valid_reward_mean=t - shift) for i, t in enumerate(train)]
    assert reward_gap_warning(const) is None


def test_reward_gap_warns_only_when_large_and_widening() -> None:
    widening = [
        MetricPoint(1, train_reward_mean=0.3, valid_reward_mean=0.3),
        MetricPoint(2, train_reward_mean=0.6, valid_reward_mean=0.4),
    ]
    assert reward_gap_warning(widening) is not None
    assert reward_gap_warning(widening, threshold=0.25) is None
    small = [
        MetricPoint(1, train_reward_mean=0.3, valid_reward_mean=0.3),
        MetricPoint(2, train_reward_mean=0.38, valid_reward_mean=0.3),
    ]
    assert reward_gap_warning(small) is None
    narrowing = [
        MetricPoint(1, train_reward_mean=0.9, valid_reward_mean=0.3),
        MetricPoint(2, train_reward_mean=0.9, valid_reward_mean=0.6),
    ]
    assert reward_gap_warning(narrowing) is None


def test_registry_round_trip_and_atomic_files(tmp_path: Path) -> None:
    reg = FileRegistry(tmp_path / "deep" / "files.json")
    assert reg.get("e", "a" * 64) is None
    reg.put("e", "a" * 64, {"file_id": "file-1"})
    reg.put("e2", "a" * 64, {"file_id": "file-2"})
    assert reg.get("e", "a" * 64) == {"file_id": "file-1"}
    assert reg.get("e2", "a" * 64) == {"file_id": "file-2"}
    reg.forget("e", "a" * 64)
    assert reg.get("e", "a" * 64) is None
    assert [p.name for p in reg.path.parent.iterdir()] == ["files.json"]  # no temporary files left
    assert json.loads(reg.path.read_text())["version"] == 1


def test_registry_corrupt_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "files.json"
    path.write_text("{not json")
    with pytest.raises(BackendError, match="delete it"):
        FileRegistry(path).get("e", "x")
    path.write_text("[]")
    with pytest.raises(BackendError, match="unknown layout"):
        FileRegistry(path).get("e", "x")


def test_default_state_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BIORFT_CACHE_DIR", str(tmp_path / "c"))
    assert default_state_path() == tmp_path / "c" / "openai_files.json"
    monkeypatch.delenv("BIORFT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert default_state_path() == tmp_path / "x" / "biorft" / "openai_files.json"


def test_grader_payload_from_object_dict_and_file(tmp_path: Path) -> None:
    g = StubGrader()
    from_obj = grader_payload(g)
    assert from_obj.body == g.to_openai()
    assert from_obj.referenced_fields == {"target"}
    assert from_obj.name == "label_match"
    path = tmp_path / "grader.json"
    path.write_text(json.dumps(g.to_openai()))
    from_file = grader_payload(path)
    assert from_file.body == g.to_openai()
    assert from_file.referenced_fields == {"target"}  # read from item["target"] in the source
    assert grader_payload(str(path)).body == from_file.body
    path.write_text("[1]")
    with pytest.raises(GraderError, match="not a grader object"):
        grader_payload(path)
    with pytest.raises(GraderError, match="cannot read"):
        grader_payload(tmp_path / "missing.json")


def test_multi_grader_formula_rules() -> None:
    sub = StubGrader().to_openai()
    ok = {"type": "multi", "name": "m", "graders": {"a": sub, "b": sub}, "calculate_output": "max(a, b) ^ 2 - 0.5*b"}
    check_grader(ok)
    for expr, match in [
        ("a +", "does not parse"),
        ("a % b", r"only \+ - \* / \^"),
        ("__import__('os')", "may use only"),
        ("a + c", "'c', which is not one of"),
        ("a if b else 1", "may use only"),
    ]:
        with pytest.raises(GraderError, match=match):
            check_grader({**ok, "calculate_output": expr})
    with pytest.raises(GraderError, match="dict of named graders"):
        check_grader({**ok, "graders": sub})
    with pytest.raises(GraderError, match="identifier"):
        check_grader({**ok, "graders": {"a-b": sub}, "calculate_output": "1"})


def test_models_and_hyperparameters() -> None:
    assert check_model("o4-mini-2025-04-16") == "o4-mini-2025-04-16"
    assert check_model("anything", allow_any_model=True) == "anything"
    for bad in ("", "ft:gpt-4o-mini:org::x", "o3-mini"):
        with pytest.raises(BackendError):
            check_model(bad)
    hp = {
        "n_epochs": "auto",
        "batch_size": 8,
        "learning_rate_multiplier": 0.5,
        "eval_interval": 5,
        "eval_samples": 4,
        "compute_multiplier": 1,
        "reasoning_effort": "high",
    }
    assert check_hyperparameters(hp) == hp
    assert check_hyperparameters(None) == {}
    with pytest.raises(BackendError, match="must be a dict"):
        check_hyperparameters([("n_epochs", 1)])  # type: ignore[arg-type]
