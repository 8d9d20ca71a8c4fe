"""The one error hierarchy of biorft.

Every error biorft raises on purpose derives from :class:`BiorftError`, so a caller can catch them all with one
``except`` clause. Messages say what went wrong *and* what to do about it.

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
    "BackendError",
    "BiorftError",
    "DatasetError",
    "DownloadError",
    "GraderError",
    "MissingDependencyError",
    "SchemaError",
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
    """Import an optional dependency or raise :class:`MissingDependencyError` naming the extra.

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


class DownloadError(DatasetError):
    """An optional online source could not be fetched or failed verification (size, SHA-256, rows).

    The message names the URL and the cache path where the file can be placed by hand.

    Examples:
        >>> issubclass(DownloadError, DatasetError)
        True
    """
