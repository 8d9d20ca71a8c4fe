"""RFT curation: choose the examples that teach.

[by_pass_rate][biorft.curate.by_pass_rate] keeps the examples a model solves sometimes but not always (measured
with ``evaluate(data, ..., samples=k)``); [pass_rates][biorft.curate.pass_rates] gives each example's rate with a
Wilson interval, and [pass_at_k][biorft.curate.pass_at_k] the unbiased pass@k estimator.

Examples:
    >>> from biorft.curate import pass_at_k
    >>> pass_at_k(n=8, c=4, k=1)
    0.5
"""

from __future__ import annotations

from biorft.curate._pass_rate import by_pass_rate, pass_rate_histogram, plot_pass_rates
from biorft.evaluation._passk import PassRate, pass_at_k, pass_rates, wilson_interval

__all__ = [
    "PassRate",
    "by_pass_rate",
    "pass_at_k",
    "pass_rate_histogram",
    "pass_rates",
    "plot_pass_rates",
    "wilson_interval",
]
