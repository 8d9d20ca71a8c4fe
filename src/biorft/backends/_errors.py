"""Errors of the OpenAI RFT backend, all subclasses of [`biorft.errors.BackendError`][biorft.errors.BackendError].

Each HTTP failure class of the OpenAI API maps to one error here, so a caller can catch, say, rate limiting
without parsing messages. Messages say what failed, what the service answered (with secrets removed) and what to
do next. None of them chains the SDK exception (``raise ... from None``): the SDK's message may quote request
headers or keys, and a chained exception would print it in every traceback.

Examples:
    >>> from biorft.errors import BackendError
    >>> err = RateLimited("rate limited while listing jobs; wait and retry", status_code=429)
    >>> isinstance(err, BackendError), err.status_code
    (True, 429)
"""

from __future__ import annotations

from biorft.errors import BackendError

__all__ = [
    "AuthenticationError",
    "FileProcessingError",
    "FineTuningUnavailable",
    "GraderRunError",
    "InvalidHyperparameter",
    "InvalidRequest",
    "JobFailed",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ServiceUnavailable",
    "UnsupportedModel",
    "WatchTimeout",
]


class _HTTPBackendError(BackendError):
    """A backend error that may carry the HTTP status and the service's request id (never a secret)."""

    def __init__(self, message: str, *, status_code: int | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.request_id = request_id


class AuthenticationError(_HTTPBackendError):
    """No API key, or the service rejected it (HTTP 401)."""


class PermissionDenied(_HTTPBackendError):  # noqa: N818 - the names the API promises
    """The key is valid but may not do this (HTTP 403): project permissions, model access, region."""


class FineTuningUnavailable(PermissionDenied):
    """The account can no longer create fine-tuning jobs (OpenAI ends new self-serve jobs on 2027-01-06)."""


class NotFound(_HTTPBackendError, LookupError):  # noqa: N818 - the names the API promises
    """A file, job or checkpoint id does not exist for this key, project and endpoint (HTTP 404)."""


class RateLimited(_HTTPBackendError):  # noqa: N818 - the names the API promises
    """HTTP 429 after the bounded retries, a ``Retry-After`` too long to wait, or an exhausted quota."""


class ServiceUnavailable(_HTTPBackendError):  # noqa: N818 - the names the API promises
    """HTTP 5xx, a time-out or a connection failure after the bounded retries."""


class InvalidRequest(_HTTPBackendError, ValueError):  # noqa: N818 - the names the API promises
    """The request is invalid: rejected locally before sending, or by the service (HTTP 400 / 409 / 422)."""


class UnsupportedModel(InvalidRequest):
    """The base model is not on biorft's documented allow-list of RFT models."""


class InvalidHyperparameter(InvalidRequest):
    """An RFT hyperparameter has an unknown name or a value the API does not accept."""


class FileProcessingError(_HTTPBackendError):
    """An uploaded file ended in status ``error``, or was not processed in time."""


class GraderRunError(_HTTPBackendError):
    """The grader run endpoint reported errors (``metadata.errors``), e.g. ``python_grader_runtime_error``.

    Attributes:
        errors: The names of the error flags that were set, e.g. ``("python_grader_runtime_error",)``.
        details: The service's details for the first error, when it sent any.
    """

    def __init__(self, message: str, *, errors: tuple[str, ...] = (), details: str | None = None) -> None:
        super().__init__(message)
        self.errors = errors
        self.details = details


class JobFailed(_HTTPBackendError):  # noqa: N818 - the names the API promises
    """A fine-tuning job ended in status ``failed``; the message carries the job's error code and message.

    Attributes:
        job_id: The job's id.
        code: The job's machine-readable error code, when the service gave one.
    """

    def __init__(self, message: str, *, job_id: str, code: str | None = None) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.code = code


class WatchTimeout(_HTTPBackendError, TimeoutError):  # noqa: N818 - the names the API promises
    """``JobHandle.watch(timeout=...)`` ran out of time; the job keeps running on the service."""
