"""OpenAI Batch API files: write the batch input for a task, score a downloaded batch output.

The Batch API runs requests asynchronously within 24 hours at half the price. biorft writes the input JSONL (one
``POST /v1/chat/completions`` or ``/v1/responses`` request per example and sample, ``custom_id`` =
``"<example id>#<sample>"``); you upload it and create the batch with the ``openai`` client; then
[score_batch_output][biorft.evaluation.score_batch_output] grades the downloaded output file (and, optionally, the error
file) into an
[EvalReport][biorft.evaluation.EvalReport]. Lines that carry an error instead of a response are listed in
``report.failures``, not
dropped.

Examples:
    >>> import json, tempfile, pathlib
    >>> from types import SimpleNamespace as NS
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="t", domain="other", kind="binary", labels=("yes", "no"), instructions="?")
    >>> data = NS(spec=spec, examples=lambda: iter(
    ...     [NS(id="q1", messages=[{"role": "user", "content": "?"}], item={"id": "q1", "target": "yes"})]))
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = write_batch_input(data, folder / "batch.jsonl", "gpt-4o-mini", max_tokens=50)
    >>> line = json.loads(path.read_text())
    >>> line["custom_id"], line["url"], line["body"]["max_completion_tokens"]
    ('q1#0', '/v1/chat/completions', 50)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from biorft.errors import DatasetError
from biorft.evaluation._outputs import iter_jsonl, reference_items
from biorft.evaluation._pricing import Price, estimate_cost
from biorft.evaluation._records import EvalRecord, GraderLike, grade_output
from biorft.evaluation._report import EvalReport, token_usage
from biorft.evaluation._runner import Api, DataLike, request_params, resolve_grader

__all__ = ["MAX_BATCH_BYTES", "MAX_BATCH_REQUESTS", "score_batch_output", "write_batch_input"]

MAX_BATCH_REQUESTS = 50_000
"""Most requests one Batch API input file may hold."""

MAX_BATCH_BYTES = 200 * 1024 * 1024
"""Largest Batch API input file (200 MB)."""

_URLS: dict[str, str] = {"chat": "/v1/chat/completions", "responses": "/v1/responses"}


def write_batch_input(
    data: DataLike,
    path: str | os.PathLike[str],
    model: str,
    *,
    api: Api = "chat",
    n: int = 1,
    temperature: float | None = None,
    max_tokens: int | None = None,
    reasoning_effort: str | None = None,
    response_format: Mapping[str, Any] | None = None,
    extra_params: Mapping[str, Any] | None = None,
) -> Path:
    """Write an OpenAI Batch API input file with one request per example and sample.

    Args:
        data: The examples (a [`TaskDataset`][biorft.datasets.TaskDataset] or split).
        path: The JSONL file to write (its folder is created).
        model: Model name for every request.
        api: ``"chat"`` (``/v1/chat/completions``) or ``"responses"`` (``/v1/responses``).
        n: Samples per example (one request each; ``custom_id`` ends in ``#<sample>``).
        temperature: As in [`biorft.evaluate`][biorft.evaluation.evaluate].
        max_tokens: As in [`biorft.evaluate`][biorft.evaluation.evaluate].
        reasoning_effort: As in [`biorft.evaluate`][biorft.evaluation.evaluate].
        response_format: As in [`biorft.evaluate`][biorft.evaluation.evaluate].
        extra_params: Extra body fields, merged into each request body.

    Returns:
        The path written.

    Raises:
        DatasetError: When the file would exceed the Batch API's limits (50,000 requests, 200 MB); split the data
            (e.g. with ``data.subset(ids)``) into several batches.
    """
    params = request_params(
        api,
        temperature=temperature,
        max_tokens=max_tokens,
        reasoning_effort=reasoning_effort,
        response_format=response_format,
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    n_requests = 0
    size = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for ex in data.examples():
            for s in range(n):
                body: dict[str, Any] = {"model": model, **params, **dict(extra_params or {})}
                body["messages" if api == "chat" else "input"] = list(ex.messages)
                line = json.dumps(
                    {"custom_id": f"{ex.id}#{s}", "method": "POST", "url": _URLS[api], "body": body},
                    ensure_ascii=False,
                )
                n_requests += 1
                size += len(line.encode()) + 1
                if n_requests > MAX_BATCH_REQUESTS or size > MAX_BATCH_BYTES:
                    fh.close()
                    tmp.unlink()
                    raise DatasetError(
                        f"{out}: more than {MAX_BATCH_REQUESTS:,} requests or {MAX_BATCH_BYTES // 2**20} MB, the Batch "
                        "API's limits; split the examples into several batch files (e.g. data.subset(ids))"
                    )
                fh.write(line + "\n")
    tmp.replace(out)
    return out


def _split_custom_id(custom_id: Any, where: str) -> tuple[str, int]:
    if not isinstance(custom_id, str) or "#" not in custom_id:
        raise DatasetError(f"{where}: custom_id {custom_id!r} is not '<example id>#<sample>' as biorft writes it")
    example_id, _, sample = custom_id.rpartition("#")
    if not sample.isdigit():
        raise DatasetError(f"{where}: custom_id {custom_id!r} does not end in '#<sample number>'")
    return example_id, int(sample)


def _body_text(body: Mapping[str, Any]) -> tuple[str, str | None]:
    """Output text and finish reason of a chat-completions or responses body."""
    choices = body.get("choices")
    if isinstance(choices, list):
        if not choices:
            return "", None
        choice = choices[0]
        message = choice.get("message") or {}
        return str(message.get("content") or ""), choice.get("finish_reason")
    output = body.get("output")
    if isinstance(output, list):
        parts = [
            str(part.get("text", ""))
            for item in output
            if isinstance(item, dict) and item.get("type") == "message"
            for part in item.get("content") or []
            if isinstance(part, dict) and part.get("type") == "output_text"
        ]
        status = body.get("status")
        return "".join(parts), None if status is None else str(status)
    raise ValueError("the body is neither a chat completion (choices) nor a response (output)")


def _usage(body: Mapping[str, Any]) -> dict[str, int]:
    usage = body.get("usage") or {}
    if "prompt_tokens" in usage:
        details = usage.get("completion_tokens_details") or {}
        return {
            "prompt_tokens": int(usage.get("prompt_tokens") or 0),
            "completion_tokens": int(usage.get("completion_tokens") or 0),
            "reasoning_tokens": int(details.get("reasoning_tokens") or 0),
        }
    details = usage.get("output_tokens_details") or {}
    return {
        "prompt_tokens": int(usage.get("input_tokens") or 0),
        "completion_tokens": int(usage.get("output_tokens") or 0),
        "reasoning_tokens": int(details.get("reasoning_tokens") or 0),
    }


def score_batch_output(
    data: DataLike,
    output_file: str | os.PathLike[str],
    grader: GraderLike | None = None,
    *,
    error_file: str | os.PathLike[str] | None = None,
    model: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    prices: Mapping[str, Price] | None = None,
) -> EvalReport:
    """Grade a downloaded Batch API output file (of [write_batch_input][biorft.evaluation.write_batch_input]).

    Args:
        data: The examples the batch input was written from.
        output_file: The batch's output JSONL.
        grader: Default ``biorft.graders.grader_for(data.spec)``.
        error_file: The batch's error JSONL, if any: its lines become ``report.failures``.
        model: Name for the report; default the model named in the response bodies.
        n_boot: Bootstrap resamples.
        seed: Bootstrap seed.
        prices: Extra price entries; the estimate applies the Batch API's 50% discount.

    Returns:
        The report (``source="batch"``); requests that returned an error are in ``report.failures``.

    Raises:
        DatasetError: On a malformed line, a custom_id that names no example of ``data``, or a repeated request.
    """
    spec = data.spec
    graded_by = resolve_grader(spec, grader)
    items = reference_items(data)
    order = {i: k for k, i in enumerate(items)}
    graded: list[tuple[tuple[int, int], EvalRecord]] = []
    failures: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    models: set[str] = set()
    files = [Path(output_file)] + ([Path(error_file)] if error_file is not None else [])
    for file in files:
        for lineno, obj in iter_jsonl(file):
            where = f"{file}, line {lineno}"
            example_id, sample = _split_custom_id(obj.get("custom_id"), where)
            if example_id not in items:
                raise DatasetError(
                    f"{where}: example id {example_id!r} is not in {spec.name} as given; score the batch against the "
                    "same split its input was written from"
                )
            if (example_id, sample) in seen:
                raise DatasetError(f"{where}: a second result for {example_id!r} sample {sample}")
            seen.add((example_id, sample))
            response = obj.get("response") or {}
            error = obj.get("error")
            status = response.get("status_code")
            body = response.get("body")
            if error or status != 200 or not isinstance(body, dict):
                message = error.get("message") if isinstance(error, dict) else None
                if message is None and isinstance(body, dict) and isinstance(body.get("error"), dict):
                    message = body["error"].get("message")
                failures.append(
                    {"id": example_id, "sample": sample, "error": f"HTTP {status}: {message or 'no response body'}"}
                )
                continue
            try:
                text, finish = _body_text(body)
            except ValueError as exc:
                raise DatasetError(f"{where}: {exc}") from exc
            if isinstance(body.get("model"), str):
                models.add(body["model"])
            record = grade_output(
                graded_by, text, items[example_id], sample=sample, finish_reason=finish, **_usage(body)
            )
            graded.append(((order[example_id], sample), record))
    graded.sort(key=lambda kr: kr[0])
    records = [r for _, r in graded]
    name = model or (sorted(models)[0] if models else "batch")
    usage: dict[str, Any] = token_usage(records)
    usage["cost_usd"], usage["price"] = estimate_cost(
        name, usage["prompt_tokens"], usage["completion_tokens"], prices, discount=0.5
    )
    return EvalReport.from_records(
        spec,
        name,
        records,
        params={"batch_output": str(output_file)},
        usage=usage,
        source="batch",
        failures=failures,
        n_boot=n_boot,
        seed=seed,
    )
