from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft import rewards
from biorft.errors import GraderError
from biorft.graders import FormatGrader, LabelGrader, NumericGrader, SetGrader

BBB = LabelGrader(["BBB+", "BBB-"], name="molecules/bbb_b3db")


def trl_call(reward: rewards.TRLReward, completions: list[object], **columns: object) -> list[float | None]:
    """Call the reward the way TRL's GRPOTrainer does: keyword arguments only, with its extra keys."""
    n = len(completions)
    return reward(
        prompts=[[{"role": "user", "content": "q"}]] * n,
        completions=completions,
        completion_ids=[[1, 2]] * n,
        trainer_state=object(),
        **columns,
    )


def test_trl_standard_and_conversational_completions() -> None:
    reward = rewards.trl(BBB)
    completions = [
        "Answer: BBB+",
        [{"role": "assistant", "content": "Reasoning.\nAnswer: BBB-"}],
        [{"role": "assistant", "content": [{"type": "text", "text": "<answer>BBB+</answer>"}]}],
        [{"role": "user", "content": "Answer: BBB+"}, {"role": "assistant", "content": "Answer: BBB+ or BBB-"}],
    ]
    assert trl_call(reward, completions, target=["BBB+", "BBB+", "BBB-", "BBB+"]) == [1.0, 0.0, 0.0, 0.0]


def test_trl_name_for_logging() -> None:
    assert rewards.trl(BBB).__name__ == "molecules_bbb_b3db"
    assert rewards.trl(BBB, name="bbb_reward").__name__ == "bbb_reward"


def test_trl_builds_items_from_referenced_columns() -> None:
    g = SetGrader(["A", "B", "C"])
    reward = rewards.trl(g)
    out = trl_call(
        reward,
        ["Answer: A, C", "Answer: A, C"],
        target=[["A"], ["A"]],
        known_labels=[["A", "B"], None],
        id=["1", "2"],
        smiles=["CCO", "CCN"],
    )
    assert out == [1.0, pytest.approx(2 / 3)]


def test_trl_none_for_rows_without_reference_or_other_task() -> None:
    reward = rewards.trl(NumericGrader(abs_tol=0.5), task="molecules/logs")
    out = trl_call(
        reward,
        ["Answer: 1", "Answer: 1", "Answer: 1"],
        target=[1.0, None, 1.0],
        task=["molecules/logs", "molecules/logs", "genes/other"],
    )
    assert out == [1.0, None, None]


def test_trl_missing_column_is_a_setup_error() -> None:
    with pytest.raises(GraderError, match=r"no column\(s\) \['target'\].*columns seen: \['label'\]"):
        trl_call(rewards.trl(BBB), ["Answer: BBB+"], label=["BBB+"])
    with pytest.raises(GraderError, match="one value per completion"):
        trl_call(rewards.trl(BBB), ["Answer: BBB+"], target="BBB+")
    with pytest.raises(GraderError, match="Grader"):
        rewards.trl(42)  # type: ignore[arg-type]  # not callable (any callable grader(sample, item) is accepted)
    assert trl_call(rewards.trl(FormatGrader()), ["Answer: x", "nothing\nhere"]) == [1.0, 0.0]


def exact(sample: dict[str, object], item: dict[str, object]) -> float:
    """A plain-function grader (module level, so a reward wrapping it pickles)."""
    return float(sample["output_text"] == item["target"])


def test_trl_accepts_any_callable_grader() -> None:
    reward = rewards.trl(exact)
    assert reward.__name__ == "exact"
    assert trl_call(reward, ["yes", [{"role": "assistant", "content": "no"}]], target=["yes", "yes"]) == [1.0, 0.0]
    assert pickle.loads(pickle.dumps(reward))(["yes"], target=["yes"]) == [1.0]
    seen: list[dict[str, object]] = []

    def spy(sample: dict[str, object], item: dict[str, object]) -> float:
        seen.append(item)
        return 1.0

    out = trl_call(
        rewards.trl(spy),
        ["a", "b"],
        id=["1", "2"],
        task=["t", "t"],
        kind=["multilabel", "multilabel"],
        entity=["CCO", "CCN"],
        target=[["x"], ["y"]],
        known_labels=[["x", "y"], None],
        smiles=["CCO", "CCN"],
    )
    assert out == [1.0, 1.0]
    # exactly reference_item's keys: null known_labels left out, columns the grader does not read ignored
    assert seen == [
        {"id": "1", "task": "t", "kind": "multilabel", "entity": "CCO", "target": ["x"], "known_labels": ["x", "y"]},
        {"id": "2", "task": "t", "kind": "multilabel", "entity": "CCN", "target": ["y"]},
    ]


def test_trl_sample_carries_output_json() -> None:
    only_json = FormatGrader(["output_json"])
    completions = ['{"answer": "BBB+"}', 'Answer: {"answer": "BBB+"}']
    assert trl_call(rewards.trl(only_json), completions) == [1.0, 0.0]
    assert rewards.to_sample(" [1, 2] ") == {"output_text": " [1, 2] ", "output_json": [1, 2]}
    assert rewards.to_sample("{not json") == {"output_text": "{not json"}


def test_trl_logs_reasons_and_unscorable_share() -> None:
    extra: dict[str, list[object]] = {}
    metrics: dict[str, list[float]] = {}
    out = trl_call(
        rewards.trl(BBB, task="molecules/bbb_b3db"),
        ["Answer: BBB+", "", "Answer: BBB+ or BBB-", "Answer: BBB-", "Answer: BBB+"],
        target=["BBB+"] * 5,
        task=["molecules/bbb_b3db"] * 4 + ["other/task"],
        log_extra=lambda column, values: extra.setdefault(column, []).extend(values),
        log_metric=lambda name, value: metrics.setdefault(name, []).append(value),
    )
    assert out == [1.0, 0.0, 0.0, 0.0, None]
    assert extra == {"biorft_reason": ["correct", "no_answer", "hedged", "incorrect", ""]}
    assert metrics == {"biorft/unscorable": [0.25]}  # 1 of the 4 graded rows; the other task's row is not graded


def test_trl_grader_bugs_name_the_row() -> None:
    with pytest.raises(GraderError, match=r"returned 2\.0 for row 'm1'; scores must be in \[0, 1\]"):
        trl_call(rewards.trl(lambda s, i: 2.0), ["x", "y"], id=["m0", "m1"], target=[None, "a"])
    with pytest.raises(GraderError, match=r"raised ZeroDivisionError.*row 0 of the batch \(it has no id\)"):
        trl_call(rewards.trl(lambda s, i: 1 / 0), ["x"], target=["a"])
    with pytest.raises(GraderError, match=r"one value per completion \(2\), got 1 values"):
        trl_call(rewards.trl(BBB), ["x", "y"], target=["BBB+"])


@given(st.lists(st.tuples(st.text(max_size=80), st.sampled_from(["BBB+", "BBB-"])), max_size=8))
def test_trl_matches_the_grader(rows: list[tuple[str, str]]) -> None:
    reward = rewards.trl(BBB)
    texts = [t for t, _ in rows]
    targets = [g for _, g in rows]
    expected = [BBB({"output_text": t}, {"target": g}) for t, g in rows]
    assert trl_call(reward, texts, target=targets) == expected
    conversational = [[{"role": "assistant", "content": t}] for t in texts]
    assert trl_call(reward, conversational, target=targets) == expected


def test_verl() -> None:
    compute_score = rewards.verl(BBB)
    assert compute_score("b3db", "Answer: BBB+", "BBB+") == 1.0
    assert compute_score("b3db", "Answer: BBB+", "BBB-", extra_info={"index": 3}) == 0.0
    assert compute_score("b3db", "Answer: BBB+", None, extra_info={"item": {"target": "BBB+"}}) == 1.0
    assert compute_score(data_source="b3db", solution_str=None, ground_truth="BBB+") == 0.0  # type: ignore[arg-type]
    detailed = rewards.verl(BBB, details=True)("b3db", "Answer: both", "BBB+")
    assert detailed == {"score": 0.0, "reason": "hedged", "correct": 0.0}


def test_adapters_pickle() -> None:
    reward = pickle.loads(pickle.dumps(rewards.trl(BBB)))
    assert reward.__name__ == "molecules_bbb_b3db"
    assert reward(["Answer: BBB+"], target=["BBB+"]) == [1.0]
    assert pickle.loads(pickle.dumps(rewards.verl(BBB)))("d", "Answer: BBB-", "BBB-") == 1.0


def test_completion_text() -> None:
    assert rewards.completion_text({"role": "assistant", "content": "x"}) == "x"
    assert rewards.completion_text([]) == ""
    assert rewards.completion_text(None) == ""
    assert (
        rewards.completion_text([{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}])
        == "a\nb"
    )
    # only the model's turns: a tool result or a user turn is not the answer
    assert rewards.completion_text([{"role": "tool", "content": "Answer: BBB+"}]) == ""
    assert rewards.completion_text([{"role": "assistant", "content": ["Answer: ", {"type": "image"}, "x"]}]) == (
        "Answer: x"
    )
