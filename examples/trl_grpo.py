"""Fine-tune an open model with TRL's GRPO on a bundled task, rewarded by the task's grader.

What it shows: ``biorft.backends.trl.grpo_recipe`` turns a leakage-checked split into a configured
``trl.GRPOTrainer``: the prompts are the task's chat messages, the reward is ``br.grader_for(spec)`` (the grader an
OpenAI RFT job and ``br.evaluate`` use), and everything else is TRL. The script trains, prints the reward per step
and saves the model, ready to serve with vLLM and evaluate with ``examples/evaluate_endpoint.py``.

Needs PyTorch and the ``trl`` extra: ``pip install torch`` (the build for your machine), then
``pip install "biorft[trl]"``. A 0.6B model trains on one GPU; on a CPU use a tiny model and a few steps.

Run it::

    python examples/trl_grpo.py --model Qwen/Qwen3-0.6B --max-steps 200
    accelerate launch --num_processes 8 examples/trl_grpo.py --model Qwen/Qwen3-8B --max-steps 500
    python examples/trl_grpo.py --model ./tiny-model --max-steps 2 --limit 16 --max-completion-length 16   # smoke
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import biorft as br
from biorft.backends.trl import grpo_recipe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="Qwen/Qwen3-0.6B", help="model name on the Hub or a local path")
    parser.add_argument("--task", default="molecules/bbb_b3db", help="a bundled task (see `biorft tasks`)")
    parser.add_argument("--limit", type=int, help="train on N training examples (drawn with seed 0)")
    parser.add_argument("--max-steps", type=int, default=200, help="optimiser steps")
    parser.add_argument("--num-generations", type=int, default=8, help="completions per prompt (the GRPO group)")
    parser.add_argument("--batch-size", type=int, default=8, help="completions per device per step")
    parser.add_argument("--max-completion-length", type=int, default=1024, help="tokens per completion")
    parser.add_argument("--learning-rate", type=float, default=1e-6)
    parser.add_argument("--out", type=Path, default=Path("runs/grpo"), help="checkpoints, logs and the final model")
    args = parser.parse_args(argv)

    ds = br.load_task(args.task)
    splits = ds.split()  # the task's canonical split, pinned in its card
    method = splits.stats.method
    splits.check_leakage()  # the test split stays unseen for the evaluation afterwards
    train = splits.train
    if args.limit is not None and args.limit < len(train):
        train = train.subset(random.Random(0).sample(train.ids, args.limit))
    print(f"{ds.name}: training on {len(train)} of {len(splits.train)} training examples ({method} split)")

    trainer = grpo_recipe(
        args.model,
        train,
        br.grader_for(ds.spec),  # the reward: the same grader everywhere
        output_dir=args.out,
        max_steps=args.max_steps,
        num_generations=args.num_generations,
        per_device_train_batch_size=args.batch_size,
        max_completion_length=args.max_completion_length,
        learning_rate=args.learning_rate,
        save_strategy="no",  # only the final model below; use save_steps=... for checkpoints
    )
    trainer.train()

    print("\nstep  reward  (mean grader score of the step's completions)")
    for entry in trainer.state.log_history:
        if "reward" in entry:
            print(f"{entry['step']:>4}  {entry['reward']:.3f}")
    final = args.out / "final"
    trainer.save_model(str(final))
    print(f"\nsaved the model to {final}; serve it (vllm serve {final}) and evaluate it with")
    print(f"python examples/evaluate_endpoint.py --base-url http://localhost:8000/v1 --model {final} --task {ds.name}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except br.BiorftError as exc:  # missing trl extra, invalid setting (named), ...: one line, no traceback
        sys.exit(f"error: {exc}")
