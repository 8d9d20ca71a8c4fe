"""biorft.backends.trl: GRPO dataset columns, the grader-as-reward adapter and the trainer recipe (no training)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft.backends._trl_dataset import grpo_rows
from biorft.backends._trl_reward import grader_reward
from biorft.backends.trl import grpo_dataset, grpo_recipe
from biorft.errors import BackendError, DatasetError, GraderError, MissingDependencyError
from biorft.graders import ITEM_FIELDS as ITEM_COLUMNS
from biorft.graders import item_from_columns
from biorft.rewards import completion_text, to_sample
from biorft.schema import Example, TaskKind, TaskSpec, reference_item

# ---------------------------------------------------------------------------------------------------------------
# stand-ins for biorft.datasets.PromptedExample / TaskDataset / Splits (same attributes as in CONTRACTS.md)


@dataclass(frozen=True)
class Prompted:
    example: Example
    id: str
    messages: list[dict[str, str]]
    item: dict[str, Any]


@dataclass
class Task:
    spec: TaskSpec
    rows: list[Prompted] = field(default_factory=list)

    def examples(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Splits:
    spec: TaskSpec
    train: Task
    valid: Task
    test: Task


def prompted(spec: TaskSpec, ex: Example) -> Prompted:
    messages = [
        {"role": "system", "content": "You are a careful scientist."},
        {"role": "user", "content": f"{spec.instructions}\nEntity: {ex.entity}"},
    ]
    return Prompted(ex, ex.id, messages, reference_item(spec, ex))


def make_task(spec: TaskSpec, examples: list[Example]) -> Task:
    return Task(spec, [prompted(spec, ex) for ex in examples])


BBB = TaskSpec(
    name="molecules/bbb_stand_in",
    domain="molecules",
    kind="binary",
    labels=("BBB+", "BBB-"),
    positive_label="BBB+",
    instructions="Does this molecule cross the blood-brain barrier? End with a final line 'Answer: BBB+' or "
    "'Answer: BBB-'.",
)
TOX = TaskSpec(
    name="molecules/tox_stand_in", domain="molecules", kind="multilabel", labels=("ahr", "ar", "er"), instructions="x"
)
LOGS = TaskSpec(name="molecules/logs_stand_in", domain="molecules", kind="regression", tolerance=0.5, instructions="x")


def bbb_task(n: int = 6) -> Task:
    smiles = ["CCO", "c1ccccc1", "CC(=O)O", "CCN(CC)CC", "O=C(O)c1ccccc1O", "CN1CCC[C@H]1c1cccnc1"]
    return make_task(BBB, [Example(id=f"m{i}", entity=smiles[i % 6], target=BBB.labels[i % 2]) for i in range(n)])


def columns_of(ds: Any) -> dict[str, list[Any]]:
    """The reward kwargs TRL builds for a batch: every column but 'prompt', one value per row."""
    rows = [ds[i] for i in range(len(ds))]
    return {k: [r[k] for r in rows] for k in rows[0] if k != "prompt"}


# Skipped only when the optional training stack is missing; CI sets BIORFT_REQUIRE_TRL=1 (see .ci/run) so that a
# broken install fails these tests instead of skipping them.
_MUST_RUN = os.environ.get("BIORFT_REQUIRE_TRL") == "1"
requires_datasets = pytest.mark.skipif(
    find_spec("datasets") is None and not _MUST_RUN,
    reason="needs the trl extra (datasets): pip install 'biorft[trl]'",
)
requires_trl = pytest.mark.skipif(
    (find_spec("trl") is None or find_spec("torch") is None) and not _MUST_RUN,
    reason="needs torch and the trl extra: pip install torch, then pip install 'biorft[trl]'",
)


# ---------------------------------------------------------------------------------------------------------------
# rows and datasets


def test_rows_one_per_example_in_order() -> None:
    task = bbb_task()
    rows = grpo_rows(task)
    assert [r["id"] for r in rows] == [p.id for p in task.rows]
    assert rows[0]["prompt"] == task.rows[0].messages
    assert {k: v for k, v in rows[1].items() if k != "prompt"} == task.rows[1].item


def test_multilabel_rows_carry_known_labels_or_none() -> None:
    exs = [
        Example(id="a", entity="CCO", target=["ar"], metadata={"known_labels": ["ar", "er"]}),
        Example(id="b", entity="CCC", target=[]),
    ]
    rows = grpo_rows(make_task(TOX, exs))
    assert rows[0]["known_labels"] == ["ar", "er"]
    assert rows[1]["known_labels"] is None
    assert rows[1]["target"] == []


def test_empty_split_is_an_error() -> None:
    with pytest.raises(DatasetError, match="no examples"):
        grpo_rows(Task(BBB, []))


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda p: Prompted(p.example, p.id, [], p.item), "no prompt messages"),
        (
            lambda p: Prompted(p.example, p.id, [*p.messages, {"role": "assistant", "content": "x"}], p.item),
            "last message must be the user",
        ),
        (lambda p: Prompted(p.example, p.id, [{"role": "robot", "content": "x"}], p.item), "message 0"),
        (lambda p: Prompted(p.example, p.id, p.messages, {**p.item, "target": 1.0}), "label string"),
        (lambda p: Prompted(p.example, p.id, p.messages, {**p.item, "id": "other"}), "carries the item of 'other'"),
        (lambda p: Prompted(p.example, p.id, p.messages, {**p.item, "task": "x/y"}), "belongs to task 'x/y'"),
        (lambda p: Prompted(p.example, p.id, p.messages, {**p.item, "smiles": "C"}), r"unknown keys \['smiles'\]"),
        (lambda p: Prompted(p.example, p.id, p.messages, {k: v for k, v in p.item.items() if k != "target"}), "lacks"),
        (lambda p: Prompted(p.example, p.id, p.messages, {**p.item, "known_labels": ["BBB+"]}), "known_labels"),
    ],
)
def test_malformed_example_names_its_id(mutate: Any, match: str) -> None:
    task = bbb_task(3)
    task.rows[1] = mutate(task.rows[1])
    with pytest.raises(DatasetError, match=match) as err:
        grpo_rows(task)
    assert "'m1'" in str(err.value)


@requires_datasets
def test_dataset_columns_and_types_per_kind() -> None:
    ds = grpo_dataset(bbb_task())
    assert ds.column_names == ["prompt", "id", "task", "kind", "entity", "target"]
    assert ds.features["target"].dtype == "string"
    assert len(ds) == 6
    reg = grpo_dataset(make_task(LOGS, [Example(id="r1", entity="CCO", target=1)]))
    assert reg.features["target"].dtype == "float64"
    assert reg[0]["target"] == 1.0
    assert isinstance(reg[0]["target"], float)
    ml = grpo_dataset(make_task(TOX, [Example(id="t1", entity="CCO", target=[])]))
    assert ml.column_names[-2:] == ["target", "known_labels"]
    assert ml[0]["target"] == []
    assert ml[0]["known_labels"] is None


def test_grpo_dataset_rejects_non_task() -> None:
    with pytest.raises(DatasetError, match=r"splits\.train"):
        grpo_dataset(Splits(BBB, bbb_task(), bbb_task(), bbb_task()))


def test_missing_datasets_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'biorft\[trl\]'"):
        grpo_dataset(bbb_task())


def test_missing_trl_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trl", None)
    with pytest.raises(MissingDependencyError, match=r"grpo_recipe needs 'trl'.*pip install 'biorft\[trl\]'"):
        grpo_recipe("any/model", bbb_task(), output_dir="unused")


def test_import_does_not_load_heavy_dependencies() -> None:
    code = (
        "import sys, biorft.backends.trl; "
        "print(','.join(m for m in ('trl', 'torch', 'datasets', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


_label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz+-_ ", min_size=1, max_size=8).filter(lambda s: s.strip() != "")


@st.composite
def tasks(draw: st.DrawFn) -> Task:
    kind = draw(st.sampled_from(list(TaskKind)))
    labels: tuple[str, ...] = ()
    if kind is TaskKind.BINARY:
        labels = tuple(draw(st.lists(_label, min_size=2, max_size=2, unique=True)))
    elif kind is not TaskKind.REGRESSION:
        labels = tuple(draw(st.lists(_label, min_size=2, max_size=5, unique=True)))
    spec = TaskSpec(name="t/h", domain="other", kind=kind, labels=labels, instructions="Answer.")
    n = draw(st.integers(1, 6))
    examples = []
    for i in range(n):
        metadata: dict[str, Any] = {}
        target: Any
        if kind is TaskKind.REGRESSION:
            target = draw(st.floats(allow_nan=False, allow_infinity=False, width=64))
        elif kind is TaskKind.MULTILABEL:
            target = draw(st.lists(st.sampled_from(labels), unique=True))
            if draw(st.booleans()):
                metadata["known_labels"] = draw(st.lists(st.sampled_from(labels), unique=True))
        else:
            target = draw(st.sampled_from(labels))
        entity = draw(st.text(min_size=1, max_size=12))
        examples.append(Example(id=f"e{i}", entity=entity, target=target, metadata=metadata))
    return make_task(spec, examples)


@requires_datasets
@given(tasks())
def test_reward_rebuilds_reference_item_exactly(task: Task) -> None:
    """Invariant: dataset columns -> item (as the reward sees it) == reference_item, for every kind and example."""
    ds = grpo_dataset(task)
    assert len(ds) == len(task)
    cols = columns_of(ds)
    for i, p in enumerate(task.rows):
        assert item_from_columns(cols, i, ITEM_COLUMNS) == p.item
        assert ds[i]["prompt"] == p.messages
    seen: list[dict[str, Any]] = []

    def spy(sample: Any, item: dict[str, Any]) -> float:
        seen.append(item)
        return 0.5

    scores = grader_reward(spy)(completions=["x"] * len(ds), **cols)
    assert scores == [0.5] * len(ds)
    assert seen == [p.item for p in task.rows]


# ---------------------------------------------------------------------------------------------------------------
# the reward adapter


class ExactGrader:
    """Stand-in for biorft.graders (same call signature): 1 if the one 'Answer:' line, last, equals the target."""

    name = "exact"
    referenced_fields = frozenset({"target"})

    def __call__(self, sample: Any, item: dict[str, Any]) -> float:
        text = sample["output_text"] if isinstance(sample, dict) else sample
        lines = [ln for ln in text.splitlines() if ln.strip()]
        stated = [ln for ln in lines if ln.startswith("Answer:")]
        if len(stated) != 1 or stated[0] != lines[-1]:
            return 0.0  # one answer, last: a grader that reads any of several answers can be gamed
        return float(stated[0].removeprefix("Answer:").strip() == item["target"])


def test_reward_scores_conversational_and_plain_completions() -> None:
    reward = grader_reward(ExactGrader())
    assert reward.__name__ == "biorft_exact"
    out = reward(
        prompts=[[{"role": "user", "content": "?"}]] * 3,
        completions=[
            [{"role": "assistant", "content": "Thinking...\nAnswer: BBB+"}],
            [{"role": "assistant", "content": "Answer: BBB-"}],
            "Answer: BBB+",
        ],
        completion_ids=[[1], [2], [3]],
        id=["m0", "m0", "m1"],
        target=["BBB+", "BBB+", "BBB+"],
        trainer_state=object(),
    )
    assert out == [1.0, 0.0, 1.0]


def test_reward_gives_output_json() -> None:
    seen: list[Any] = []

    def grader(sample: Any, item: dict[str, Any]) -> float:
        seen.append(sample)
        return 1.0

    grader_reward(grader)(completions=['  {"answer": "BBB+"} ', "[1, 2", "plain"], target=["a", "a", "a"])
    assert seen[0]["output_json"] == {"answer": "BBB+"}
    assert "output_json" not in seen[1]
    assert "output_json" not in seen[2]
    assert to_sample("") == {"output_text": ""}


def test_completion_text_joins_assistant_turns_only() -> None:
    completion = [
        {"role": "assistant", "content": "a"},
        {"role": "tool", "content": "tool output"},
        {"role": "assistant", "content": [{"type": "text", "text": "b"}, {"type": "image"}]},
    ]
    assert completion_text(completion) == "a\nb"
    assert completion_text({"role": "assistant", "content": "solo"}) == "solo"


def test_reward_is_none_where_a_required_field_is_null() -> None:
    out = grader_reward(ExactGrader())(completions=["Answer: x", "Answer: x"], id=["a", "b"], target=["x", None])
    assert out == [1.0, None]

    class FormatOnly:
        referenced_fields = frozenset({"known_labels"})  # optional field: never required

        def __call__(self, sample: Any, item: dict[str, Any]) -> float:
            return float(sample["output_text"].startswith("Answer:"))

    assert grader_reward(FormatOnly())(completions=["Answer: x", "x"], target=[None, None]) == [1.0, 0.0]
    with pytest.raises(GraderError, match=r"no column\(s\) \['target'\]"):
        grader_reward(lambda s, i: 1.0)(completions=["x"], id=["a"])  # undeclared fields: reads target


def test_reward_requires_the_columns_the_grader_reads() -> None:
    class NeedsSmiles(ExactGrader):
        referenced_fields = frozenset({"target", "smiles", "known_labels"})

    with pytest.raises(GraderError, match=r"no column\(s\) \['smiles'\].*grpo_dataset"):
        grader_reward(NeedsSmiles())(completions=["x"], target=["x"])
    # known_labels is optional (absent for examples without measured-label records); smiles is passed through
    seen: list[dict[str, Any]] = []

    class Spy(NeedsSmiles):
        def __call__(self, sample: Any, item: dict[str, Any]) -> float:
            seen.append(item)
            return 0.0

    grader_reward(Spy())(completions=["x"], target=["x"], smiles=["CCO"])
    assert seen == [{"target": "x", "smiles": "CCO"}]


@pytest.mark.parametrize("bad", [1.5, -0.1, math.nan, "high"])
def test_reward_rejects_scores_outside_unit_interval(bad: Any) -> None:
    with pytest.raises(GraderError, match=r"row 'r7'"):
        grader_reward(lambda s, i: bad)(completions=["x"], id=["r7"], target=["x"])


def test_reward_reports_grader_exceptions_with_row() -> None:
    def broken(sample: Any, item: dict[str, Any]) -> float:
        raise KeyError("oops")

    with pytest.raises(GraderError, match=r"raised KeyError.*row 'r1'.*fix the grader"):
        grader_reward(broken)(completions=["x"], id=["r1"], target=["x"])


@dataclass
class Result:
    score: float
    reason: Any


class ExplainingGrader(ExactGrader):
    def explain(self, sample: Any, item: dict[str, Any]) -> Result:
        text = sample["output_text"]
        if "Answer:" not in text:
            return Result(0.0, "no_answer")
        score = self(sample, item)
        return Result(score, "correct" if score == 1.0 else "incorrect")


def test_reward_logs_reasons_and_unscorable_share() -> None:
    extra: dict[str, list[Any]] = {}
    metrics: dict[str, list[float]] = {}
    out = grader_reward(ExplainingGrader())(
        completions=["Answer: BBB+", "hmm", "Answer: BBB-", "no idea"],
        target=["BBB+"] * 4,
        log_extra=lambda col, vals: extra.setdefault(col, []).extend(vals),
        log_metric=lambda name, val: metrics.setdefault(name, []).append(val),
    )
    assert out == [1.0, 0.0, 0.0, 0.0]
    assert extra == {"biorft_reason": ["correct", "no_answer", "incorrect", "no_answer"]}
    assert metrics == {"biorft/unscorable": [0.5]}


# ---------------------------------------------------------------------------------------------------------------
# the recipe (trainer construction; training itself is in test_trl_training.py)


def tiny_model_and_tokenizer(task: Any) -> tuple[Any, Any]:
    """A randomly initialised 2-layer Llama and a byte-level BPE tokenizer trained on the prompts (no download)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    specials = ["<pad>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    texts = [m["content"] for p in task.examples() for m in p.messages]
    texts += [f"Answer: {label}" for label in task.spec.labels]
    tok.train_from_iterator(
        texts,
        trainers.BpeTrainer(
            vocab_size=384,
            special_tokens=specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        ),
    )
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<|end|>")
    tokenizer.chat_template = (
        "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
        "{% if add_generation_prompt %}<|assistant|>{% endif %}"
    )
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=1024,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
    )
    return LlamaForCausalLM(config), tokenizer


@requires_trl
def test_recipe_configures_trainer_for_cpu(tmp_path: Any) -> None:
    task = bbb_task()
    model, tokenizer = tiny_model_and_tokenizer(task)
    splits = Splits(BBB, task, bbb_task(2), bbb_task(2))
    trainer = grpo_recipe(
        model,
        splits,
        ExactGrader(),
        tokenizer=tokenizer,
        output_dir=tmp_path,
        max_steps=3,
        num_generations=4,
        per_device_train_batch_size=4,
        max_completion_length=8,
        save_strategy="no",
    )
    args = trainer.args
    assert (args.max_steps, args.num_generations, args.max_completion_length) == (3, 4, 8)
    assert args.report_to in ([], "none", ["none"])  # transformers normalises "none" to [] (no tracker)
    assert "wandb" not in args.report_to
    assert args.bf16 is False  # no bf16-capable GPU here
    assert args.remove_unused_columns is False
    assert args.save_strategy == "no"
    assert trainer.reward_func_names == ["biorft_exact"]
    assert len(trainer.train_dataset) == len(task)
    assert len(trainer.eval_dataset) == 2  # splits.valid became the eval set
    assert "target" in trainer.train_dataset.column_names


@requires_trl
def test_recipe_extra_reward_funcs_and_only_custom(tmp_path: Any) -> None:
    task = bbb_task()
    model, tokenizer = tiny_model_and_tokenizer(task)

    def brevity(completions: list[Any], **kw: Any) -> list[float]:
        return [1.0 / (1 + len(completion_text(c))) for c in completions]

    common: dict[str, Any] = {"tokenizer": tokenizer, "output_dir": tmp_path, "num_generations": 2}
    both = grpo_recipe(model, task, ExactGrader(), reward_funcs=[brevity], reward_weights=[1.0, 0.1], **common)
    assert both.reward_func_names == ["biorft_exact", "brevity"]
    only = grpo_recipe(model, grpo_dataset(task), reward_funcs=[brevity], **common)
    assert only.reward_func_names == ["brevity"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_generations": 1}, "num_generations must be >= 2"),
        ({"max_steps": 0}, "max_steps must be >= 1"),
        ({"per_device_train_batch_size": 0}, "per_device_train_batch_size must be an integer >= 1"),
        ({"num_generations": 3, "per_device_train_batch_size": 4}, r"rejected the settings.*divisible.*\(3\)"),
        ({"not_a_grpo_field": 1}, "does not accept these settings.*not_a_grpo_field"),
    ],
)
@requires_trl
def test_recipe_rejects_bad_settings(tmp_path: Any, kwargs: dict[str, Any], match: str) -> None:
    task = bbb_task()
    model, tokenizer = tiny_model_and_tokenizer(task)
    with pytest.raises(BackendError, match=match):
        grpo_recipe(model, task, ExactGrader(), tokenizer=tokenizer, output_dir=tmp_path, **kwargs)


@requires_trl
def test_recipe_needs_tokenizer_with_chat_template(tmp_path: Any) -> None:
    task = bbb_task()
    model, tokenizer = tiny_model_and_tokenizer(task)
    with pytest.raises(BackendError, match="pass tokenizer="):
        grpo_recipe(model, task, ExactGrader(), output_dir=tmp_path)
    tokenizer.chat_template = None
    with pytest.raises(BackendError, match="no chat template"):
        grpo_recipe(model, task, ExactGrader(), tokenizer=tokenizer, output_dir=tmp_path)


@requires_trl
def test_recipe_checks_dataset_and_grader(tmp_path: Any) -> None:
    task = bbb_task()
    model, tokenizer = tiny_model_and_tokenizer(task)
    ds = grpo_dataset(task)
    with pytest.raises(BackendError, match="pass grader="):
        grpo_recipe(model, ds, tokenizer=tokenizer, output_dir=tmp_path)

    class NeedsSmiles(ExactGrader):
        referenced_fields = frozenset({"target", "smiles"})

    with pytest.raises(BackendError, match=r"reads column\(s\) \['smiles'\]"):
        grpo_recipe(model, ds, NeedsSmiles(), tokenizer=tokenizer, output_dir=tmp_path)
    with pytest.raises(DatasetError, match="no 'prompt' column"):
        grpo_recipe(model, ds.remove_columns("prompt"), ExactGrader(), tokenizer=tokenizer, output_dir=tmp_path)
    with pytest.raises(DatasetError, match="got list"):
        grpo_recipe(model, [1, 2], ExactGrader(), tokenizer=tokenizer, output_dir=tmp_path)
