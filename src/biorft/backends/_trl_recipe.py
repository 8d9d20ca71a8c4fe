"""A configured TRL ``GRPOTrainer`` for a biorft task: dataset, reward and sensible defaults in one call."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from biorft._audit import check_reward
from biorft.backends._trl_dataset import grpo_rows, rows_to_dataset
from biorft.backends._trl_reward import RewardFunc, grader_reward
from biorft.errors import BackendError, DatasetError, require
from biorft.graders import grader_for
from biorft.schema import TaskSpec

__all__ = ["grpo_dataset", "grpo_recipe"]


def grpo_dataset(data: Any) -> Any:
    """A task dataset as a Hugging Face ``datasets.Dataset`` ready for TRL's ``GRPOTrainer``.

    Columns: ``prompt`` (the example's chat messages, TRL's conversational format) and the grader's item columns
    ``id``, ``task``, ``kind``, ``entity``, ``target`` and, for multilabel tasks, ``known_labels``. ``target`` keeps
    its native type per task kind (``str`` label, ``list[str]`` labels, ``float`` value), so the reward rebuilds
    each item exactly as `biorft.schema.reference_item` made it. One row per example, in order.

    Args:
        data: A `biorft.datasets.TaskDataset` (e.g. ``splits.train``), or anything with ``.spec`` and
            ``.examples()`` yielding prompted examples.

    Returns:
        A ``datasets.Dataset``.

    Raises:
        MissingDependencyError: The ``trl`` extra (``datasets``) is not installed.
        DatasetError: The split is empty or an example is malformed (the message names the example id).

    Examples:
        >>> import biorft as br  # doctest: +SKIP
        >>> splits = br.load_task("molecules/bbb_b3db").split("scaffold", seed=0)  # doctest: +SKIP
        >>> train = grpo_dataset(splits.train)  # doctest: +SKIP
        >>> train.column_names  # doctest: +SKIP
        ['prompt', 'id', 'task', 'kind', 'entity', 'target']
    """
    if not (hasattr(data, "spec") and callable(getattr(data, "examples", None))):
        raise DatasetError(
            f"grpo_dataset needs a TaskDataset (with .spec and .examples()), got {type(data).__name__}; for a Splits "
            "object pass splits.train"
        )
    rows = grpo_rows(data)
    return rows_to_dataset(rows, data.spec.kind)


def _is_hf_dataset(data: Any) -> bool:
    return isinstance(getattr(data, "column_names", None), list)


def _as_dataset(data: Any, what: str) -> tuple[Any, TaskSpec | None]:
    if _is_hf_dataset(data):
        return data, None
    if hasattr(data, "spec") and callable(getattr(data, "examples", None)):
        return grpo_dataset(data), data.spec
    raise DatasetError(
        f"grpo_recipe: {what} must be a TaskDataset, a Splits or a datasets.Dataset from grpo_dataset(), got "
        f"{type(data).__name__}"
    )


def _default_bf16() -> bool:
    torch: Any = require("torch", extra="trl", feature="grpo_recipe")
    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BackendError(f"grpo_recipe: {name} must be an integer >= 1, got {value!r}")


def grpo_recipe(
    model: Any,
    data: Any,
    grader: Callable[[Any, Any], float] | None = None,
    *,
    output_dir: str | os.PathLike[str],
    tokenizer: Any = None,
    eval_data: Any = None,
    reward_funcs: Sequence[RewardFunc] | None = None,
    max_steps: int = 500,
    num_generations: int = 8,
    max_completion_length: int = 1024,
    learning_rate: float = 1e-6,
    per_device_train_batch_size: int = 8,
    gradient_accumulation_steps: int = 1,
    temperature: float = 1.0,
    beta: float = 0.0,
    logging_steps: int = 1,
    seed: int = 0,
    peft_config: Any = None,
    callbacks: Sequence[Any] = (),
    allow_hackable: bool = False,
    **grpo_config_overrides: Any,
) -> Any:
    """A configured ``trl.GRPOTrainer`` that trains ``model`` on a biorft task with biorft's reward.

    Call ``.train()`` on the result. The reward is the task's grader wrapped for TRL: each completion is graded
    against the item rebuilt from the dataset's columns, exactly as the OpenAI RFT grader and the evaluation runner
    grade it. Defaults suit a single GPU; everything else goes to ``trl.GRPOConfig`` through
    ``**grpo_config_overrides`` (e.g. ``use_vllm=True``, ``num_train_epochs``, ``save_steps``,
    ``gradient_checkpointing``, ``model_init_kwargs``). Scale out by launching the same script with
    ``accelerate launch`` (DeepSpeed / FSDP configs); see the "Fine-tune an open model with TRL GRPO" guide.

    Args:
        model: A model name or local path (TRL loads it), or a preloaded ``transformers`` causal LM (then pass
            ``tokenizer``).
        data: The training data: a `biorft.datasets.TaskDataset`, a `biorft.datasets.Splits` (trains
            on ``.train``; ``.valid`` becomes the eval set), or a ``datasets.Dataset`` made by `grpo_dataset`.
        grader: The grader to reward with; default ``biorft.grader_for(spec)`` (needs a TaskDataset / Splits, which
            carry the spec). Anything callable as ``grader(sample, item) -> float`` works.
        output_dir: Where TRL writes checkpoints and logs.
        tokenizer: The tokenizer (TRL's ``processing_class``); loaded from ``model`` when it is a name or path. It
            needs a chat template, because prompts are conversations.
        eval_data: Optional evaluation data (same types as ``data``); evaluation runs when ``eval_strategy`` is set.
        reward_funcs: Extra TRL reward functions added after the grader's reward (e.g. a length penalty). Passing
            them without ``grader`` uses only these (no default grader).
        max_steps: Optimiser steps (``-1`` to train for ``num_train_epochs`` instead).
        num_generations: Completions sampled per prompt (the GRPO group); must divide the generation batch
            (``per_device_train_batch_size * gradient_accumulation_steps * processes``).
        max_completion_length: Token budget per completion, reasoning included.
        learning_rate: AdamW learning rate.
        per_device_train_batch_size: Completions per device per step.
        gradient_accumulation_steps: Steps accumulated per optimiser update (also generation steps per batch).
        temperature: Sampling temperature during rollouts.
        beta: KL coefficient against the reference model (0 = no reference model, TRL's default).
        logging_steps: Log (reward, KL, lengths) every this many steps.
        seed: Random seed for TRL / transformers.
        peft_config: Optional ``peft.LoraConfig`` (needs ``peft``) to train adapters instead of all weights.
        callbacks: ``transformers.TrainerCallback`` objects.
        allow_hackable: Skip the reward-hacking audit that otherwise runs first (in seconds, when ``data`` carries
            its task: constant, hedged and garbage answers against the prior baseline) and refuses a hackable grader.
        **grpo_config_overrides: Any other ``trl.GRPOConfig`` field; overrides the defaults above
            (biorft sets ``report_to="none"``, ``bf16`` only on a bf16-capable GPU, ``remove_unused_columns=False``).

    Returns:
        A ``trl.GRPOTrainer``.

    Raises:
        MissingDependencyError: The ``trl`` extra is not installed.
        BackendError: A setting is invalid or TRL rejects it (the message names the parameter), the tokenizer lacks
            a chat template, or the dataset lacks a column the grader reads.
        DatasetError: The data is empty, malformed or of an unsupported type.
        HackableGraderError: The audit found a degenerate answer the grader pays (``allow_hackable=False``).

    Examples:
        >>> import biorft as br  # doctest: +SKIP
        >>> splits = br.load_task("molecules/bbb_b3db").split("scaffold", seed=0)  # doctest: +SKIP
        >>> trainer = grpo_recipe("Qwen/Qwen3-0.6B", splits, output_dir="runs/bbb-grpo",  # doctest: +SKIP
        ...                       max_steps=200, num_generations=8)
        >>> trainer.train()  # doctest: +SKIP
    """
    trl: Any = require("trl", extra="trl", feature="grpo_recipe")
    _check_positive(
        num_generations=num_generations,
        max_completion_length=max_completion_length,
        per_device_train_batch_size=per_device_train_batch_size,
        gradient_accumulation_steps=gradient_accumulation_steps,
        logging_steps=logging_steps,
    )
    if num_generations < 2:
        raise BackendError(f"grpo_recipe: num_generations must be >= 2 (GRPO compares a group), got {num_generations}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or (max_steps < 1 and max_steps != -1):
        raise BackendError(f"grpo_recipe: max_steps must be >= 1 (or -1 to use num_train_epochs), got {max_steps!r}")

    if not isinstance(model, str) and tokenizer is None:
        raise BackendError(
            "grpo_recipe: pass tokenizer=... with a preloaded model (only a model name or path lets TRL load it)"
        )
    if tokenizer is not None and not getattr(tokenizer, "chat_template", None):
        raise BackendError(
            "grpo_recipe: the tokenizer has no chat template, but biorft prompts are conversations; use an "
            "instruct/chat model's tokenizer or set tokenizer.chat_template"
        )

    task_data = data
    if eval_data is None and hasattr(data, "train") and hasattr(data, "valid") and not _is_hf_dataset(data):
        eval_data = data.valid
    if hasattr(data, "train") and not _is_hf_dataset(data):
        data = data.train
    train, spec = _as_dataset(data, "data")
    evaluation = _as_dataset(eval_data, "eval_data")[0] if eval_data is not None else None
    if "prompt" not in train.column_names:
        raise DatasetError("grpo_recipe: the training dataset has no 'prompt' column; build it with grpo_dataset()")

    rewards: list[RewardFunc] = []
    if grader is None and reward_funcs is None:
        if spec is None:
            raise BackendError(
                "grpo_recipe: pass grader=... (a datasets.Dataset does not carry its task spec, so biorft cannot "
                "choose the task's grader)"
            )
        grader = grader_for(spec)
    if grader is not None:
        if not allow_hackable and not _is_hf_dataset(task_data):  # the data carries its task: audit first
            check_reward(task_data, grader, where="grpo_recipe")
        reward = grader_reward(grader)
        missing = sorted(reward.required - set(train.column_names))
        if missing:
            raise BackendError(
                f"grpo_recipe: the grader reads column(s) {missing} that the training dataset lacks; build it with "
                "grpo_dataset()"
            )
        rewards.append(reward)
    rewards.extend(reward_funcs or ())
    if not rewards:
        raise BackendError("grpo_recipe: no reward; pass grader=... or reward_funcs=[...]")

    settings: dict[str, Any] = {
        "output_dir": os.fspath(output_dir),
        "max_steps": max_steps,
        "num_generations": num_generations,
        "max_completion_length": max_completion_length,
        "learning_rate": learning_rate,
        "per_device_train_batch_size": per_device_train_batch_size,
        "gradient_accumulation_steps": gradient_accumulation_steps,
        "temperature": temperature,
        "beta": beta,
        "logging_steps": logging_steps,
        "seed": seed,
        "report_to": "none",
        "remove_unused_columns": False,
    }
    if "bf16" not in grpo_config_overrides and "fp16" not in grpo_config_overrides:
        settings["bf16"] = _default_bf16()
    settings.update(grpo_config_overrides)
    try:
        config = trl.GRPOConfig(**settings)
    except TypeError as exc:
        raise BackendError(
            f"grpo_recipe: trl.GRPOConfig does not accept these settings ({exc}); check the override names against "
            f"trl {getattr(trl, '__version__', '')} GRPOConfig"
        ) from exc
    except ValueError as exc:
        raise BackendError(f"grpo_recipe: trl.GRPOConfig rejected the settings: {exc}") from exc

    try:
        return trl.GRPOTrainer(
            model=model,
            reward_funcs=rewards,
            args=config,
            train_dataset=train,
            eval_dataset=evaluation,
            processing_class=tokenizer,
            callbacks=list(callbacks) or None,
            peft_config=peft_config,
        )
    except (TypeError, ValueError) as exc:
        raise BackendError(f"grpo_recipe: trl.GRPOTrainer could not be built: {exc}") from exc
