"""Numeric grader: tolerance, smooth partial credit, log scale, units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from biorft.errors import GraderError
from biorft.graders._base import MODES, Grader, check_choice, check_field, check_number

__all__ = ["DECAYS", "NumericGrader"]

DECAYS = ("exponential", "linear", "gaussian", "none")


class NumericGrader(Grader):
    """Grader for a number (regression tasks) with tolerance and smooth partial credit.

    ``err = |answer - target|`` (``|log10 answer - log10 target|`` with ``scale="log"``) and
    ``tol = max(abs_tol, rel_tol * |target|)``. Within ``tol`` the score is 1; beyond, ``x = (err - tol) / width``
    scores ``exp(-x)`` (``"exponential"``, default), ``max(0, 1 - x)`` (``"linear"``), ``exp(-x²/2)``
    (``"gaussian"``) or 0 (``"none"``). The score never increases with the error. The answer may carry units,
    thousands separators, scientific notation (``3.2e-4``, ``3.2 × 10^-4``) or a unicode minus; ``nan`` scores 0
    with ``PARSE_ERROR``, ``inf`` / ``1e999`` with ``OUT_OF_RANGE``; a range (``"1-2"``) is ``HEDGED`` in strict
    mode.

    Args:
        abs_tol: Absolute tolerance (in log10 units with ``scale="log"``).
        rel_tol: Relative tolerance, a fraction of ``|target|`` (linear scale only).
        decay: Partial-credit shape beyond the tolerance.
        width: Error beyond the tolerance at which ``x = 1`` (defaults to ``abs_tol`` when positive, else 1).
        scale: ``"linear"`` or ``"log"`` (for quantities such as concentrations, compared by orders of magnitude).
        units: Unit strings removed from answers before the number is read (e.g. ``"log10(mol/L)"``).
        bounds: Optional ``(low, high)``: answers outside score 0 with ``OUT_OF_RANGE``.
        mode: ``"strict"`` or ``"lenient"``.
        target_field: The item key holding the reference number.
        name: Grader name (defaults to ``"number"``).

    Raises:
        GraderError: On a negative or non-finite tolerance or width, an unknown decay or scale, ``rel_tol`` with
            ``scale="log"``, or bad bounds.

    Examples:
        >>> g = NumericGrader(abs_tol=0.5, units=["log(mol/L)"])
        >>> item = {"target": -2.0}
        >>> g("Answer: −2.3 log(mol/L)", item), round(g("Answer: -3.0", item), 4), g("Answer: nan", item)
        (1.0, 0.3679, 0.0)
        >>> NumericGrader(abs_tol=0.3, scale="log")("Answer: 1.5 µM", {"target": 1.0})
        1.0
    """

    def __init__(
        self,
        *,
        abs_tol: float = 0.0,
        rel_tol: float = 0.0,
        decay: str = "exponential",
        width: float | None = None,
        scale: str = "linear",
        units: str | Sequence[str] = (),
        bounds: tuple[float, float] | None = None,
        mode: str = "strict",
        target_field: str = "target",
        name: str = "number",
    ) -> None:
        abs_tol = check_number("abs_tol", abs_tol)
        rel_tol = check_number("rel_tol", rel_tol)
        scale = check_choice("scale", scale, ("linear", "log"))
        if scale == "log" and rel_tol:
            raise GraderError("rel_tol must be 0 with scale='log': a log-scale error is already relative; use abs_tol")
        width = (abs_tol if abs_tol > 0 else 1.0) if width is None else check_number("width", width, low_open=True)
        unit_list = [units] if isinstance(units, str) else list(units)
        if any(not isinstance(u, str) for u in unit_list):
            raise GraderError(f"units must be strings, got {unit_list!r}")
        bound_list: list[float] | None = None
        if bounds is not None:
            if isinstance(bounds, str) or not isinstance(bounds, Sequence) or len(bounds) != 2:
                raise GraderError(f"bounds must be a (low, high) pair, got {bounds!r}")
            low = check_number("bounds[0]", bounds[0], low=-float("inf"))
            high = check_number("bounds[1]", bounds[1], low=-float("inf"))
            if not low < high:
                raise GraderError(f"bounds must have low < high, got {bounds!r}")
            bound_list = [low, high]
        field = check_field("target_field", target_field)
        config: dict[str, Any] = {
            "type": "number",
            "name": str(name),
            "abs_tol": abs_tol,
            "rel_tol": rel_tol,
            "decay": check_choice("decay", decay, DECAYS),
            "width": width,
            "scale": scale,
            "units": unit_list,
            "bounds": bound_list,
            "mode": check_choice("mode", mode, MODES),
            "target_field": field,
        }
        super().__init__(config, referenced_fields={field})
