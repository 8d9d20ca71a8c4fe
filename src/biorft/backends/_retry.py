"""The fine-tuning backend's retry loop and the mapping of SDK errors to biorft errors.

The policy itself (which failures are retried, back-off, the ``Retry-After`` ceiling, quota detection) is the one
evaluation uses too: ``biorft._retry.RetryPolicy`` and ``biorft._retry.is_retryable``. A ``Retry-After`` longer
than ``RetryPolicy.max_delay`` is not waited out (biorft raises ``RateLimited`` saying when to come back).

Examples:
    >>> call_with_retries(lambda: 42, what="answering", policy=RetryPolicy(max_retries=0))
    42
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import openai

from biorft._redact import redact
from biorft._retry import RetryPolicy, is_quota_exhausted, is_retryable, retry_after_seconds
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

__all__ = ["RetryPolicy", "call_with_retries", "retry_after_seconds", "translate_error"]

log = logging.getLogger("biorft.backends.openai_rft")

T = TypeVar("T")

TRL_HINT = (
    "train with the open-trainer backend instead: the same splits and graders work with TRL GRPO "
    "(biorft.backends.trl.grpo_recipe, guide 'Fine-tune an open model with TRL GRPO'), or with Azure OpenAI RFT "
    "through an openai.AzureOpenAI client"
)


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
            if is_quota_exhausted(exc):
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
            if not is_retryable(exc) or attempt > policy.max_retries:
                raise translate_error(
                    exc, what=what, secrets=secrets, attempts=attempt, creating_job=creating_job
                ) from None
            if not policy.waits_out(retry_after):
                err = translate_error(exc, what=what, secrets=secrets, attempts=attempt, creating_job=creating_job)
                raise type(err)(
                    f"{err} (the service asked to wait {retry_after:.0f} s, more than max_delay="
                    f"{policy.max_delay:.0f} s; try again after that)",
                    status_code=err.status_code,
                    request_id=err.request_id,
                ) from None
            wait = policy.backoff(attempt - 1, retry_after)
            status = getattr(exc, "status_code", type(exc).__name__)
            log.warning("%s: %s, retry %d/%d in %.1f s", what, status, attempt, policy.max_retries, wait)
            policy.sleep(wait)
