"""The one error hierarchy of biorft.

Every error biorft raises on purpose derives from [BiorftError][biorft.errors.BiorftError] and is defined here, so a
caller can catch them all with one ``except`` clause and import any of them from one place (the subpackages
re-export the ones they raise). Messages say what went wrong *and* what to do about it. Warnings biorft emits
derive from [BiorftWarning][biorft.errors.BiorftWarning].

```
BiorftError
├── SchemaError (ValueError)
├── DatasetError (ValueError)
├── GraderError (ValueError)
├── MissingDependencyError (ImportError)
├── CacheError (ValueError)          a response cache file cannot be read
├── ReportError (ValueError)         not a biorft evaluation report
└── BackendError (RuntimeError)
    ├── EmptyReplyError (ValueError) an endpoint answered without any output
    └── (HTTP errors of the OpenAI API, with status_code and request_id)
        ├── AuthenticationError      401
        ├── PermissionDenied         403
        │   └── FineTuningUnavailable
        ├── NotFound (LookupError)   404
        ├── RateLimited              429
        ├── ServiceUnavailable       5xx, time-outs, connection failures
        ├── InvalidRequest (ValueError)  400 / 409 / 422 or refused locally
        │   ├── UnsupportedModel
        │   └── InvalidHyperparameter
        ├── FileProcessingError
        ├── GraderRunError
        ├── JobFailed
        └── WatchTimeout (TimeoutError)
```

Examples:
    >>> from biorft.errors import BiorftError, DatasetError
    >>> try:
    ...     raise DatasetError("column 'smiles' not found in data.csv; pass smiles='<column>'")
    ... except BiorftError as err:
    ...     print(type(err).__name__, "-", err)
    DatasetError - column 'smiles' not found in data.csv; pass smiles='<column>'
"""

from __future__ import annotations

__all__ = [
    "ArgumentError",
    "AuthenticationError",
    "BackendError",
    "BiorftError",
    "BiorftWarning",
    "CacheError",
    "DatasetError",
    "DownloadError",
    "EmptyReplyError",
    "FileProcessingError",
    "FineTuningUnavailable",
    "GraderError",
    "GraderRunError",
    "HackableGraderError",
    "InvalidHyperparameter",
    "InvalidReplyError",
    "InvalidRequest",
    "JobFailed",
    "MissingDependencyError",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ReportError",
    "RewardGapWarning",
    "SchemaError",
    "ServiceUnavailable",
    "UnsupportedModel",
    "WatchTimeout",
]


class BiorftError(Exception):
    """Root of every error biorft raises on purpose."""


class SchemaError(BiorftError, ValueError):
    """A task spec, example or dataset card does not validate; the message names the field."""


class DatasetError(BiorftError, ValueError):
    """A dataset cannot be built, loaded, split or exported; the message names the file, column or value."""


class GraderError(BiorftError, ValueError):
    """A grader is configured wrongly (raised at construction, never on model output)."""


class BackendError(BiorftError, RuntimeError):
    """A training or inference backend (OpenAI, TRL, verl, an endpoint) failed; the message says what to do."""


class MissingDependencyError(BiorftError, ImportError):
    """An optional dependency is not installed.

    Args:
        package: The import name that is missing (e.g. ``"trl"``).
        extra: The biorft extra that installs it (e.g. ``"trl"`` for ``pip install 'biorft[trl]'``).
        feature: What the caller tried to use, for the message.

    Examples:
        >>> err = MissingDependencyError("matplotlib", extra="plot", feature="EvalReport.plot")
        >>> print(err)
        EvalReport.plot needs 'matplotlib', which is not installed; run: pip install 'biorft[plot]'
    """

    def __init__(self, package: str, *, extra: str, feature: str | None = None) -> None:
        self.package = package
        self.extra = extra
        what = feature or "this feature"
        super().__init__(f"{what} needs {package!r}, which is not installed; run: pip install 'biorft[{extra}]'")


def require(package: str, *, extra: str, feature: str | None = None) -> object:
    """Import an optional dependency or raise [MissingDependencyError][biorft.errors.MissingDependencyError].

    Args:
        package: Import name of the module.
        extra: The biorft extra that provides it.
        feature: What needs it, for the error message.

    Returns:
        The imported module.

    Examples:
        >>> json = require("json", extra="dev")
        >>> json.dumps([1])
        '[1]'
    """
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError as exc:
        raise MissingDependencyError(package, extra=extra, feature=feature) from exc


class CacheError(BiorftError, ValueError):
    """A response cache file cannot be read; the message names the file and line."""


class ReportError(BiorftError, ValueError):
    """A file or text is not a biorft evaluation report; the message names it."""


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


class BiorftWarning(UserWarning):
    """Root of every warning biorft emits; filter them all with ``warnings.simplefilter(..., BiorftWarning)``."""


class RewardGapWarning(BiorftWarning):
    """The train reward pulls away from the validation reward (a sign of reward hacking)."""


class ArgumentError(BiorftError, ValueError):
    """A function was called with an argument value it cannot use; the message names the argument.

    Examples:
        >>> raise ArgumentError("concurrency must be an integer >= 1, got 0")
        Traceback (most recent call last):
        ...
        biorft.errors.ArgumentError: concurrency must be an integer >= 1, got 0
    """


class InvalidReplyError(BackendError):
    """An endpoint answered (HTTP 200) without a usable result: cut-off or invalid JSON, no choices, null content.

    Retried like a server error; after the retries the request is recorded as failed, never scored as an answer.
    """


class EmptyReplyError(InvalidReplyError, ValueError):
    """A result without any usable output (not a JSON object, no choices, no output items, null content).

    Evaluation retries it like a server error; after the retries the request is recorded as failed.
    """


class HackableGraderError(GraderError):
    """The reward-hacking audit found a degenerate answer the grader pays more than the prior baseline.

    Raised before any paid or GPU training starts (``OpenAIRFT.submit``, ``grpo_recipe``); ``audit`` holds the
    [AuditResult][biorft._audit.AuditResult]. Fix the grader, or pass ``allow_hackable=True`` to train anyway.
    """

    def __init__(self, message: str, audit: object = None) -> None:
        super().__init__(message)
        self.audit = audit


class DownloadError(DatasetError):
    """An optional online source could not be fetched or failed verification (size, SHA-256, rows).

    The message names the URL and the cache path where the file can be placed by hand.

    Examples:
        >>> issubclass(DownloadError, DatasetError)
        True
    """
