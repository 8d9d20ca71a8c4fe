"""Bounded retries with jitter for OpenAI API calls, and the mapping of SDK errors to biorft errors.

biorft drives the retries itself (the client it is given is copied with ``max_retries=0``) so that every call
has the same, documented policy: HTTP 429 and 5xx, time-outs and dropped connections are retried up to
``RetryPolicy.max_attempts`` times with exponential back-off and jitter, waiting at least what the service asks
for in ``Retry-After`` / ``retry-after-ms``; a ``Retry-After`` longer than ``RetryPolicy.max_delay`` is not
waited out (biorft raises `RateLimited` saying when to come back). 401 / 403 / 404 / 400 are never retried.

Examples:
    >>> policy = RetryPolicy(max_attempts=3, initial_delay=1.0, max_delay=8.0, jitter=lambda: 0.5)
    >>> [policy.backoff(n, retry_after=None) for n in range(4)]
    [0.75, 1.5, 3.0, 6.0]
    >>> policy.backoff(0, retry_after=5.0)
    5.0
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import openai

from biorft.backends._errors import (
    AuthenticationError,
    FineTuningUnavailable,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    _HTTPBackendError,
)
from biorft.backends._redact import redact

__all__ = ["RetryPolicy", "call_with_retries", "retry_after_seconds", "translate_error"]

log = logging.getLogger("biorft.backends.openai_rft")

T = TypeVar("T")

TRL_HINT = (
    "train with the open-trainer backend instead: the same splits and graders work with TRL GRPO "
    "(biorft.backends.trl.grpo_recipe, guide 'Fine-tune an open model with TRL GRPO'), or with Azure OpenAI RFT "
    "through an openai.AzureOpenAI client"
)


@dataclass(frozen=True)
class RetryPolicy:
    """How biorft retries transient OpenAI API failures.

    Args:
        max_attempts: Total tries per call (the first one included); at least 1.
        initial_delay: Back-off before the second try, in seconds; doubles with each try.
        max_delay: Upper bound of any single wait, in seconds. A ``Retry-After`` longer than this is not waited
            out: the call fails with `RateLimited` or `ServiceUnavailable` at once.
        sleep: The sleeping function (tests pass a recorder).
        jitter: Returns a number in [0, 1); the back-off is ``d/2 + jitter() * d/2`` for a nominal delay ``d``.

    Examples:
        >>> RetryPolicy(max_attempts=1).max_attempts
        1
    """

    max_attempts: int = 6
    initial_delay: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    jitter: Callable[[], float] = field(default=random.random, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be at least 1, got {self.max_attempts}")
        if self.initial_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays must be non-negative")

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt + 1``.

        Args:
            attempt: How many retries happened already (0 before the first retry).
            retry_after: What the service asked for, in seconds, if anything.

        Returns:
            The wait: at least ``retry_after`` when given, never more than ``max_delay``.

        Examples:
            >>> RetryPolicy(initial_delay=2.0, max_delay=3.0, jitter=lambda: 0.5).backoff(5, None)
            2.25
        """
        nominal = min(self.max_delay, self.initial_delay * (2.0**attempt))
        wait = nominal / 2 + self.jitter() * nominal / 2
        if retry_after is not None:
            wait = max(retry_after, min(wait, retry_after * 1.1))
        return min(wait, self.max_delay)


def retry_after_seconds(headers: Any) -> float | None:
    """Parse ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date) from response headers.

    Args:
        headers: A mapping of response headers (case-insensitive lookups are tried both ways).

    Returns:
        Seconds to wait, or None when the headers ask for nothing usable.

    Examples:
        >>> retry_after_seconds({"retry-after": "7"})
        7.0
        >>> retry_after_seconds({"retry-after-ms": "250"})
        0.25
        >>> retry_after_seconds({}) is None
        True
    """

    def get(name: str) -> str | None:
        for key in (name, name.title(), name.upper()):
            value = headers.get(key) if headers is not None else None
            if value:
                return str(value)
        return None

    ms = get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    raw = get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _service_message(exc: openai.APIStatusError, secrets: Iterable[str]) -> tuple[str, str | None]:
    body = exc.body
    message, code = None, None
    if isinstance(body, dict):
        message = body.get("message")
        raw_code = body.get("code")
        code = str(raw_code) if raw_code else None
    if not isinstance(message, str) or not message:
        message = f"HTTP {exc.status_code}"
    return redact(message, secrets), code


_CLOSED_WORDS = ("no longer", "discontinued", "sunset", "stopped accepting", "shut down", "end of life")
_CLOSED_CODE_WORDS = ("unavailable", "disabled", "not_available", "deprecated", "discontinued")


def _fine_tuning_closed(status: int, message: str, code: str | None) -> bool:
    """Whether an answer to *creating a job* says the account cannot fine-tune any more (403, or such a 400)."""
    if status == 403:
        return True
    if status != 400:
        return False
    code_l = (code or "").lower()
    if "fine_tun" in code_l and any(w in code_l for w in _CLOSED_CODE_WORDS):
        return True
    text = message.lower().replace("-", " ")
    return "fine tun" in text and any(w in text for w in _CLOSED_WORDS)


def translate_error(
    exc: BaseException, *, what: str, secrets: Iterable[str] = (), attempts: int = 1, creating_job: bool = False
) -> _HTTPBackendError:
    """Map an ``openai`` SDK exception to the biorft error for the same failure, with an actionable message.

    Args:
        exc: The SDK exception.
        what: What biorft was doing, for the message ("uploading train.jsonl").
        secrets: Strings to remove from the message (the API key).
        attempts: How many tries were made.
        creating_job: True while creating a fine-tuning job: a 403, or a 400 saying fine-tuning is unavailable,
            becomes `FineTuningUnavailable`.

    Returns:
        The biorft error (not raised).

    Examples:
        >>> import httpx2, openai
        >>> req = httpx2.Request("GET", "http://127.0.0.1/v1/fine_tuning/jobs/x")
        >>> resp = httpx2.Response(404, request=req)
        >>> sdk = openai.NotFoundError("nope", response=resp, body={"message": "No such job: x"})
        >>> err = translate_error(sdk, what="retrieving job x")
        >>> type(err).__name__, err.status_code
        ('NotFound', 404)
    """
    secrets = tuple(secrets)
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        message, code = _service_message(exc, secrets)
        request_id = exc.request_id
        said = f"the service answered HTTP {status}{tries}: {message}"
        kw: dict[str, Any] = {"status_code": status, "request_id": request_id}
        if creating_job and _fine_tuning_closed(status, message, code):
            return FineTuningUnavailable(
                f"this account cannot create fine-tuning jobs ({said}). OpenAI stopped accepting new self-serve "
                f"fine-tuning jobs on 2027-01-06; {TRL_HINT}",
                **kw,
            )
        if status == 401:
            return AuthenticationError(
                f"{what} failed: {said}. Check the API key (OPENAI_API_KEY, or the key of the client you passed) "
                "and that it belongs to the organisation / project / endpoint you meant",
                **kw,
            )
        if status == 403:
            return PermissionDenied(
                f"{what} failed: {said}. The key is valid but not allowed to do this: check the project's "
                "permissions and model access (Azure: the 'Azure AI User' role and the region)",
                **kw,
            )
        if status == 404:
            return NotFound(
                f"{what} failed: {said}. Check the id, and that the client points at the organisation, project "
                "and endpoint that created it",
                **kw,
            )
        if status == 429:
            if code == "insufficient_quota":
                return RateLimited(
                    f"{what} failed: {said}. The account is out of quota: add credit or raise "
                    "the project's budget, then retry",
                    **kw,
                )
            return RateLimited(
                f"{what} failed: {said}. Wait a few minutes and retry, or lower the request "
                "rate (fewer concurrent jobs)",
                **kw,
            )
        if status >= 500:
            return ServiceUnavailable(
                f"{what} failed: {said}. The service is having trouble: retry later; the "
                "operation is safe to repeat (uploads and submissions are idempotent)",
                **kw,
            )
        return InvalidRequest(f"{what} was rejected: {said}. Fix the request as the message says", **kw)
    if isinstance(exc, openai.APITimeoutError):
        return ServiceUnavailable(f"{what} timed out{tries}; check the network or raise the client's timeout")
    if isinstance(exc, openai.APIConnectionError):
        return ServiceUnavailable(
            f"{what} failed: could not connect to the service{tries}; check the network "
            "and the base URL (OPENAI_BASE_URL / azure_endpoint)"
        )
    return ServiceUnavailable(f"{what} failed: {redact(str(exc), secrets)}")


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            body = exc.body
            return not (isinstance(body, dict) and body.get("code") == "insufficient_quota")
        return exc.status_code >= 500 or exc.status_code == 408
    return isinstance(exc, openai.APIConnectionError)  # includes time-outs


def _ambiguous(exc: BaseException) -> bool:
    """The request may have taken effect although it failed (server error or lost answer)."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError)


def call_with_retries(
    fn: Callable[[], T],
    *,
    what: str,
    policy: RetryPolicy,
    secrets: Iterable[str] = (),
    recover: Callable[[], T | None] | None = None,
    creating_job: bool = False,
) -> T:
    """Call ``fn`` under ``policy``, translating SDK errors to biorft errors.

    Args:
        fn: The API call (no arguments).
        what: What the call does, for messages and logs.
        policy: The retry policy.
        secrets: Strings never to show (the API key).
        recover: For calls that are not idempotent (creating a job): after a failure that may have taken effect
            (5xx, time-out), ``recover()`` is asked before retrying; a non-None answer is returned instead.
        creating_job: Passed to `translate_error`.

    Returns:
        What ``fn`` (or ``recover``) returned.

    Raises:
        BackendError: A subclass naming the failure, once retries are exhausted or on a non-retryable error.

    Examples:
        >>> call_with_retries(lambda: 42, what="answering", policy=RetryPolicy())
        42
    """
    secrets = tuple(secrets)
    attempt = 0
    while True:
        try:
            return fn()
        except openai.OpenAIError as exc:
            attempt += 1
            retry_after = retry_after_seconds(exc.response.headers) if isinstance(exc, openai.APIStatusError) else None
            if recover is not None and _ambiguous(exc):
                recovered = recover()
                if recovered is not None:
                    log.info("%s: the failed request had taken effect; using its result", what)
                    return recovered
            if not _retryable(exc) or attempt >= policy.max_attempts:
                raise translate_error(
                    exc, what=what, secrets=secrets, attempts=attempt, creating_job=creating_job
                ) from None
            if retry_after is not None and retry_after > policy.max_delay:
                err = translate_error(exc, what=what, secrets=secrets, attempts=attempt, creating_job=creating_job)
                raise type(err)(
                    f"{err} (the service asked to wait {retry_after:.0f} s, more than max_delay="
                    f"{policy.max_delay:.0f} s; try again after that)",
                    status_code=err.status_code,
                    request_id=err.request_id,
                ) from None
            wait = policy.backoff(attempt - 1, retry_after)
            status = getattr(exc, "status_code", type(exc).__name__)
            log.warning("%s: %s, retry %d/%d in %.1f s", what, status, attempt, policy.max_attempts - 1, wait)
            policy.sleep(wait)
