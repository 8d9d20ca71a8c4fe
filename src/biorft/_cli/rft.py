"""``biorft rft submit|watch|cancel|list``: reinforcement fine-tuning jobs on OpenAI / Azure OpenAI.

The client comes from the environment (``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``, or Azure's
``AZURE_OPENAI_ENDPOINT`` + ``AZURE_OPENAI_API_KEY`` + ``OPENAI_API_VERSION``). ``watch`` exits 0 when the job
succeeded and 1 otherwise (failed, cancelled, paused); Ctrl-C stops watching, not the job.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from biorft.backends._models import DEFAULT_MODEL
from biorft.errors import BackendError


def register(sub: Any) -> None:
    """Add the ``rft`` sub-command and its actions."""
    p = sub.add_parser("rft", help="OpenAI / Azure OpenAI reinforcement fine-tuning jobs")
    actions = p.add_subparsers(dest="rft_command", metavar="ACTION", parser_class=type(p))
    actions.required = True

    s = actions.add_parser("submit", help="check, upload and create an RFT job")
    s.add_argument("data", help="export folder (train.jsonl, valid.jsonl, grader.json) or a training JSONL")
    s.add_argument("--valid", help="validation JSONL when DATA is a file")
    s.add_argument("--grader", help="grader JSON (default: grader.json beside the data)")
    s.add_argument("--model", default=DEFAULT_MODEL, help=f"base model (default {DEFAULT_MODEL})")
    s.add_argument(
        "--hp",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="RFT hyperparameter, repeatable (e.g. --hp n_epochs=2 --hp reasoning_effort=low)",
    )
    s.add_argument("--suffix", help="up to 64 characters added to the fine-tuned model's name")
    s.add_argument("--seed", type=int, help="the job's seed")
    s.add_argument("--allow-any-model", action="store_true", help="skip biorft's RFT model allow-list")
    s.add_argument("--skip-grader-check", action="store_true", help="do not call the grader validation endpoint")
    s.add_argument(
        "--allow-hackable",
        action="store_true",
        help="submit even when the reward-hacking audit (run first; see 'biorft audit') finds the grader hackable",
    )
    s.add_argument(
        "--dry-run",
        action="store_true",
        help="run every local check, print the audit table (stderr) and the job request as JSON; upload and create "
        "nothing",
    )
    s.add_argument("--watch", action="store_true", help="follow the job after creating it")
    s.add_argument("--poll", type=float, default=10.0, help="with --watch: seconds between polls")
    s.add_argument("--no-progress", action="store_true", help="with --watch: log events instead of a progress bar")
    s.add_argument("--state-file", help="upload registry JSON (default ~/.cache/biorft/openai_files.json)")
    s.set_defaults(func=run_submit)

    w = actions.add_parser("watch", help="follow a job until it stops (resumable)")
    w.add_argument("job_id")
    w.add_argument("--poll", type=float, default=10.0, help="seconds between polls (backs off to 60)")
    w.add_argument("--timeout", type=float, default=None, help="stop watching after this many seconds")
    w.add_argument("--no-progress", action="store_true", help="log events instead of a progress bar")
    w.set_defaults(func=run_watch)

    c = actions.add_parser("cancel", help="cancel a job")
    c.add_argument("job_id")
    c.set_defaults(func=run_cancel)

    ls = actions.add_parser("list", help="list recent fine-tuning jobs")
    ls.add_argument("--limit", type=int, default=20)
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=run_list)


def _value(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _hyperparameters(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise BackendError(f"--hp {pair!r}: expected NAME=VALUE, e.g. --hp n_epochs=2")
        out[name.strip()] = _value(value.strip())
    return out


def _rft(args: argparse.Namespace) -> Any:
    from biorft.backends.openai_rft import OpenAIRFT

    return OpenAIRFT(state_path=getattr(args, "state_file", None))


def _finish(summary: Any) -> int:
    print(summary)
    return 0 if summary.ok else 1


def run_submit(args: argparse.Namespace) -> int:
    """Submit a job; print its id (and follow it with ``--watch``)."""
    data: Any = Path(args.data)
    if args.valid is not None:
        data = (Path(args.data), Path(args.valid))
    elif not Path(args.data).is_dir():
        raise BackendError(f"{args.data} is not a folder: pass an export folder, or a training file with --valid")
    options: dict[str, Any] = {
        "grader": args.grader,
        "model": args.model,
        "hyperparameters": _hyperparameters(args.hp) or None,
        "suffix": args.suffix,
        "seed": args.seed,
        "allow_any_model": args.allow_any_model,
        "allow_hackable": args.allow_hackable,
    }
    if args.dry_run:
        plan = _rft(args).submit(data, **options, dry_run=True)
        if plan.audit is not None:
            print(plan.audit.table(), file=sys.stderr)  # stdout stays the JSON request
        print(plan.to_json())
        return 0
    job = _rft(args).submit(data, **options, validate_grader=not args.skip_grader_check)
    print(job.id)
    if args.watch:
        return _finish(job.watch(poll=args.poll, progress=not args.no_progress))
    return 0


def run_watch(args: argparse.Namespace) -> int:
    """Follow a job; exit 0 when it succeeded."""
    job = _rft(args).job(args.job_id)
    return _finish(job.watch(poll=args.poll, timeout=args.timeout, progress=not args.no_progress))


def run_cancel(args: argparse.Namespace) -> int:
    """Cancel a job and print its new status."""
    job = _rft(args).job(args.job_id)
    print(f"{job.id}: {job.cancel()}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """List recent jobs as a table or JSON."""
    handles = _rft(args).jobs(limit=args.limit)
    if args.json:
        print(json.dumps([h.job.model_dump(mode="json") for h in handles], indent=2))
        return 0
    rows = [(h.id, str(h.job.status), h.job.model, h.job.fine_tuned_model or "-") for h in handles]
    header = ("id", "status", "model", "fine_tuned_model")
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    return 0
