"""One error hierarchy: every exception class biorft defines derives from BiorftError and lives in biorft.errors."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest

import biorft
import biorft.errors as errors
from biorft.errors import BiorftError, BiorftWarning, MissingDependencyError

# Private exceptions used as control flow inside one function, never seen by a caller.
INTERNAL = {
    "biorft.evaluation._runner._FailedError": "wraps a failed request between the worker and its caller in the runner",
    "biorft.evaluation._runner._NRejectedError": "tells the runner the endpoint refused n > 1 (batching off)",
}


def _all_modules() -> list[str]:
    names = ["biorft"]
    names += [m.name for m in pkgutil.walk_packages(biorft.__path__, "biorft.")]
    return sorted(names)


def _defined_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for name in _all_modules():
        try:
            module = importlib.import_module(name)
        except MissingDependencyError:  # pragma: no cover - every extra is installed in the dev environment
            continue
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


DEFINED = _defined_exceptions()


def test_the_walk_finds_the_known_errors() -> None:
    # The walk sees errors wherever they are defined (not only in biorft.errors), so it can catch a stray class.
    assert "biorft.errors.BiorftError" in DEFINED
    assert "biorft.errors.RateLimited" in DEFINED
    assert "biorft.evaluation._cache.CacheError" not in DEFINED  # moved: now a re-export of biorft.errors.CacheError
    assert len(DEFINED) >= 25


@pytest.mark.parametrize("qualname", sorted(DEFINED))
def test_every_exception_is_under_the_root_and_defined_in_biorft_errors(qualname: str) -> None:
    cls = DEFINED[qualname]
    if qualname in INTERNAL:
        return
    if issubclass(cls, Warning):
        assert issubclass(cls, BiorftWarning), f"{qualname} must derive from biorft.errors.BiorftWarning"
    else:
        assert issubclass(cls, BiorftError), f"{qualname} must derive from biorft.errors.BiorftError"
    assert cls.__module__ == "biorft.errors", f"define {qualname} in biorft/errors.py and re-export it where it was"
    assert getattr(errors, cls.__name__) is cls


def test_errors_all_lists_every_public_class() -> None:
    public = {name for name, obj in vars(errors).items() if inspect.isclass(obj) and not name.startswith("_")}
    assert set(errors.__all__) == public


@pytest.mark.parametrize(
    ("old_path", "name"),
    [
        ("biorft.backends._errors", "RateLimited"),
        ("biorft.backends._errors", "GraderRunError"),
        ("biorft.backends._errors", "_HTTPBackendError"),
        ("biorft.backends.openai_rft", "JobFailed"),
        ("biorft.backends.openai_rft", "RewardGapWarning"),
        ("biorft.evaluation", "CacheError"),
        ("biorft.evaluation", "ReportError"),
        ("biorft.evaluation._cache", "CacheError"),
        ("biorft.evaluation._report", "ReportError"),
        ("biorft.evaluation._bodies", "EmptyReplyError"),
    ],
)
def test_old_import_paths_still_work(old_path: str, name: str) -> None:
    module = importlib.import_module(old_path)
    assert getattr(module, name) is getattr(errors, name)


def test_builtin_bases_are_kept_for_callers_that_catch_them() -> None:
    assert issubclass(errors.NotFound, LookupError)
    assert issubclass(errors.WatchTimeout, TimeoutError)
    assert issubclass(errors.InvalidRequest, ValueError)
    assert issubclass(errors.CacheError, ValueError)
    assert issubclass(errors.ReportError, ValueError)
    assert issubclass(errors.EmptyReplyError, ValueError)
    assert issubclass(errors.RateLimited, errors.BackendError)


def test_one_except_clause_catches_any_biorft_error() -> None:
    for cls in (errors.CacheError, errors.ReportError, errors.EmptyReplyError):
        with pytest.raises(BiorftError):
            raise cls("x")
    with pytest.raises(BiorftError):
        raise errors.JobFailed("job ftjob-1 failed; see its events", job_id="ftjob-1")


def test_one_filter_silences_every_biorft_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", BiorftWarning)
        warnings.warn("gap", errors.RewardGapWarning, stacklevel=1)
    assert caught == []
