"""Numeric answers: parsing (units, separators, scientific notation, unicode minus) and tolerance scoring.

Parsing accepts ``-3.2``, ``−3.2`` (unicode minus), ``1,234.5``, ``3.2e-4``, ``3.2 × 10^-4``, ``3.2·10⁻⁴``,
``~ -2.1 log(mol/L)``, ``-2.1 ± 0.3`` (the uncertainty is dropped). Configured unit strings are removed before
numbers are read, and digits glued to letters (``log10``, ``m2``) are not numbers. Two or more numbers (a range such
as ``1-2`` or ``between 1 and 2``) are a hedge in strict mode; lenient mode takes the first. ``nan`` is a parse error;
``inf`` and values that overflow a float (``1e999``) are out of range.

Scoring: ``err = |answer - target|`` (in log10 units when ``scale="log"``), ``tol = max(abs_tol, rel_tol·|target|)``;
within ``tol`` scores 1, beyond it ``decay((err - tol) / width)`` with ``linear`` ``max(0, 1 - x)``, ``exponential``
``exp(-x)``, ``gaussian`` ``exp(-x²/2)`` or ``none`` (0). Every decay is non-increasing in ``err``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from biorft.graders._rt.text import clip, is_refusal, retraction

_MINUS_CHARS = "\u2212\u2012\u2013\u2014\u2010\u2011\ufe63\uff0d"
_MINUS_TABLE = str.maketrans(dict.fromkeys(_MINUS_CHARS, "-") | {"\u00a0": " ", "\u2009": " ", "\u202f": " "})
_THOUSANDS_RE = re.compile(r"(?<![\d.,])(\d{1,3})((?:[,']\d{3})+)(?![\d,'])")
_DECIMAL_COMMA_RE = re.compile(r"(?<=\d),(?=\d)")
_PLUS_MINUS_RE = re.compile(
    r"(?:\u00b1|\+/-|\+-|\+ ?/ ?-|plus or minus|plus/minus) ?([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)",
    re.IGNORECASE,
)
_NUMBER_CHARS_RE = re.compile(r"[0-9eE.,'+\- ~^*x\u00d7\u00b7\u22c5\u00b1/]*")  # no word, negation or bound
_NEGATED_NUMBER_RE = re.compile(
    r"(?<![a-z])(?:not|no|non|never|neither|nor|except|excluding|other than|anything but)(?![a-z])|n't|n\u2019t|"
    r"\u2260|!=|=/=|<>",
    re.IGNORECASE,
)
_BOUND_RE = re.compile(
    r"(?:[<>]=?|[\u2264\u2265\u2272\u2273\u2a7d\u2a7e\u226a\u226b]) ?[+-]?\.?\d|"
    r"(?<![a-z])(?:less|more|greater|fewer|lower|higher|above|below|under|over|at least|at most|up to|exceeds?|"
    r"exceeding|between|range|either)(?![a-z])",
    re.IGNORECASE,
)
_PLAIN_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NUMBER_RE = re.compile(r"(?<![\w.])[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?", re.IGNORECASE)
_TIMES_TEN_RE = re.compile(r" ?(?:x|\*|\u00d7|\u00b7|\u22c5) ?10 ?(?:\^|\*\*)? ?([+-]?\d{1,4})(?![\d.])", re.IGNORECASE)
_SPECIAL_RE = re.compile(r"(?<![a-z])(nan|[+-]?inf(?:inity)?)(?![a-z])", re.IGNORECASE)
_MAX_NUMBER_TEXT = 10000
_WORD_RE = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not a number's "e" or "x"


def units_pattern(units: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of the configured unit strings (longest first), or ``None``."""
    units = sorted({u for u in units if u.strip()}, key=len, reverse=True)
    if not units:
        return None
    return re.compile("|".join(re.escape(u) for u in units), re.IGNORECASE)


def parse_number(value: Any, units: re.Pattern[str] | None, lenient: bool) -> tuple[float | None, str, str]:
    """Read one number from an extracted answer: ``(value, reason, detail)``; reason ``""`` when it parsed.

    ``units`` (from `units_pattern`) is removed from the answer before numbers are read. A stated uncertainty
    (``± 0.3``) is dropped here; `parse_spread` keeps it.
    """
    parsed, reason, detail = parse_spread(value, units, lenient)
    return (None if parsed is None else parsed[0]), reason, detail


def parse_spread(
    value: Any, units: re.Pattern[str] | None, lenient: bool
) -> tuple[tuple[float, float] | None, str, str]:
    """Read one number and its stated uncertainty: ``((value, spread), reason, detail)``.

    ``spread`` is 0 unless the answer says ``± s`` / ``+/- s``.

    Both modes refuse what is not one committed number: several numbers (a list, a range ``1-2``, ``between 1 and
    2``) or a bound (``< 3``, ``at least 2``) are ``hedged``; a negation (``not 3``, ``≠ 3``) has no answer; a
    retraction (``3, actually 5``) is ``conflicting``.
    """
    if type(value) is not str:  # (the usual answer, a str, skips these checks)
        if isinstance(value, bool) or value is None:
            return None, "parse_error" if value is not None else "no_answer", f"the answer is {value!r}, not a number"
        if isinstance(value, (int, float)):
            number = float(value) if not isinstance(value, int) or abs(value) < 2**1023 else math.inf
            return _finite(number, repr(value))
        if isinstance(value, list):
            if len(value) == 1:
                return parse_spread(value[0], units, lenient)
            return None, "hedged" if value else "no_answer", f"the answer is a list of {len(value)} values"
        if not isinstance(value, str):
            return None, "parse_error", f"the answer is a {type(value).__name__}, not a number"
    if len(value) > _MAX_NUMBER_TEXT:
        return None, "parse_error", f"the answer is {len(value)} characters long, not a number"
    plain = value.strip()
    # quick path, exactly what the full parse below reads; a Unicode minus is normalised as that parse would
    quick = plain if plain.isascii() else unicodedata.normalize("NFKC", plain).translate(_MINUS_TABLE).strip()
    if _PLAIN_RE.fullmatch(quick) and (units is None or units.search(quick) is None):
        number = float(quick)
        return ((number, 0.0), "", "") if math.isfinite(number) else _finite(number, quick)
    if is_refusal(plain):
        return None, "no_answer", f"the answer declines to answer: {clip(value)!r}"
    text = value if value.isascii() else unicodedata.normalize("NFKC", value).translate(_MINUS_TABLE)
    if units is not None:
        text = units.sub(" ", text)
    text = " ".join(text.split())
    if _PLAIN_RE.fullmatch(text):
        return _finite(float(text), text)
    if _NUMBER_CHARS_RE.fullmatch(text) is None:  # words or symbols besides the number: read them first
        cue = retraction(text)
        if cue:
            return None, "conflicting", f"the answer retracts itself ({cue!r}): state one number"
        if _NEGATED_NUMBER_RE.search(text) is not None:
            return None, "no_answer", f"the answer negates instead of stating a number: {clip(value)!r}"
        if _BOUND_RE.search(text) is not None:
            return None, "hedged", f"the answer is a bound or a range, not a number: {clip(value)!r}"
    if "," in text or "'" in text:
        text = _THOUSANDS_RE.sub(_drop_separators, text)
        text = _DECIMAL_COMMA_RE.sub(".", text) if text.count(",") == 1 and "." not in text else text
    spread = 0.0
    if "\u00b1" in text or "+" in text or "plus" in text.lower():
        for match in _PLUS_MINUS_RE.finditer(text):
            spread = max(spread, abs(float(match.group(1))))
        text = _PLUS_MINUS_RE.sub(" ", text)
    found = list(_NUMBER_RE.finditer(text))
    if not found:
        special = _SPECIAL_RE.search(text)
        if special is not None:
            word = special.group(1).lower()
            return _finite(math.nan if word == "nan" else math.inf, special.group(1))
        return None, "parse_error", f"no number in the answer {clip(value)!r}"
    first = found[0]
    mantissa = first.group()
    tail = _TIMES_TEN_RE.match(text, first.end())
    rest = found[1:]
    if tail is not None:
        mantissa = f"{mantissa}e{tail.group(1)}"
        rest = [m for m in rest if m.start() >= tail.end()]
        spread *= 10.0 ** int(tail.group(1))
    if rest:
        return None, "hedged", f"the answer holds several numbers: {clip(value)!r}"
    parsed, reason, detail = _finite(float(mantissa), mantissa)
    if parsed is None or not math.isfinite(spread):
        return None, reason or "out_of_range", detail or "the stated uncertainty is not finite"
    return (parsed[0], spread), "", ""


def exact_number(value: Any, units: re.Pattern[str] | None) -> tuple[tuple[float, float] | None, str, str]:
    """`parse_spread` in strict mode, accepting only text that is a number (plus configured units).

    Used for outputs with no answer marker: ``"-3.2"``, ``"3.2e-4 mol/L"`` and ``"3.2 × 10^-4"`` are numbers,
    ``"I think it is 3"`` is not (a word besides the units), so it has no answer rather than a wrong one.
    """
    if isinstance(value, str):
        text = units.sub(" ", value) if units is not None else value
        if _WORD_RE.search(_SPECIAL_RE.sub(" ", text)) is not None:
            return None, "no_answer", f"{clip(value)!r} is not just a number"
    return parse_spread(value, units, False)


def _drop_separators(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).replace(",", "").replace("'", "")


def _finite(number: float, shown: str) -> tuple[tuple[float, float] | None, str, str]:
    if math.isnan(number):
        return None, "parse_error", f"{clip(shown)!r} is not a number"
    if math.isinf(number):
        return None, "out_of_range", f"{clip(shown)!r} is not finite"
    return (number, 0.0), "", ""


def decay_score(excess: float, decay: str, width: float) -> float:
    """Partial credit for an error ``excess`` beyond the tolerance (``excess >= 0``); 1 at 0, non-increasing."""
    if excess <= 0.0:
        return 1.0
    if decay == "none" or width <= 0.0:
        return 0.0
    x = excess / width
    if decay == "linear":
        return max(0.0, 1.0 - x)
    if decay == "exponential":
        return math.exp(-x)
    if decay == "gaussian":
        return math.exp(-0.5 * x * x) if x < 64.0 else 0.0
    return 0.0


class NumericRule:
    """A numeric grader's scoring parameters, read once from its configuration."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.abs_tol = float(cfg["abs_tol"])
        self._abs_tol_text = f"{self.abs_tol:.6g}"
        self.rel_tol = float(cfg["rel_tol"])
        self.decay = str(cfg["decay"])
        self.width = float(cfg["width"])
        self.log_scale = cfg["scale"] == "log"
        bounds = cfg.get("bounds")
        self.bounds = (float(bounds[0]), float(bounds[1])) if bounds is not None else None

    def too_wide(self, answer: float, spread: float, target: float) -> bool:
        """Whether ``answer ± spread`` is wider than the tolerance (a hedge across values scored differently)."""
        if spread <= 0.0:
            return False
        tolerance = max(self.abs_tol, self.rel_tol * abs(target))
        if self.log_scale:
            low = answer - spread
            if answer <= 0.0 or low <= 0.0:
                return True
            width = max(math.log10(answer + spread) - math.log10(answer), math.log10(answer) - math.log10(low))
        else:
            width = spread
        return not width <= tolerance

    def score(self, answer: float, target: float) -> tuple[float, str, str]:
        """Score ``answer`` against ``target``: ``(score, reason, detail)``."""
        bounds = self.bounds
        if bounds is not None and not (bounds[0] <= answer <= bounds[1]):
            return 0.0, "out_of_range", f"{answer!r} is outside the accepted range [{bounds[0]!r}, {bounds[1]!r}]"
        if self.log_scale:
            if answer <= 0.0:
                return 0.0, "out_of_range", f"{answer!r} is not positive, so it has no logarithm"
            error = abs(math.log10(answer) - math.log10(target))
        else:
            error = abs(answer - target)
        tolerance = max(self.abs_tol, self.rel_tol * abs(target))
        if not math.isfinite(error):
            return 0.0, "out_of_range", f"the error of {answer!r} is not finite"
        excess = error - tolerance
        score = 1.0 if excess <= 0.0 else decay_score(excess, self.decay, self.width)
        shown = self._abs_tol_text if tolerance == self.abs_tol else f"{tolerance:.6g}"
        detail = f"error {error:.6g} (tolerance {shown})"
        if score >= 1.0:
            return 1.0, "correct", detail
        if score <= 0.0:
            return 0.0, "incorrect", detail
        return score, "partial", detail
