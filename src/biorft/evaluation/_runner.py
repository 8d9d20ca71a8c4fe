"""Evaluate a model behind any OpenAI-compatible endpoint on a task: request, cache, grade, report.

The runner is asynchronous: ``concurrency`` workers pull requests from a bounded queue fed lazily from the dataset,
so memory does not grow with the number of pending requests. Each request is retried on rate limits (429),
server errors (5xx), time-outs and dropped connections, with exponential back-off and jitter, honouring the
server's ``Retry-After``; after ``max_retries`` retries (or at once on an error that retrying cannot fix, such as
a 400 or 401) the run stops scheduling work, lets requests in flight finish into the cache, and raises a
:class:`~biorft.errors.BackendError` naming the example and the cause. Rerunning the same call resumes from the
cache.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import inspect
import math
import os
import random
import threading
import time
from collections.abc import Awaitable, Coroutine, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from biorft.errors import BackendError, BiorftError
from biorft.evaluation._bodies import EmptyReplyError, Reply, read_body
from biorft.evaluation._cache import CachedResponse, ResponseCache, digest
from biorft.evaluation._pricing import Price, estimate_cost
from biorft.evaluation._records import EvalRecord, GraderLike, grade_output
from biorft.evaluation._report import EvalReport, token_usage
from biorft.schema import TaskSpec

__all__ = ["aevaluate", "evaluate", "request_body", "request_params", "resolve_grader"]

Api = Literal["chat", "responses"]
T = TypeVar("T")

_MAX_RETRY_AFTER_S = 600.0


class PromptedLike(Protocol):
    """What the runner needs from one example: ``id``, chat ``messages`` and the grader ``item``."""

    @property
    def id(self) -> str:
        """The example id."""
        ...

    @property
    def messages(self) -> list[dict[str, str]]:
        """Chat messages, last role ``user``."""
        ...

    @property
    def item(self) -> dict[str, Any]:
        """The grader's reference item."""
        ...


class DataLike(Protocol):
    """A :class:`biorft.datasets.TaskDataset` or anything with ``spec`` and ``examples()``."""

    @property
    def spec(self) -> TaskSpec:
        """The task."""
        ...

    def examples(self) -> Iterator[PromptedLike]:
        """Prompted examples in a stable order."""
        ...


def resolve_grader(spec: TaskSpec, grader: GraderLike | None) -> GraderLike:
    """The grader to use: ``grader`` or the task's default ``biorft.graders.grader_for(spec)``."""
    if grader is not None:
        if not callable(getattr(grader, "explain", None)):
            raise TypeError(f"grader must have an explain(sample, item) method, got {type(grader).__name__}")
        return grader
    from biorft.graders import grader_for  # type: ignore[import-not-found, attr-defined, unused-ignore]

    return grader_for(spec)  # type: ignore[no-any-return, unused-ignore]


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
        raise ValueError(f"api must be 'chat' or 'responses', got {api!r}")
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
    """The JSON body fields of :func:`request_params`' output (``extra_body`` merged in at the top level).

    Examples:
        >>> request_body({"temperature": 0.0, "extra_body": {"seed": 1}})
        {'temperature': 0.0, 'seed': 1}
    """
    body = {k: v for k, v in params.items() if k != "extra_body"}
    body.update(params.get("extra_body") or {})
    return body


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
        concurrency: int,
        own_pool: bool = False,
    ) -> None:
        self.api = api
        self.model = model
        self.params = dict(params)
        self.timeout = timeout
        self.owned = client is None
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
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
        self.client = client
        self.base_url = str(getattr(client, "base_url", base_url or ""))
        create = client.chat.completions.create if api == "chat" else client.responses.create
        self._create = create
        self.is_async = _is_async_client(client, create)
        post = getattr(client, "post", None)
        self._post = post if _is_openai_client(client) and callable(post) else None
        self._messages_key = "messages" if api == "chat" else "input"
        self._body = request_body(self.params)
        if not self.is_async:
            self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="biorft")

    async def __call__(self, messages: list[dict[str, str]]) -> Reply:
        if self._post is not None:
            # The SDK's documented raw-request method: same auth, base URL (Azure deployments included), headers,
            # time-out and error classes as create(), without re-validating our already well-formed body, which
            # costs more CPU than the rest of the request at high concurrency.
            body = {"model": self.model, self._messages_key: messages, **self._body}
            path = "/chat/completions" if self.api == "chat" else "/responses"

            def post() -> Any:
                assert self._post is not None
                return self._post(path, cast_to=object, body=body, options={"timeout": self.timeout})

        else:
            kwargs = {"model": self.model, self._messages_key: messages, **self.params, "timeout": self.timeout}

            def post() -> Any:
                return self._create(**kwargs)

        if self.is_async:
            call: Awaitable[Any] = post()
        else:
            call = asyncio.get_running_loop().run_in_executor(self._executor, post)
        # the client enforces `timeout`; the outer limit only guards against clients that ignore it
        resp = await asyncio.wait_for(call, timeout=self.timeout + 30.0)
        return read_body(resp)

    async def aclose(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
        if self.owned:
            close = getattr(self.client, "close", None)
            if callable(close):
                result = close()
                if inspect.isawaitable(result):
                    await result


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


# -- retries -----------------------------------------------------------------------------------------------------


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked to wait (``retry-after-ms`` / ``retry-after`` seconds or HTTP date), if any."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            if name == "retry-after":
                parsed = email.utils.parsedate_tz(value)
                if parsed is not None:
                    return max(0.0, float(email.utils.mktime_tz(parsed)) - time.time())
            continue
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    return None


def _retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status == 429:
            return getattr(exc, "code", None) != "insufficient_quota"
        return status in (408, 409) or status >= 500
    return isinstance(exc, openai.APIConnectionError | asyncio.TimeoutError | TimeoutError | EmptyReplyError)


def _describe(exc: BaseException) -> str:
    status = _status(exc)
    message = str(getattr(exc, "message", None) or exc or type(exc).__name__).strip().splitlines()[0][:300]
    if status is not None:
        return f"HTTP {status} {type(exc).__name__}: {message}"
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return "the request timed out"
    return f"{type(exc).__name__}: {message}"


def _hint(exc: BaseException, base_url: str) -> str:
    status = _status(exc)
    if status == 401:
        return "check the API key (OPENAI_API_KEY or the client's api_key)"
    if status == 403:
        return "the key has no access to this model or endpoint"
    if status == 404:
        return f"check the model name and the endpoint URL ({base_url})"
    if status in (400, 422):
        return "the endpoint rejected the request: check the parameters (max_tokens, reasoning_effort, ...)"
    if status == 429:
        if getattr(exc, "code", None) == "insufficient_quota":
            return "the account is out of quota"
        return "rate limited: lower concurrency or raise max_retries"
    if status is not None and status >= 500:
        return "the endpoint keeps failing: try again later or raise max_retries"
    return f"check that the endpoint at {base_url} is up and reachable, or raise timeout / max_retries"


# -- the run -----------------------------------------------------------------------------------------------------


@dataclass
class _Job:
    slot: int
    sample: int
    example_id: str
    messages: list[dict[str, str]]
    item: dict[str, Any]
    prompt: str


@dataclass
class _Failure:
    job: _Job
    attempts: int
    exc: BaseException


class _Run:
    def __init__(
        self,
        *,
        endpoint: _Endpoint,
        grader: GraderLike,
        store: ResponseCache | None,
        concurrency: int,
        max_retries: int,
        retry_base_delay: float,
        retry_max_delay: float,
        seed: int,
        bar: Any,
    ) -> None:
        self.endpoint = endpoint
        self.grader = grader
        self.store = store
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self.retry_max_delay = retry_max_delay
        self.rng = random.Random(seed)
        self.bar = bar
        # one slot per (example, sample) in dataset order, filled as responses arrive in any order
        self.slots: list[EvalRecord | None] = []
        self.n_done = 0
        self.retries = 0
        self.retry_causes: dict[str, int] = {}
        self.failures: list[_Failure] = []
        self.error: BaseException | None = None
        self.stop = asyncio.Event()
        self.reward_sum = 0.0

    def _done(self, slot: int, record: EvalRecord) -> None:
        self.slots[slot] = record
        self.n_done += 1
        self.reward_sum += record.score
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"reward={self.reward_sum / self.n_done:.3f}", refresh=False)

    def _delay(self, attempt: int, exc: BaseException) -> float:
        asked = _retry_after(exc)
        if asked is not None:
            return min(asked, _MAX_RETRY_AFTER_S) * (1.0 + 0.1 * self.rng.random())
        backoff = min(self.retry_max_delay, self.retry_base_delay * 2.0**attempt)
        return backoff * (0.5 + 0.5 * self.rng.random())  # "equal jitter"

    async def _request(self, job: _Job) -> tuple[Reply, float]:
        attempt = 0
        while True:
            t0 = time.perf_counter()
            try:
                reply = await self.endpoint(job.messages)
                return reply, time.perf_counter() - t0
            except Exception as exc:
                if not _retryable(exc) or attempt >= self.max_retries or self.stop.is_set():
                    raise _FailedError(_Failure(job, attempt + 1, exc)) from exc
                self.retries += 1
                self.retry_causes[_describe(exc)] = self.retry_causes.get(_describe(exc), 0) + 1
                await asyncio.sleep(self._delay(attempt, exc))
                attempt += 1

    async def worker(self, queue: asyncio.Queue[_Job | None]) -> None:
        while True:
            job = await queue.get()
            if job is None:
                return
            if self.stop.is_set():
                continue
            try:
                reply, latency = await self._request(job)
            except _FailedError as failed:
                self.failures.append(failed.failure)
                self.stop.set()
                continue
            entry = CachedResponse(
                id=job.example_id,
                sample=job.sample,
                prompt=job.prompt,
                text=reply.text,
                finish_reason=reply.finish_reason,
                prompt_tokens=reply.prompt_tokens,
                completion_tokens=reply.completion_tokens,
                reasoning_tokens=reply.reasoning_tokens,
                latency_s=round(latency, 4),
            )
            if self.store is not None:
                self.store.put(entry)
            try:
                record = _record(self.grader, entry, job.item, cached=False)
            except BiorftError as exc:
                self.error = self.error or exc
                self.stop.set()
                continue
            self._done(job.slot, record)

    async def produce(self, examples: Iterable[PromptedLike], n: int, queue: asyncio.Queue[_Job | None]) -> None:
        try:
            for ex in examples:
                if self.stop.is_set():
                    break
                messages = list(ex.messages)
                item = dict(ex.item)
                example_id = str(ex.id)
                prompt = digest(messages)
                for s in range(n):
                    slot = len(self.slots)
                    self.slots.append(None)
                    hit = self.store.get(example_id, s, prompt) if self.store is not None else None
                    if hit is not None:
                        self._done(slot, _record(self.grader, hit, item, cached=True))
                        continue
                    await queue.put(_Job(slot, s, example_id, messages, item, prompt))
        except BaseException as exc:  # a dataset or grader error: stop the workers, re-raise after cleanup
            self.error = self.error or exc
            self.stop.set()
        finally:
            for _ in range(self.concurrency):
                await queue.put(None)


class _FailedError(Exception):
    def __init__(self, failure: _Failure) -> None:
        super().__init__(str(failure.exc))
        self.failure = failure


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


async def aevaluate(
    data: DataLike,
    model: str,
    client: Any = None,
    grader: GraderLike | None = None,
    **options: Any,
) -> EvalReport:
    """Asynchronous :func:`evaluate` (same arguments), for callers that already run an event loop.

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
    bound = inspect.signature(evaluate).bind(data, model, client, grader, **options)  # evaluate's defaults
    bound.apply_defaults()
    return await _aevaluate(**bound.arguments, own_pool=False)


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
    n: int,
    seed: int,
    n_boot: int,
    progress: bool,
    base_url: str | None,
    extra_params: Mapping[str, Any] | None,
    prices: Mapping[str, Price] | None,
    retry_base_delay: float,
    retry_max_delay: float,
    own_pool: bool,
) -> EvalReport:
    # Called with every argument of evaluate (whose signature holds the defaults) plus own_pool.
    if callable(pooled := getattr(data, "pooled", None)):  # Folds: every example once, from its fold's test part
        data = pooled()
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {concurrency}")
    if n < 1:
        raise ValueError(f"n (samples per prompt) must be >= 1, got {n}")
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}")
    if not (timeout > 0):
        raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
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
    params_key = digest({"api": api, **params})
    store = ResponseCache(cache, model=model, params=params_key) if cache is not None else None
    endpoint = _Endpoint(
        client,
        base_url=base_url,
        api=api,
        model=model,
        params=params,
        timeout=timeout,
        concurrency=concurrency,
        own_pool=own_pool,
    )
    total = len(data) * n if isinstance(data, Sized) else None
    bar = _progress_bar(total, f"{model} · {spec.name}", progress)
    run = _Run(
        endpoint=endpoint,
        grader=graded_by,
        store=store,
        concurrency=concurrency,
        max_retries=max_retries,
        retry_base_delay=retry_base_delay,
        retry_max_delay=retry_max_delay,
        seed=seed,
        bar=bar,
    )
    queue: asyncio.Queue[_Job | None] = asyncio.Queue(maxsize=2 * concurrency)
    t0 = time.perf_counter()
    workers = [asyncio.create_task(run.worker(queue)) for _ in range(concurrency)]
    try:
        await run.produce(data.examples(), n, queue)
        await asyncio.gather(*workers)
    finally:
        for task in workers:  # on cancellation (Ctrl-C) or an error: stop every worker before cleaning up
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if bar is not None:
            bar.close()
        if store is not None:
            store.close()
        await endpoint.aclose()
    wall = time.perf_counter() - t0
    if run.error is not None:
        raise run.error
    if run.failures:
        first = run.failures[0]
        others = len(run.failures) - 1
        where = f"; {run.n_done} completed responses are in the cache {store.path}" if store else ""
        resume = "; rerun the same call to resume" if store else "; pass cache= to keep completed responses"
        raise BackendError(
            f"{model} on {spec.name}: example {first.job.example_id!r} (sample {first.job.sample}) failed after "
            f"{first.attempts} attempt(s): {_describe(first.exc)}; {_hint(first.exc, endpoint.base_url)}"
            + (f" ({others} other request(s) failed too)" if others else "")
            + where
            + resume
        ) from first.exc
    records = [r for r in run.slots if r is not None]
    assert len(records) == len(run.slots), "every scheduled request ended in a record or an error"
    run.slots.clear()
    usage = token_usage(records)
    usage["cost_usd"], usage["price"] = estimate_cost(model, usage["prompt_tokens"], usage["completion_tokens"], prices)
    usage["wall_s"] = round(wall, 3)
    usage["retries"] = run.retries
    usage["retry_causes"] = dict(sorted(run.retry_causes.items(), key=lambda kv: -kv[1])[:5])
    record_params = {
        "api": api,
        "n": n,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "reasoning_effort": reasoning_effort,
        "response_format": dict(response_format) if response_format is not None else None,
        "extra_params": dict(extra_params) if extra_params else None,
        "base_url": endpoint.base_url or None,
        "params_digest": params_key,
        "cache": str(store.path) if store is not None else None,
    }
    return EvalReport.from_records(
        spec, model, records, params=record_params, usage=usage, source="endpoint", n_boot=n_boot, seed=seed
    )


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh event loop, also from inside a running loop (e.g. Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
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
    concurrency: int = 16,
    max_retries: int = 6,
    timeout: float = 120.0,
    api: Api = "chat",
    temperature: float | None = None,
    max_tokens: int | None = None,
    reasoning_effort: str | None = None,
    response_format: Mapping[str, Any] | None = None,
    n: int = 1,
    seed: int = 0,
    n_boot: int = 1000,
    progress: bool = True,
    base_url: str | None = None,
    extra_params: Mapping[str, Any] | None = None,
    prices: Mapping[str, Price] | None = None,
    retry_base_delay: float = 1.0,
    retry_max_delay: float = 60.0,
) -> EvalReport:
    """Run a model on every example of a task, grade the outputs and report metrics with 95% CIs.

    Works with any endpoint that speaks the OpenAI chat-completions or responses protocol (OpenAI, Azure
    OpenAI, vLLM, SGLang, Ollama, ...).

    Args:
        data: A :class:`~biorft.datasets.TaskDataset` (e.g. ``splits.test``) or anything with ``spec`` and
            ``examples()`` yielding objects with ``id``, ``messages`` and ``item``; given ``ds.folds(...)``, the
            pooled test parts of the folds (every example once).
        model: Model name sent to the endpoint.
        client: An ``openai`` client: ``OpenAI`` / ``AzureOpenAI`` (called from a thread pool), or ``AsyncOpenAI`` /
            ``AsyncAzureOpenAI`` (with a connection pool of its own for the run, since this function runs its own
            event loop; use :func:`aevaluate` to run on yours). Its own retries are switched off (biorft retries).
            When None, one is built from ``OPENAI_API_KEY`` and ``base_url``.
        grader: Anything with ``explain(sample, item)``; default ``biorft.graders.grader_for(data.spec)``.
        cache: JSONL file for responses: written as they arrive; a rerun resumes from it and a complete cache
            re-scores without calling the model. Keyed by model, request parameters, example id and sample index.
        concurrency: Requests in flight at once.
        max_retries: Retries per request on 429 / 5xx / time-outs / connection errors (other errors fail at once).
        timeout: Seconds per request attempt.
        api: ``"chat"`` (``/chat/completions``) or ``"responses"`` (``/responses``).
        temperature: Sampling temperature (None: the endpoint's default; reasoning models reject it).
        max_tokens: Output token limit (``max_completion_tokens`` / ``max_output_tokens``).
        reasoning_effort: ``"low"``, ``"medium"`` or ``"high"`` for reasoning models.
        response_format: A chat-completions response format, e.g. ``{"type": "json_schema", "json_schema":
            {...}}`` (converted for the responses API).
        n: Samples per prompt (one request each).
        seed: Seed of the bootstrap intervals and the back-off jitter (pass ``extra_params={"seed": ...}`` to
            send a sampling seed to the endpoint).
        n_boot: Bootstrap resamples for the intervals.
        progress: Show a progress bar (rate, ETA, running mean reward) on stderr.
        base_url: Endpoint URL such as ``http://localhost:8000/v1`` (overrides the client's).
        extra_params: Extra request body fields for endpoint-specific options (part of the cache key).
        prices: Extra or overriding entries for the cost estimate (see :data:`biorft.evaluation.PRICES`).
        retry_base_delay: First back-off delay in seconds (doubled per retry, with jitter) when the server gives no
            ``Retry-After``.
        retry_max_delay: Upper bound of one back-off delay.

    Returns:
        The :class:`EvalReport`.

    Raises:
        BackendError: When a request still fails after ``max_retries`` retries, or fails in a way retrying cannot
            fix (400, 401, 403, 404); the message names the example and the cause. Responses completed before
            the failure are in the cache.
        GraderError: When the grader raises on an output (a grader bug).

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
    return _run_sync(_aevaluate(**locals(), own_pool=True))
