"""The one retry policy of biorft, shared by evaluation and the OpenAI fine-tuning backend.

biorft drives retries itself (every ``openai`` client it is given is copied with ``max_retries=0``) so that all of
its calls follow one documented policy:

- **Retried**: HTTP 408, 409, 429 (except ``insufficient_quota``) and 5xx; time-outs (one total deadline per
  attempt); dropped or refused connections; and, for model calls, a 200 answer that holds no usable result (cut-off
  or invalid JSON, an HTML page, no choices, ``content: null``).
- **Never retried**: 400, 401, 403, 404, 422 and an exhausted quota (HTTP 429 with code ``insufficient_quota``,
  read from the error body the same way everywhere).
- **Back-off**: exponential from ``base_delay`` (doubling per retry, capped at ``max_delay``) with "equal jitter"
  (a wait ``d`` becomes ``d/2 + jitter * d/2``); a server's ``Retry-After`` / ``retry-after-ms`` is honoured.
- **One ceiling**: ``max_delay`` also bounds ``Retry-After``: a service that asks for a longer wait is not waited
  out; the call fails at once with a message saying when to come back.
- ``max_retries`` retries after the first try (``max_retries=0``: one try only).

This module imports nothing heavy at import time (the ``openai`` SDK is imported when an error is classified), so
the command line can read the defaults below cheaply.

Examples:
    >>> policy = RetryPolicy(max_retries=2, base_delay=1.0, max_delay=8.0, jitter=lambda: 0.5)
    >>> [policy.backoff(n, retry_after=None) for n in range(4)]
    [0.75, 1.5, 3.0, 6.0]
    >>> policy.backoff(0, retry_after=5.0)
    5.0
    >>> policy.max_attempts
    3
"""

from __future__ import annotations

import email.utils
import math
import random
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from biorft.errors import InvalidReplyError

__all__ = [
    "BASE_DELAY_S",
    "MAX_DELAY_S",
    "MAX_RETRIES",
    "RetryPolicy",
    "describe_failure",
    "is_quota_exhausted",
    "is_retryable",
    "retry_after_seconds",
    "status_code",
]

#: Retries after the first try, by default.
MAX_RETRIES = 6
#: First back-off delay in seconds.
BASE_DELAY_S = 1.0
#: Upper bound of one wait, and the ceiling of a ``Retry-After`` that is waited out.
MAX_DELAY_S = 60.0

#: HTTP statuses worth another try (the ``openai`` SDK's own list: 408, 409, 429 and 5xx).
RETRYABLE_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True, init=False)
class RetryPolicy:
    """How biorft retries transient failures of OpenAI-compatible endpoints.

    Args:
        max_retries: Retries after the first try (0: try once); at least 0.
        base_delay: Back-off before the first retry, in seconds; doubles with each retry.
        max_delay: Upper bound of any single wait, in seconds; a ``Retry-After`` longer than this is not waited
            out (the call fails at once, saying when to come back).
        sleep: The sleeping function of synchronous callers (tests pass a recorder).
        jitter: Returns a number in [0, 1); the back-off is ``d/2 + jitter() * d/2`` for a nominal delay ``d``.
        max_attempts: Deprecated spelling of ``max_retries + 1``.
        initial_delay: Deprecated spelling of ``base_delay``.

    Examples:
        >>> RetryPolicy(max_retries=0).max_attempts
        1
    """

    max_retries: int
    base_delay: float
    max_delay: float
    sleep: Callable[[float], None] = field(repr=False)
    jitter: Callable[[], float] = field(repr=False)

    def __init__(
        self,
        max_retries: int = MAX_RETRIES,
        base_delay: float = BASE_DELAY_S,
        max_delay: float = MAX_DELAY_S,
        *,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        max_attempts: int | None = None,
        initial_delay: float | None = None,
    ) -> None:
        if max_attempts is not None:
            warnings.warn("RetryPolicy(max_attempts=N) is deprecated: pass max_retries=N - 1", DeprecationWarning, 2)
            if max_attempts < 1:
                raise ValueError(f"RetryPolicy max_attempts must be at least 1, got {max_attempts}")
            max_retries = max_attempts - 1
        if initial_delay is not None:
            warnings.warn("RetryPolicy(initial_delay=...) is deprecated: pass base_delay=", DeprecationWarning, 2)
            base_delay = initial_delay
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"RetryPolicy max_retries must be an integer >= 0, got {max_retries!r}")
        for name, value in (("base_delay", base_delay), ("max_delay", max_delay)):
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"RetryPolicy {name} must be a finite number of seconds >= 0, got {value!r}")
        object.__setattr__(self, "max_retries", max_retries)
        object.__setattr__(self, "base_delay", float(base_delay))
        object.__setattr__(self, "max_delay", float(max_delay))
        object.__setattr__(self, "sleep", sleep)
        object.__setattr__(self, "jitter", jitter)

    @property
    def max_attempts(self) -> int:
        """Total tries per call, the first one included (``max_retries + 1``)."""
        return self.max_retries + 1

    @property
    def initial_delay(self) -> float:
        """Deprecated name of ``base_delay``."""
        return self.base_delay

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt + 1``.

        Args:
            attempt: How many retries happened already (0 before the first retry).
            retry_after: What the service asked for, in seconds, if anything.

        Returns:
            The wait: at least ``retry_after`` when given, never more than ``max_delay``.

        Examples:
            >>> RetryPolicy(base_delay=2.0, max_delay=3.0, jitter=lambda: 0.5).backoff(5, None)
            2.25
        """
        nominal = min(self.max_delay, self.base_delay * (2.0 ** min(attempt, 64)))
        wait = nominal / 2 + self.jitter() * nominal / 2
        if retry_after is not None:
            wait = max(retry_after, min(wait, retry_after * 1.1))
        return min(wait, self.max_delay)

    def waits_out(self, retry_after: float | None) -> bool:
        """Whether a ``Retry-After`` of this many seconds is within the ceiling (``max_delay``).

        Examples:
            >>> RetryPolicy(max_delay=60).waits_out(120.0), RetryPolicy().waits_out(None)
            (False, True)
        """
        return retry_after is None or retry_after <= self.max_delay


def retry_after_seconds(headers: Any) -> float | None:
    """Parse ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date) from response headers.

    Args:
        headers: A mapping of response headers (case-insensitive lookups are tried both ways), or None.

    Returns:
        Seconds to wait, or None when the headers ask for nothing usable.

    Examples:
        >>> retry_after_seconds({"retry-after": "7"})
        7.0
        >>> retry_after_seconds({"retry-after-ms": "250"})
        0.25
        >>> retry_after_seconds({"retry-after": "nan"}) is None, retry_after_seconds(None) is None
        (True, True)
    """

    def get(name: str) -> str | None:
        for key in (name, name.title(), name.upper()):
            value = headers.get(key) if headers is not None else None
            if value:
                return str(value)
        return None

    def seconds(raw: str, scale: float) -> float | None:
        try:
            value = float(raw) * scale
        except ValueError:
            return None
        return max(0.0, value) if math.isfinite(value) else None

    ms = get("retry-after-ms")
    if ms is not None and (value := seconds(ms, 0.001)) is not None:
        return value
    raw = get("retry-after")
    if raw is None:
        return None
    if (value := seconds(raw, 1.0)) is not None:
        return value
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def status_code(exc: BaseException) -> int | None:
    """The HTTP status of an SDK error, or None.

    Examples:
        >>> status_code(ValueError("x")) is None
        True
    """
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def _error_code(exc: BaseException) -> str | None:
    code = getattr(exc, "code", None)
    if code:
        return str(code)
    body = getattr(exc, "body", None)
    if isinstance(body, Mapping):
        inner = body.get("error")
        raw = inner.get("code") if isinstance(inner, Mapping) else body.get("code")
        return str(raw) if raw else None
    return None


def is_quota_exhausted(exc: BaseException) -> bool:
    """An HTTP 429 that says the account is out of quota (``insufficient_quota``): retrying cannot help.

    Examples:
        >>> is_quota_exhausted(RuntimeError("429"))
        False
    """
    return status_code(exc) == 429 and _error_code(exc) == "insufficient_quota"


def is_retryable(exc: BaseException) -> bool:
    """Whether another try may succeed (see the module docs for the list).

    Examples:
        >>> is_retryable(TimeoutError()), is_retryable(ValueError("bad argument"))
        (True, False)
    """
    if isinstance(exc, TimeoutError | InvalidReplyError):
        return True
    status = status_code(exc)
    if status is not None:
        if is_quota_exhausted(exc):
            return False
        return status in RETRYABLE_STATUSES or status >= 500
    import openai

    return isinstance(exc, openai.APIConnectionError)  # includes the SDK's time-outs


def describe_failure(exc: BaseException) -> str:
    """A one-line description of a failed call (not redacted: pass it through ``redact`` before showing it).

    Examples:
        >>> describe_failure(TimeoutError())
        'the request timed out'
        >>> describe_failure(ValueError(""))
        'ValueError'
    """
    if isinstance(exc, TimeoutError):
        return "the request timed out" + (f" ({exc})" if str(exc) else "")
    raw = getattr(exc, "message", None) or str(exc)
    lines = [line.strip() for line in str(raw).splitlines() if line.strip()]
    message = lines[0][:300] if lines else ""
    status = status_code(exc)
    if status is not None:
        return f"HTTP {status} {type(exc).__name__}" + (f": {message}" if message else "")
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
