"""Evaluate a model behind any OpenAI-compatible endpoint on a task: request, cache, grade, report.

The runner is asynchronous and structured: one task group holds the producer (fed lazily from the dataset through
a bounded queue, so memory does not grow with the number of pending requests) and ``concurrency`` workers. Any
exception in any of them (a cache write, a grader bug, an error retrying cannot fix) cancels the whole group at
once and surfaces as one error; nothing waits forever, and what completed is already in the cache.

Each request attempt has one total deadline (``timeout``: connecting, waiting and reading the body together, so a
body that drips a byte at a time cannot stretch it). Failures follow the one retry policy of biorft (see
``biorft._retry``): rate limits (429), server errors (5xx), time-outs, dropped connections and 200 answers without
a usable result (cut-off or invalid JSON, no choices, null content) are retried with exponential back-off and
jitter, honouring ``Retry-After``. A request that still fails after ``max_retries`` retries is recorded as failed
(listed in the report, excluded from every metric, asked again when the run is resumed), never scored as an
answer. An error retrying cannot fix (400, 401, 403, 404, an exhausted quota), a ``Retry-After`` beyond the
ceiling, or an endpoint that fails many requests in a row ends the run with a
[BackendError][biorft.errors.BackendError] naming the example and the cause. Every message, record and cache line
passes through the one redaction of biorft: the client's key and any ``sk-...`` / ``Bearer ...`` token never
appear.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import math
import os
import random
import re
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sized
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from biorft import _defaults
from biorft._redact import client_secrets, env_secrets, redact
from biorft._retry import (
    RetryPolicy,
    describe_failure,
    is_quota_exhausted,
    is_retryable,
    retry_after_seconds,
    status_code,
)
from biorft.errors import ArgumentError, BackendError, BiorftError, InvalidReplyError
from biorft.evaluation._bodies import Reply, read_body, read_choices
from biorft.evaluation._cache import CachedResponse, ResponseCache, digest
from biorft.evaluation._pricing import Price, estimate_cost
from biorft.evaluation._records import EvalRecord, GraderLike, grade_output
from biorft.evaluation._report import EvalReport, token_usage
from biorft.evaluation._sample import SampleInfo, sample_ids
from biorft.graders import PromptedData, PromptedLike, grader_for
from biorft.schema import TaskSpec

__all__ = ["aevaluate", "evaluate", "request_body", "request_params", "resolve_grader", "samples_argument"]

Api = Literal["chat", "responses"]
T = TypeVar("T")
log = logging.getLogger("biorft.evaluation")


DataLike = PromptedData
"""What the runner takes as data: [`PromptedData`][biorft.graders.PromptedData] (a
[`TaskDataset`][biorft.datasets.TaskDataset] fits)."""


def resolve_grader(spec: TaskSpec, grader: GraderLike | None) -> GraderLike:
    """The grader to use: ``grader`` or the task's default ``biorft.graders.grader_for(spec)``."""
    if grader is not None:
        if not callable(getattr(grader, "explain", None)):
            raise ArgumentError(f"grader must have an explain(sample, item) method, got {type(grader).__name__}")
        return grader
    return grader_for(spec)


def _response_format_for_responses(fmt: Mapping[str, Any]) -> dict[str, Any]:
    """Chat-completions ``response_format`` -> responses ``text.format``."""
    if fmt.get("type") == "json_schema" and isinstance(fmt.get("json_schema"), Mapping):
        return {"type": "json_schema", **dict(fmt["json_schema"])}
    return dict(fmt)


def request_params(
    api: Api,
    *,
    temperature: float | None = None,
    max_tokens: int | None = None,
    reasoning_effort: str | None = None,
    response_format: Mapping[str, Any] | None = None,
    extra_params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The request parameters (besides ``model`` and the messages) for the chosen API.

    Chat completions get ``temperature``, ``max_completion_tokens``, ``reasoning_effort`` and ``response_format``;
    the responses API gets ``temperature``, ``max_output_tokens``, ``reasoning={"effort": ...}`` and
    ``text={"format": ...}`` (a chat-style ``json_schema`` response format is converted). ``extra_params`` go into
    the request body as they are (``extra_body``), for endpoint-specific options such as ``seed`` or ``top_k``.

    Examples:
        >>> request_params("responses", max_tokens=100, reasoning_effort="low")
        {'max_output_tokens': 100, 'reasoning': {'effort': 'low'}}
        >>> request_params("chat", temperature=0.0, extra_params={"seed": 1})
        {'temperature': 0.0, 'extra_body': {'seed': 1}}
    """
    if api not in ("chat", "responses"):
        raise ArgumentError(f"api must be 'chat' or 'responses', got {api!r}")
    params: dict[str, Any] = {}
    if temperature is not None:
        params["temperature"] = temperature
    if api == "chat":
        if max_tokens is not None:
            params["max_completion_tokens"] = max_tokens
        if reasoning_effort is not None:
            params["reasoning_effort"] = reasoning_effort
        if response_format is not None:
            params["response_format"] = dict(response_format)
    else:
        if max_tokens is not None:
            params["max_output_tokens"] = max_tokens
        if reasoning_effort is not None:
            params["reasoning"] = {"effort": reasoning_effort}
        if response_format is not None:
            params["text"] = {"format": _response_format_for_responses(response_format)}
    if extra_params:
        params["extra_body"] = dict(extra_params)
    return params


# -- the endpoint ------------------------------------------------------------------------------------------------


def request_body(params: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body fields of `request_params`' output (``extra_body`` merged in at the top level).

    Examples:
        >>> request_body({"temperature": 0.0, "extra_body": {"seed": 1}})
        {'temperature': 0.0, 'seed': 1}
    """
    body = {k: v for k, v in params.items() if k != "extra_body"}
    body.update(params.get("extra_body") or {})
    return body


def _in_daemon_thread(fn: Callable[[], T]) -> asyncio.Future[T]:
    """Run a blocking call in a daemon thread; the future is abandoned (not joined) when the run is cancelled.

    A thread pool would be joined at interpreter exit, so one stuck synchronous request (a server that never
    answers) could keep the process alive after the run gave up on it; a daemon thread cannot.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def target() -> None:
        try:
            value, error = fn(), None
        except BaseException as exc:  # handed to the awaiting task, which decides
            value, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is waiting any more
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=target, name="biorft-request", daemon=True).start()
    return future


async def _within(seconds: float, awaitable: Awaitable[T]) -> T:
    """``await awaitable`` under a deadline (``asyncio.timeout`` where it exists: no extra task per request)."""
    timeout = getattr(asyncio, "timeout", None)
    if timeout is None:  # Python 3.10
        return await asyncio.wait_for(awaitable, seconds)
    async with timeout(seconds):
        return await awaitable


class _Endpoint:
    """Calls one model through an async or sync ``openai`` client (or one built from the environment)."""

    def __init__(
        self,
        client: Any,
        *,
        base_url: str | None,
        api: Api,
        model: str,
        params: Mapping[str, Any],
        timeout: float,
        own_pool: bool = False,
    ) -> None:
        self.api = api
        self.model = model
        self.params = dict(params)
        self.timeout = timeout
        self.owned = client is None
        self.secrets = env_secrets() + (client_secrets(client) if client is not None else ())
        if client is None:
            client = _client_from_env(base_url, timeout)
        else:
            options: dict[str, Any] = {"max_retries": 0}  # biorft retries itself, with its own budget
            if base_url is not None:
                options["base_url"] = base_url
            if own_pool and _is_async_openai(client):
                # An async client's connections belong to the event loop they were opened on, and the synchronous
                # evaluate() runs a loop of its own: give this run a connection pool of its own (same settings
                # otherwise), closed when the run ends, so the caller's client stays usable.
                import openai

                options["http_client"] = openai.DefaultAsyncHttpxClient()
                self.owned = True
            with_options = getattr(client, "with_options", None)
            if callable(with_options):
                client = with_options(**options)
        self.secrets += client_secrets(client)
        self.client = client
        self.base_url = redact(str(getattr(client, "base_url", base_url or "")), self.secrets)
        create = client.chat.completions.create if api == "chat" else client.responses.create
        self._create = create
        self.is_async = _is_async_client(client, create)
        post = getattr(client, "post", None)
        self._post = post if _is_openai_client(client) and callable(post) else None
        self._messages_key = "messages" if api == "chat" else "input"
        self._body = request_body(self.params)

    def redact(self, text: str) -> str:
        """``text`` without the client's key or any key-shaped token."""
        return redact(text, self.secrets)

    async def __call__(self, messages: list[dict[str, str]], n: int = 1) -> list[Reply]:
        """The usable choices of one request asking for ``n`` of them (``n`` is sent only when above 1)."""
        extra = {"n": n} if n > 1 else {}
        if self._post is not None:
            # The SDK's documented raw-request method: same auth, base URL (Azure deployments included), headers,
            # time-out and error classes as create(), without re-validating our already well-formed body, which
            # costs more CPU than the rest of the request at high concurrency.
            body = {"model": self.model, self._messages_key: messages, **self._body, **extra}
            path = "/chat/completions" if self.api == "chat" else "/responses"

            def post() -> Any:
                assert self._post is not None
                return self._post(path, cast_to=object, body=body, options={"timeout": self.timeout})

        else:
            kwargs = {
                "model": self.model,
                self._messages_key: messages,
                **self.params,
                **extra,
                "timeout": self.timeout,
            }

            def post() -> Any:
                return self._create(**kwargs)

        try:
            # One total deadline per attempt: the client's own time-out applies per read, so a body that drips
            # a byte at a time would never trip it.
            resp = await _within(self.timeout, post() if self.is_async else _in_daemon_thread(post))
        except asyncio.TimeoutError:  # (not the built-in TimeoutError before Python 3.11)
            raise TimeoutError(f"no complete answer within {self.timeout:g} s") from None
        except ValueError as exc:  # the SDK parsing a 200 body that is not JSON (cut off, invalid)
            if isinstance(exc, BiorftError):
                raise
            raise InvalidReplyError(
                f"the endpoint answered HTTP 200 with a body that is not valid JSON ({exc})"
            ) from None
        return read_choices(resp) if n > 1 else [read_body(resp)]

    async def aclose(self) -> None:
        if self.owned:
            close = getattr(self.client, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    result = close()
                    if inspect.isawaitable(result):
                        await asyncio.wait_for(result, 1.0)


def _is_async_client(client: Any, create: Any) -> bool:
    try:
        import openai

        if isinstance(client, openai.AsyncOpenAI):
            return True
        if isinstance(client, openai.OpenAI):
            return False
    except ImportError:  # pragma: no cover - openai is a dependency
        pass
    return inspect.iscoroutinefunction(create) or inspect.iscoroutinefunction(getattr(create, "__wrapped__", None))


def _is_async_openai(client: Any) -> bool:
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        return False
    return isinstance(client, openai.AsyncOpenAI)


def _is_openai_client(client: Any) -> bool:
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a dependency
        return False
    return isinstance(client, openai.OpenAI | openai.AsyncOpenAI)


def _client_from_env(base_url: str | None, timeout: float) -> Any:
    import openai

    key = os.environ.get("OPENAI_API_KEY")
    if not key:
        if base_url is None:
            raise BackendError(
                "no client and no OPENAI_API_KEY: set OPENAI_API_KEY, pass client=openai.AsyncOpenAI(...) "
                "(or AzureOpenAI), or pass base_url= for a local endpoint such as vLLM or Ollama"
            )
        key = "EMPTY"  # local OpenAI-compatible servers accept any key
    return openai.AsyncOpenAI(api_key=key, base_url=base_url, max_retries=0, timeout=timeout)


# -- failures ----------------------------------------------------------------------------------------------------


def _hint(exc: BaseException, base_url: str) -> str:
    status = status_code(exc)
    if status == 401:
        return "check the API key (OPENAI_API_KEY or the client's api_key)"
    if status == 403:
        return "the key has no access to this model or endpoint"
    if status == 404:
        return f"check the model name and the endpoint URL ({base_url})"
    if status in (400, 422):
        return "the endpoint rejected the request: check the parameters (max_tokens, reasoning_effort, ...)"
    if is_quota_exhausted(exc):
        return "the account is out of quota: add credit or raise the project's budget"
    if status == 429:
        return "rate limited: lower concurrency or raise max_retries"
    if status is not None and status >= 500:
        return "the endpoint keeps failing: try again later or raise max_retries"
    if isinstance(exc, InvalidReplyError):
        return "the endpoint keeps answering without a usable result: check it, or try again later"
    return f"check that the endpoint at {base_url} is up and reachable, or raise timeout / max_retries"


_MAX_CAUSES = 32  # distinct retry causes counted one by one; the rest are pooled, so memory stays flat


# -- the run -----------------------------------------------------------------------------------------------------


@dataclass
class _Job:
    base: int  # the slot of the example's sample 0 (sample s lives in slot base + s)
    samples: list[int]  # the sample indices still to ask for, ascending
    example_id: str
    messages: list[dict[str, str]]
    item: dict[str, Any]
    prompt: str


class _NRejectedError(Exception):
    """The endpoint refused ``n`` > 1 (a 400 naming it): ask one request per sample from now on."""


def _rejects_n(exc: BaseException) -> bool:
    """Whether an error is the endpoint refusing the ``n`` parameter (HTTP 400 / 422 that names it)."""
    if status_code(exc) not in (400, 422):
        return False
    if getattr(exc, "param", None) == "n":
        return True
    body = getattr(exc, "body", None)
    message = str(body.get("message", "")) if isinstance(body, dict) else ""
    return re.search(r"(?<![\w.-])n(?![\w-])", f"{message} {exc}") is not None


def _samples_text(samples: list[int]) -> str:
    return f"sample {samples[0]}" if len(samples) == 1 else f"samples {', '.join(map(str, samples))}"


class _Run:
    def __init__(
        self,
        *,
        endpoint: _Endpoint,
        grader: GraderLike,
        store: ResponseCache | None,
        concurrency: int,
        policy: RetryPolicy,
        bar: Any,
        label: str,
        batch: bool,
    ) -> None:
        self.endpoint = endpoint
        self.grader = grader
        self.store = store
        self.concurrency = concurrency
        self.policy = policy
        self.bar = bar
        self.label = label
        # ask for the missing samples of a prompt in one request (the endpoint's n); switched off for the rest of
        # the run when the endpoint refuses n
        self.batch = batch
        self.batch_note: str | None = None
        self.short_answers = 0  # requests answered with fewer choices than asked (the remainder is asked again)
        # one slot per (example, sample) in dataset order, filled as responses arrive in any order
        self.slots: list[EvalRecord | None] = []
        self.failed: list[dict[str, Any]] = []
        self.n_done = 0
        self.n_requests = 0  # requests answered in this run (one may carry several samples)
        self.retries = 0
        self.retry_causes: dict[str, int] = {}
        self.reward_sum = 0.0
        self.consecutive_failures = 0
        # an endpoint that fails this many requests in a row (after their retries) is down: stop, do not grind on
        self.max_consecutive_failures = max(8, concurrency)

    def _done(self, slot: int, record: EvalRecord) -> None:
        self.slots[slot] = record
        self.n_done += 1
        self.reward_sum += record.score
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"reward={self.reward_sum / self.n_done:.3f}", refresh=False)

    def _where(self) -> str:
        if self.store is not None:
            return (
                f"; {self.store.n_written} new response(s) are in the cache {self.store.path}; rerun the same call "
                "to resume"
            )
        return "; pass cache= to keep completed responses across runs"

    def _fatal(self, job: _Job, samples: list[int], attempts: int, exc: BaseException, extra: str = "") -> BackendError:
        cause = self.endpoint.redact(describe_failure(exc))
        hint = self.endpoint.redact(_hint(exc, self.endpoint.base_url))
        return BackendError(
            f"{self.label}: example {job.example_id!r} ({_samples_text(samples)}) failed after {attempts} "
            f"attempt(s): {cause}{extra}; {hint}{self._where()}"
        )

    def _record_failure(self, job: _Job, samples: list[int], attempts: int, exc: BaseException) -> None:
        error = self.endpoint.redact(describe_failure(exc))
        for s in samples:
            self.failed.append({"id": job.example_id, "sample": s, "error": error, "attempts": attempts})
            self.slots[job.base + s] = None
        if self.bar is not None:
            self.bar.update(len(samples))
        self.consecutive_failures += 1  # one failed request, however many samples it carried
        if self.consecutive_failures >= self.max_consecutive_failures:
            raise BackendError(
                f"{self.label}: the endpoint failed {self.consecutive_failures} requests in a row, each after "
                f"{attempts} attempt(s) (last: example {job.example_id!r}: {error}); "
                f"{self.endpoint.redact(_hint(exc, self.endpoint.base_url))}{self._where()}"
            )

    def _stop_batching(self, n: int, exc: BaseException) -> None:
        if not self.batch:
            return  # another worker switched already
        self.batch = False
        cause = self.endpoint.redact(describe_failure(exc))
        self.batch_note = f"the endpoint refused n={n} ({cause}): one request per sample"
        log.warning(
            "%s: the endpoint refused n=%d (%s); asking one request per sample for the rest of the run "
            "(pass batch_samples=False to skip the attempt)",
            self.label,
            n,
            cause,
        )

    async def _request(self, job: _Job, samples: list[int]) -> tuple[list[Reply], float] | None:
        """The replies for ``samples`` (one request, ``n`` = their number) and its latency.

        None when the request failed after its retries (then recorded as failed).

        Raises:
            _NRejectedError: When the endpoint refused ``n`` > 1 (batching is then off for the rest of the run).
        """
        n = len(samples)
        attempt = 0
        while True:
            t0 = time.perf_counter()
            try:
                replies = await self.endpoint(job.messages, n)
                self.consecutive_failures = 0
                self.n_requests += 1
                return replies, time.perf_counter() - t0
            except Exception as exc:
                if not is_retryable(exc):
                    if n > 1 and _rejects_n(exc):
                        self._stop_batching(n, exc)
                        raise _NRejectedError from None
                    raise self._fatal(job, samples, attempt + 1, exc) from None
                retry_after = retry_after_seconds(getattr(getattr(exc, "response", None), "headers", None))
                if not self.policy.waits_out(retry_after):
                    extra = (
                        f" (the endpoint asked to wait {retry_after:.0f} s, more than the retry ceiling of "
                        f"{self.policy.max_delay:.0f} s: try again after that)"
                    )
                    raise self._fatal(job, samples, attempt + 1, exc, extra) from None
                if attempt >= self.policy.max_retries:
                    self._record_failure(job, samples, attempt + 1, exc)
                    return None
                self.retries += 1
                cause = self.endpoint.redact(describe_failure(exc))
                if cause not in self.retry_causes and len(self.retry_causes) >= _MAX_CAUSES:
                    cause = "other causes"
                self.retry_causes[cause] = self.retry_causes.get(cause, 0) + 1
                await asyncio.sleep(self.policy.backoff(attempt, retry_after))
                attempt += 1

    async def _serve(self, job: _Job) -> None:
        """Ask for every sample of ``job``: in one request when batching, again for any the endpoint left out.

        Each pass either fills or fails at least one sample, or switches batching off (once), so it ends.
        """
        remaining = job.samples
        while remaining:
            asked = remaining if self.batch else remaining[:1]
            try:
                result = await self._request(job, asked)
            except _NRejectedError:
                continue  # batching is off now: ask these one request per sample
            if result is None:  # failed after its retries: recorded as failed, asked again on resume
                remaining = remaining[len(asked) :]
                continue
            replies, latency = result
            got = replies[: len(asked)]
            if len(got) < len(asked):
                self.short_answers += 1  # the endpoint ignored or capped n: ask the rest again
            for s, reply in zip(asked, got, strict=False):
                entry = CachedResponse(
                    id=job.example_id,
                    sample=s,
                    prompt=job.prompt,
                    text=self.endpoint.redact(reply.text),
                    finish_reason=reply.finish_reason,
                    prompt_tokens=reply.prompt_tokens,
                    completion_tokens=reply.completion_tokens,
                    reasoning_tokens=reply.reasoning_tokens,
                    latency_s=round(latency, 4),
                )
                if self.store is not None:
                    self.store.put(entry)
                self._done(job.base + s, _record(self.grader, entry, job.item, cached=False))
            remaining = remaining[len(got) :]

    async def worker(self, queue: asyncio.Queue[_Job | None]) -> None:
        while True:
            job = await queue.get()
            if job is None:
                return
            await self._serve(job)

    async def produce(
        self, examples: Iterable[PromptedLike], n: int, queue: asyncio.Queue[_Job | None], keep: set[str] | None
    ) -> None:
        for k, ex in enumerate(examples):
            if k % 256 == 255:
                await asyncio.sleep(0)  # stay responsive (Ctrl-C, errors) while re-scoring a large cache
            example_id = str(ex.id)
            if keep is not None and example_id not in keep:
                continue
            messages = [dict(m) for m in ex.messages]
            item = dict(ex.item)
            prompt = digest(messages)
            base = len(self.slots)
            self.slots.extend([None] * n)
            missing: list[int] = []
            for s in range(n):
                hit = self.store.get(example_id, s, prompt) if self.store is not None else None
                if hit is not None:
                    self._done(base + s, _record(self.grader, hit, item, cached=True))
                else:
                    missing.append(s)
            if self.batch and missing:
                await queue.put(_Job(base, missing, example_id, messages, item, prompt))
            else:
                for s in missing:
                    await queue.put(_Job(base, [s], example_id, messages, item, prompt))
        for _ in range(self.concurrency):
            await queue.put(None)


async def _run_all(coros: Iterable[Coroutine[Any, Any, None]], redact_text: Callable[[str], str]) -> None:
    """Run coroutines as one unit: the first exception in any of them cancels all the others and is raised.

    (A task group that also runs on Python 3.10; cancelling the caller cancels every task before it returns.)
    """
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        pending: set[asyncio.Future[None]] = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
            errors = [t.exception() for t in done if not t.cancelled() and t.exception() is not None]
            if errors:
                raise _one_error([e for e in errors if e is not None], redact_text)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _one_error(errors: list[BaseException], redact_text: Callable[[str], str]) -> BaseException:
    """The one error a failed run surfaces: an interrupt first, then biorft's own errors, then the first bug."""
    for exc in errors:
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
            return exc
    for exc in errors:
        if isinstance(exc, BiorftError):
            return exc
    first = errors[0]
    err = BackendError(
        f"evaluation stopped by an unexpected {type(first).__name__}: {redact_text(str(first))} (a bug: please "
        "report it with the traceback; responses completed so far are in the cache)"
    )
    err.__cause__ = first
    return err


def _record(grader: GraderLike, entry: CachedResponse, item: dict[str, Any], *, cached: bool) -> EvalRecord:
    return grade_output(
        grader,
        entry.text,
        item,
        sample=entry.sample,
        prompt_tokens=entry.prompt_tokens,
        completion_tokens=entry.completion_tokens,
        reasoning_tokens=entry.reasoning_tokens,
        latency_s=entry.latency_s,
        finish_reason=entry.finish_reason,
        cached=cached,
    )


def _progress_bar(total: int | None, desc: str, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="req", dynamic_ncols=True, smoothing=0.05, mininterval=0.5)


def _check_int(name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ArgumentError(f"{name} must be an integer >= {low}, got {value!r}")


def _check_seconds(name: str, value: Any, *, positive: bool) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ArgumentError(f"{name} must be a finite number of seconds {bound}, got {value!r}")


def samples_argument(samples: Any, n: Any) -> Any:
    """``samples``, or the deprecated alias ``n`` when only it is given (with a ``DeprecationWarning``).

    Raises:
        ArgumentError: When both are given and differ.

    Examples:
        >>> samples_argument(8, None)
        8
        >>> samples_argument(8, 4)
        Traceback (most recent call last):
        ...
        biorft.errors.ArgumentError: samples=8 and n=4 disagree: n is the deprecated name of samples; pass samples= only
    """
    if n is None:
        return samples
    _check_int("n", n, 1)
    if samples not in (n, _defaults.SAMPLES):
        raise ArgumentError(
            f"samples={samples!r} and n={n!r} disagree: n is the deprecated name of samples; pass samples= only"
        )
    warnings.warn("evaluate(n=...) is deprecated: pass samples= (the same meaning)", DeprecationWarning, stacklevel=3)
    return n


def check_arguments(
    *,
    model: Any,
    concurrency: Any,
    max_retries: Any,
    timeout: Any,
    samples: Any,
    seed: Any,
    n_boot: Any,
    limit: Any,
    retry_base_delay: Any,
    retry_max_delay: Any,
) -> None:
    """Validate ``evaluate``'s numeric arguments, naming the argument in a typed error.

    Raises:
        ArgumentError: For the first argument out of range.

    Examples:
        >>> check_arguments(model="m", concurrency=0, max_retries=6, timeout=1.0, samples=1, seed=0,
        ...                 n_boot=0,
        ...                 limit=None, retry_base_delay=1.0, retry_max_delay=60.0)
        Traceback (most recent call last):
        ...
        biorft.errors.ArgumentError: concurrency must be an integer >= 1, got 0
    """
    if not isinstance(model, str) or not model.strip():
        raise ArgumentError(f"model must be a non-empty model name, got {model!r}")
    _check_int("concurrency", concurrency, 1)
    _check_int("samples", samples, 1)
    _check_int("max_retries", max_retries, 0)
    _check_int("n_boot", n_boot, 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ArgumentError(f"seed must be an integer, got {seed!r}")
    if limit is not None:
        _check_int("limit", limit, 1)
    _check_seconds("timeout", timeout, positive=True)
    _check_seconds("retry_base_delay", retry_base_delay, positive=False)
    _check_seconds("retry_max_delay", retry_max_delay, positive=False)


async def aevaluate(
    data: DataLike,
    model: str,
    client: Any = None,
    grader: GraderLike | None = None,
    **options: Any,
) -> EvalReport:
    """Asynchronous [evaluate][biorft.evaluation.evaluate] (same arguments), for callers that already run a loop.

    An ``AsyncOpenAI`` client is used as it is, so it must belong to the running loop.

    Examples:
        >>> import asyncio
        >>> from types import SimpleNamespace as NS
        >>> from biorft.schema import TaskSpec
        >>> spec = TaskSpec(name="t", domain="other", kind="binary", labels=("yes", "no"), instructions="?")
        >>> data = NS(spec=spec, examples=lambda: iter([]))
        >>> client = NS(chat=NS(completions=NS(create=None)))  # never called: there are no examples
        >>> grader = NS(explain=lambda sample, item: None)
        >>> asyncio.run(aevaluate(data, "m", client, grader, progress=False)).n_examples
        0
    """
    try:
        bound = inspect.signature(evaluate).bind(data, model, client, grader, **options)  # evaluate's defaults
    except TypeError as exc:
        raise ArgumentError(f"aevaluate(): {exc}; it takes the arguments of evaluate()") from None
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    arguments["samples"] = samples_argument(arguments.pop("samples"), arguments.pop("n"))
    return await _aevaluate(**arguments, own_pool=False)


async def _aevaluate(
    data: DataLike,
    model: str,
    client: Any,
    grader: GraderLike | None,
    *,
    cache: str | os.PathLike[str] | None,
    concurrency: int,
    max_retries: int,
    timeout: float,
    api: Api,
    temperature: float | None,
    max_tokens: int | None,
    reasoning_effort: str | None,
    response_format: Mapping[str, Any] | None,
    samples: int,
    batch_samples: bool,
    seed: int,
    n_boot: int,
    progress: bool,
    base_url: str | None,
    extra_params: Mapping[str, Any] | None,
    prices: Mapping[str, Price] | None,
    retry_base_delay: float,
    retry_max_delay: float,
    limit: int | None,
    own_pool: bool,
) -> EvalReport:
    # Called with every argument of evaluate (whose signature holds the defaults) plus own_pool.
    if callable(pooled := getattr(data, "pooled", None)):  # Folds: every example once, from its fold's test part
        data = pooled()
    check_arguments(
        model=model,
        concurrency=concurrency,
        max_retries=max_retries,
        timeout=timeout,
        samples=samples,
        seed=seed,
        n_boot=n_boot,
        limit=limit,
        retry_base_delay=retry_base_delay,
        retry_max_delay=retry_max_delay,
    )
    if not (hasattr(data, "spec") and callable(getattr(data, "examples", None))):
        raise ArgumentError(
            f"data must be a TaskDataset (anything with .spec and .examples()), got {type(data).__name__}"
        )
    spec: TaskSpec = data.spec
    graded_by = resolve_grader(spec, grader)
    params = request_params(
        api,
        temperature=temperature,
        max_tokens=max_tokens,
        reasoning_effort=reasoning_effort,
        response_format=response_format,
        extra_params=extra_params,
    )
    policy = RetryPolicy(
        max_retries=max_retries,
        base_delay=retry_base_delay,
        max_delay=retry_max_delay,
        jitter=random.Random(seed).random,
    )
    keep: set[str] | None = None
    sample: SampleInfo | None = None
    if limit is not None:
        ids, sample = sample_ids(spec, ((ex.id, ex.item.get("target")) for ex in data.examples()), limit, seed=seed)
        keep = set(ids) if sample is not None else None
    params_key = digest({"api": api, **params})
    endpoint = _Endpoint(
        client, base_url=base_url, api=api, model=model, params=params, timeout=timeout, own_pool=own_pool
    )
    store: ResponseCache | None = None
    bar = None
    try:
        store = ResponseCache(cache, model=model, params=params_key) if cache is not None else None
        total = (sample.n if sample is not None else len(data)) * samples if isinstance(data, Sized) else None
        bar = _progress_bar(total, f"{model} · {spec.name}", progress)
        run = _Run(
            endpoint=endpoint,
            grader=graded_by,
            store=store,
            concurrency=concurrency,
            policy=policy,
            bar=bar,
            label=f"{model} on {spec.name}",
            batch=batch_samples and api == "chat" and samples > 1,
        )
        queue: asyncio.Queue[_Job | None] = asyncio.Queue(maxsize=2 * concurrency)
        t0 = time.perf_counter()
        workers = [run.worker(queue) for _ in range(concurrency)]
        await _run_all([run.produce(data.examples(), samples, queue, keep), *workers], endpoint.redact)
        wall = time.perf_counter() - t0
    finally:
        if bar is not None:
            bar.close()
        if store is not None:
            store.close()
        await endpoint.aclose()
    records = [r for r in run.slots if r is not None]
    assert len(records) + len(run.failed) == len(run.slots), "every request ends in a record, a failure or an error"
    run.slots.clear()
    usage = token_usage(records)
    usage["new_requests"] = run.n_requests  # one request may carry several samples (the endpoint's n)
    usage["cost_usd"], usage["price"] = estimate_cost(model, usage["prompt_tokens"], usage["completion_tokens"], prices)
    usage["wall_s"] = round(wall, 3)
    usage["retries"] = run.retries
    usage["failed"] = len(run.failed)
    usage["retry_causes"] = dict(sorted(run.retry_causes.items(), key=lambda kv: -kv[1])[:5])
    record_params = {
        "api": api,
        "samples": samples,
        "batch_samples": batch_samples,
        "batch_samples_note": run.batch_note,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "reasoning_effort": reasoning_effort,
        "response_format": dict(response_format) if response_format is not None else None,
        "extra_params": dict(extra_params) if extra_params else None,
        "base_url": endpoint.base_url or None,
        "params_digest": params_key,
        "cache": str(store.path) if store is not None else None,
        "max_retries": max_retries,
        "timeout": timeout,
        "limit": limit,
    }
    return EvalReport.from_records(
        spec,
        model,
        records,
        params=record_params,
        usage=usage,
        source="endpoint",
        failures=run.failed,
        n_boot=n_boot,
        seed=seed,
        sample=sample,
    )


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh event loop, also from inside a running loop (e.g. Jupyter)."""
    result: list[T] = []

    async def main() -> None:
        # The loop's main task returns None, not the result: on Python 3.11 asyncio.run formats the main task's
        # repr (its result included) when it restores the SIGINT handler, which for a report of 16,000 samples
        # costs most of a second.
        result.append(await coro)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(main())
        return result[0]
    error: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, name="biorft-evaluate")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def evaluate(
    data: DataLike,
    model: str,
    client: Any = None,
    grader: GraderLike | None = None,
    *,
    cache: str | os.PathLike[str] | None = None,
    concurrency: int = _defaults.CONCURRENCY,
    max_retries: int = _defaults.MAX_RETRIES,
    timeout: float = _defaults.TIMEOUT_S,
    api: Api = "chat",
    temperature: float | None = None,
    max_tokens: int | None = None,
    reasoning_effort: str | None = None,
    response_format: Mapping[str, Any] | None = None,
    samples: int = _defaults.SAMPLES,
    batch_samples: bool = True,
    n: int | None = None,
    seed: int = _defaults.SEED,
    n_boot: int = _defaults.N_BOOT,
    progress: bool = True,
    base_url: str | None = None,
    extra_params: Mapping[str, Any] | None = None,
    prices: Mapping[str, Price] | None = None,
    retry_base_delay: float = _defaults.BASE_DELAY_S,
    retry_max_delay: float = _defaults.MAX_DELAY_S,
    limit: int | None = None,
) -> EvalReport:
    """Run a model on every example of a task, grade the outputs and report metrics with 95% CIs.

    Works with any endpoint that speaks the OpenAI chat-completions or responses protocol (OpenAI, Azure
    OpenAI, vLLM, SGLang, Ollama, ...).

    Args:
        data: A `TaskDataset` (e.g. ``splits.test``) or anything with ``spec`` and
            ``examples()`` yielding objects with ``id``, ``messages`` and ``item``; given ``ds.folds(...)``, the
            pooled test parts of the folds (every example once).
        model: Model name sent to the endpoint.
        client: An ``openai`` client: ``OpenAI`` / ``AzureOpenAI`` (each call in a thread of its own), or
            ``AsyncOpenAI`` / ``AsyncAzureOpenAI`` (with a connection pool of its own for the run, since this
            function runs its own event loop; use [aevaluate][biorft.evaluation.aevaluate] to run on yours). Its own
            retries are switched off (biorft retries, with the one policy it uses everywhere).
            When None, one is built from ``OPENAI_API_KEY`` and ``base_url``.
        grader: Anything with ``explain(sample, item)``; default ``biorft.graders.grader_for(data.spec)``.
        cache: JSONL file for responses: written as they arrive; a rerun resumes from it and a complete cache
            re-scores without calling the model. Keyed by model, request parameters, example id and sample index.
        concurrency: Requests in flight at once (at least 1).
        max_retries: Retries per request after the first try, on 408 / 409 / 429 / 5xx, time-outs, dropped
            connections and 200 answers without a usable result (other errors end the run at once). A request that
            still fails is recorded as failed: listed in ``report.failures``, excluded from the metrics, asked again
            when the run is resumed from its cache.
        timeout: Seconds one request attempt may take in all (connecting, waiting and reading the body).
        api: ``"chat"`` (``/chat/completions``) or ``"responses"`` (``/responses``).
        temperature: Sampling temperature (None: the endpoint's default; reasoning models reject it).
        max_tokens: Output token limit (``max_completion_tokens`` / ``max_output_tokens``).
        reasoning_effort: ``"low"``, ``"medium"`` or ``"high"`` for reasoning models.
        response_format: A chat-completions response format, e.g. ``{"type": "json_schema", "json_schema":
            {...}}`` (converted for the responses API).
        samples: Completions per prompt (k), each graded, cached and resumed on its own; reports with several
            carry per-example pass rates and ``pass@1`` / ``pass@k`` / ``maj@k`` (see
            [biorft.curate.by_pass_rate][biorft.curate.by_pass_rate]).
        batch_samples: With the chat API and ``samples`` > 1, ask for the samples of a prompt still missing from
            the cache in one request (the endpoint's ``n``; OpenAI chat completions and vLLM honour it) and cache
            each returned choice as its own sample. Samples an endpoint leaves out (many OpenAI-compatible servers
            ignore ``n`` and answer one choice) are asked again, so the result is the same either way; an endpoint
            that refuses ``n`` (HTTP 400 naming it, as some reasoning models do) gets one request per sample for the
            rest of the run, with one warning on the ``biorft.evaluation`` logger. False: one request per sample
            always. The responses API has no ``n``: one request per sample.
        n: Deprecated alias of ``samples`` (same meaning; a ``DeprecationWarning``).
        seed: Seed of the bootstrap intervals and the back-off jitter (pass ``extra_params={"seed": ...}`` to
            send a sampling seed to the endpoint).
        n_boot: Bootstrap resamples for the intervals.
        progress: Show a progress bar (rate, ETA, running mean reward) on stderr.
        base_url: Endpoint URL such as ``http://localhost:8000/v1`` (overrides the client's).
        extra_params: Extra request body fields for endpoint-specific options (part of the cache key).
        prices: Extra or overriding entries for the cost estimate (see
            [biorft.evaluation.PRICES][biorft.evaluation.PRICES]).
        retry_base_delay: First back-off delay in seconds (doubled per retry, with jitter) when the server gives no
            ``Retry-After``.
        retry_max_delay: Upper bound of one back-off delay, and the ceiling of a ``Retry-After`` that is waited out
            (a longer one ends the run with a message saying when to come back).
        limit: Evaluate a seeded sample of this many examples (stratified by label for binary and multiclass
            tasks, seed ``seed``) instead of all of them; the report says it is a sample and of how many.

    Returns:
        The [`EvalReport`][biorft.evaluation.EvalReport].

    Raises:
        ArgumentError: When an argument is out of range (the message names it).
        BackendError: When a request fails in a way retrying cannot fix (400, 401, 403, 404, exhausted quota),
            the endpoint asks to wait longer than ``retry_max_delay``, or many requests fail in a row; the message
            names the example and the cause. Responses completed before the failure are in the cache.
        CacheError: When the cache path is a folder, not writable, or a file that is not a response cache.
        GraderError: When the grader raises on an output or returns no valid score (a grader bug).

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> from biorft.schema import TaskSpec
        >>> spec = TaskSpec(name="demo/yes_no", domain="other", kind="binary", labels=("yes", "no"),
        ...                 instructions="Answer yes or no.")
        >>> data = NS(spec=spec, examples=lambda: iter([  # stands in for a TaskDataset
        ...     NS(id="q1", messages=[{"role": "user", "content": "?"}], item={"id": "q1", "target": "yes"})]))
        >>> class Client:  # stands in for openai.AsyncOpenAI(base_url="http://localhost:8000/v1")
        ...     async def _create(self, **request):
        ...         return NS(choices=[NS(message=NS(content="Answer: yes"), finish_reason="stop")], usage=None)
        ...     chat = property(lambda self: NS(completions=NS(create=self._create)))
        >>> class Grader:  # stands in for biorft.grader_for(spec)
        ...     def explain(self, sample, item):
        ...         answer = sample["output_text"].removeprefix("Answer: ")
        ...         return NS(score=float(answer == item["target"]), reason="correct", answer=answer)
        >>> report = evaluate(data, "my-model", Client(), Grader(), progress=False, n_boot=0)
        >>> report.metrics["accuracy"].value, report.n_examples
        (1.0, 1)
    """
    # The first statement, so locals() holds exactly the arguments (the one list of them, with their defaults).
    arguments = dict(locals())
    arguments["samples"] = samples_argument(arguments.pop("samples"), arguments.pop("n"))
    return _run_sync(_aevaluate(**arguments, own_pool=True))
