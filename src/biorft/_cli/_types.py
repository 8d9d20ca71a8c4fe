"""Argument types for numeric command-line options: a bad value is a usage error (exit 2) naming the flag."""

from __future__ import annotations

import argparse
import math

__all__ = ["finite_float", "non_negative_int", "positive_float", "positive_int", "unit_float"]


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _at_least(low: int, text: str) -> int:
    value = _int(text)
    if value < low:
        raise argparse.ArgumentTypeError(f"must be {'at least 1' if low == 1 else f'{low} or more'}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1.

    Examples:
        >>> positive_int("3")
        3
    """
    return _at_least(1, text)


def non_negative_int(text: str) -> int:
    """An integer >= 0.

    Examples:
        >>> non_negative_int("0")
        0
    """
    return _at_least(0, text)


def positive_float(text: str) -> float:
    """A finite number > 0 (not nan, not inf).

    Examples:
        >>> positive_float("2.5")
        2.5
    """
    value = _float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text!r}")
    return value


def finite_float(text: str) -> float:
    """A finite number >= 0 (not nan, not inf).

    Examples:
        >>> finite_float("0")
        0.0
    """
    value = _float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text!r}")
    return value


def unit_float(text: str) -> float:
    """A number in [0, 1] (a rate or a score).

    Examples:
        >>> unit_float("0.25")
        0.25
    """
    value = _float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}")
    return value
