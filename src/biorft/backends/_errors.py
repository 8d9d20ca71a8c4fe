"""Errors of the OpenAI RFT backend, all subclasses of [`biorft.errors.BackendError`][biorft.errors.BackendError].

Each HTTP failure class of the OpenAI API maps to one error, so a caller can catch, say, rate limiting without
parsing messages. Messages say what failed, what the service answered (with secrets removed) and what to do next.
None of them chains the SDK exception (``raise ... from None``): the SDK's message may quote request headers or
keys, and a chained exception would print it in every traceback. The classes live in
[biorft.errors][biorft.errors] with the rest of the hierarchy; this module re-exports them.

Examples:
    >>> from biorft.errors import BackendError
    >>> err = RateLimited("rate limited while listing jobs; wait and retry", status_code=429)
    >>> isinstance(err, BackendError), err.status_code
    (True, 429)
"""

from __future__ import annotations

from biorft.errors import *  # noqa: F403 - the backend errors, re-exported from their one home
from biorft.errors import __all__ as __all__
from biorft.errors import _HTTPBackendError as _HTTPBackendError
