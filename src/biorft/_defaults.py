"""Defaults of ``biorft.evaluate`` and ``biorft eval``, in one place both read (cheap to import).

Examples:
    >>> from biorft import _defaults
    >>> _defaults.CONCURRENCY, _defaults.MAX_RETRIES
    (16, 6)
"""

from __future__ import annotations

from biorft._retry import BASE_DELAY_S, MAX_DELAY_S, MAX_RETRIES

__all__ = ["BASE_DELAY_S", "CONCURRENCY", "MAX_DELAY_S", "MAX_RETRIES", "N_BOOT", "SAMPLES", "SEED", "TIMEOUT_S"]

#: Requests in flight at once.
CONCURRENCY = 16
#: Seconds one request attempt may take in all (connection, waiting and reading the body).
TIMEOUT_S = 120.0
#: Samples (completions) per prompt.
SAMPLES = 1
#: Seed of the bootstrap, the back-off jitter and ``limit`` sampling.
SEED = 0
#: Bootstrap resamples behind the 95% intervals.
N_BOOT = 1000
