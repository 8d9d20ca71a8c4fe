"""Reinforcement fine-tune a reasoning model on a biorft task with OpenAI (or Azure OpenAI) RFT, end to end.

What it shows, in the order money is at stake: split and check for leakage; export the RFT files and check them
against the service's rules (local, free); validate the grader with the service and run it on two answers to see
that it scores as it does locally (free); upload the files (free, idempotent: a second run reuses them); create the
job (billed by training time) and watch it until it ends, printing the train / valid reward and the checkpoints.

``--dry-run`` sends no request at all and needs no key, like ``biorft rft submit --dry-run``: every local check
(split, RFT file rules, the grader scored locally), then the exact job request that would be sent
(``OpenAIRFT.submit(..., dry_run=True)``), with the files it would upload and their sha256.

Costs and lifecycle: OpenAI bills RFT by wall-clock training time (USD 100 per hour for o4-mini in 2025) and accepts
no new self-serve fine-tuning jobs from 2027-01-06; Azure OpenAI serves the same API (pass its v1 ``--base-url``)
and pauses a job at USD 5,000. Ctrl-C while watching stops watching, not the job (``biorft rft watch JOB_ID``).

Run it::

    python examples/openai_rft.py --dry-run                        # local checks, then the request; no key needed
    export OPENAI_API_KEY=sk-...
    python examples/openai_rft.py --task genes/dosage_sensitive_tfs --hp n_epochs=2 --hp reasoning_effort=medium
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import openai

import biorft as br
from biorft.backends.openai_rft import RFT_MODELS


def parse_hp(pairs: list[str]) -> dict[str, Any]:
    """``["n_epochs=2", "reasoning_effort=medium"]`` -> ``{"n_epochs": 2, "reasoning_effort": "medium"}``."""
    hp: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            hp[key] = json.loads(value)  # numbers
        except ValueError:
            hp[key] = value  # "auto", "medium", ...
    return hp


def answer_text(target: Any) -> str:
    """The reference as a model would state it: a label, labels separated by commas, or a number."""
    return (", ".join(target) or "none") if isinstance(target, list) else str(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL"), help="another endpoint (Azure v1)")
    parser.add_argument("--task", default="molecules/bbb_b3db", help="a bundled task (see `biorft tasks`)")
    parser.add_argument(
        "--limit", type=int, default=600, help="use N examples of the task (seed 0, per canonical part)"
    )
    parser.add_argument("--model", default="o4-mini-2025-04-16", help="base model to fine-tune")
    parser.add_argument("--hp", action="append", default=[], metavar="KEY=VALUE", help="RFT hyperparameter")
    parser.add_argument("--suffix", help="added to the fine-tuned model's name")
    parser.add_argument("--out", type=Path, default=Path("rft"), help="folder for the exported files")
    parser.add_argument("--state-file", type=Path, help="upload registry (default: ~/.cache/biorft)")
    parser.add_argument("--poll", type=float, default=30.0, help="seconds between status polls while watching")
    parser.add_argument("--dry-run", action="store_true", help="local checks and the job request only: nothing is sent")
    args = parser.parse_args(argv)
    if not args.dry_run and not args.base_url and not os.environ.get("OPENAI_API_KEY"):
        print("openai_rft.py: set OPENAI_API_KEY, or pass --base-url URL of an OpenAI-compatible API", file=sys.stderr)
        return 2
    hyperparameters = {"n_epochs": 1, "reasoning_effort": "medium", **parse_hp(args.hp)}
    if args.model not in RFT_MODELS:
        print(f"note: {args.model!r} is not a documented RFT model ({', '.join(RFT_MODELS)}); submit() refuses it")

    # 1. Data: a leakage-checked split; RFT needs a training and a validation file, the test split stays local.
    ds = br.load_task(args.task)
    splits = ds.split().sample(args.limit)  # the task's canonical split, --limit examples drawn per part
    splits.check_leakage()
    grader = br.grader_for(ds.spec)
    files = br.export.openai_rft(splits, args.out, grader=grader)
    for part in ("train", "valid"):
        check = br.export.validate_rft_jsonl(files[part], grader)
        check.raise_for_problems()  # last message from the user, grader fields on every line, ...
        print(f"{files[part]}: {check.n_lines} examples, RFT rules ok")
    example = next(splits.valid.examples())
    samples = (f"Reasoning...\nAnswer: {answer_text(example.item['target'])}", "I cannot decide.")
    submission = {"grader": grader, "model": args.model, "hyperparameters": hyperparameters, "suffix": args.suffix}

    if args.dry_run:  # no request, no key: the local grader's scores, then the exact request a real run sends
        for sample in samples:
            print(f"  {sample.splitlines()[-1]!r}: local grader {grader(sample, example.item):.3f}")
        plan = br.OpenAIRFT(state_path=args.state_file).submit(args.out, **submission, seed=0, dry_run=True)
        print(f"\n{plan}")
        return 0

    # 2. The service: check the grader and compare its scores with the local ones (both free).
    client = openai.OpenAI(base_url=args.base_url, api_key=os.environ.get("OPENAI_API_KEY") or "EMPTY")
    rft = br.OpenAIRFT(client, state_path=args.state_file)
    body = rft.validate_grader(grader)
    print(f"grader {body['name']!r} ({body['type']}) accepted by the service")
    for sample in samples:
        remote = rft.run_grader(grader, sample, example.item)
        local = grader(sample, example.item)
        print(f"  {sample.splitlines()[-1]!r}: service {remote.reward:.3f}, local {local:.3f}")
        if abs(remote.reward - local) > 1e-9:
            print("the service scores differently from the local grader: stop here and investigate", file=sys.stderr)
            return 1

    # 3. Upload (idempotent: the same bytes are never uploaded twice).
    training_file, validation_file = rft.upload(files["train"]), rft.upload(files["valid"])
    print(f"uploaded: training_file={training_file}, validation_file={validation_file}")

    # 4. Submit (checks everything again, reuses the uploads) and watch until the job stops.
    job = rft.submit(args.out, **submission, seed=0, validate_grader=False)  # the service validated it in step 2
    print(f"created {job.id}; watching (Ctrl-C stops watching, not the job)")
    summary = job.watch(poll=args.poll)
    print(summary)
    for cp in job.checkpoints():
        print(f"  checkpoint step {cp.step_number}: {cp.fine_tuned_model_checkpoint}")
    if summary.fine_tuned_model:
        print(  # the same --task and --limit give the same split, so this evaluates on the held-out test split
            f"\nnext: python examples/evaluate_endpoint.py --model {summary.fine_tuned_model} --task {args.task} "
            f"--limit {args.limit}"
        )
    return 0 if summary.ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except br.BiorftError as exc:  # refused key, invalid grader, failed job, ...: one line that says what to do
        sys.exit(f"error: {exc}")
