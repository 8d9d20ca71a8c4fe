"""Composition of graders: weighted sum, gate, minimum and maximum.

Every composition is bounded in [0, 1] and non-decreasing in each part's score. The parts share one extraction of
the answer per output, and the composition is exported as one python grader (see
[Grader.to_openai][biorft.graders.Grader.to_openai]).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from biorft.errors import GraderError
from biorft.graders._base import Grader, check_number

__all__ = ["Gate", "MaxOf", "MinOf", "WeightedSum"]


def _check_grader(param: str, value: Any) -> Grader:
    if not isinstance(value, Grader):
        raise GraderError(f"{param} must be a biorft Grader, got {type(value).__name__}")
    return value


def _check_graders(param: str, graders: Iterable[Grader]) -> list[Grader]:
    parts = [_check_grader(f"{param}[{i}]", g) for i, g in enumerate(graders)]
    if not parts:
        raise GraderError(f"{param} must hold at least one grader")
    return parts


def _fields(graders: Iterable[Grader]) -> frozenset[str]:
    return frozenset().union(*(g.referenced_fields for g in graders))


class WeightedSum(Grader):
    """``sum(w_i * score_i) / sum(w_i)``: a weighted mean of the parts' scores (weights > 0).

    Args:
        parts: ``(weight, grader)`` pairs.
        name: Grader name (defaults to ``"weighted"``).

    Raises:
        GraderError: On no parts, a weight that is not a finite positive number, or a part that is not a grader.

    Examples:
        >>> from biorft.graders import FormatGrader, LabelGrader
        >>> g = WeightedSum([(0.9, LabelGrader(["yes", "no"])), (0.1, FormatGrader(["json"]))])
        >>> g('{"answer": "yes"}', {"target": "yes"}), round(g("Answer: yes", {"target": "yes"}), 3)
        (1.0, 0.9)
    """

    def __init__(self, parts: Sequence[tuple[float, Grader]], *, name: str = "weighted") -> None:
        if isinstance(parts, Grader) or not isinstance(parts, Sequence) or not parts:
            raise GraderError("parts must be a non-empty list of (weight, grader) pairs")
        config_parts = []
        graders = []
        for i, pair in enumerate(parts):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise GraderError(f"parts[{i}] must be a (weight, grader) pair, got {pair!r}")
            weight = check_number(f"parts[{i}] weight", pair[0], low_open=True)
            grader = _check_grader(f"parts[{i}] grader", pair[1])
            graders.append(grader)
            config_parts.append({"weight": weight, "grader": grader.config})
        super().__init__(
            {"type": "weighted", "name": str(name), "parts": config_parts}, referenced_fields=_fields(graders)
        )
        self.parts: tuple[Grader, ...] = tuple(graders)


class Gate(Grader):
    """``grader``'s score when ``gate`` scores at least ``threshold``, else 0 (with the gate's reason).

    The usual gate is a [`FormatGrader`][biorft.graders.FormatGrader]: no reward for a right answer in the wrong form.

    Args:
        gate: The grader that must pass first.
        grader: The grader that scores outputs that pass.
        threshold: The gate's minimum score, in (0, 1] (default 1).
        name: Grader name (defaults to ``"gate"``).

    Raises:
        GraderError: On a part that is not a grader or a threshold outside (0, 1].

    Examples:
        >>> from biorft.graders import FormatGrader, LabelGrader
        >>> g = Gate(FormatGrader(["tag"]), LabelGrader(["yes", "no"]))
        >>> g("<answer>yes</answer>", {"target": "yes"}), g("Answer: yes", {"target": "yes"})
        (1.0, 0.0)
    """

    def __init__(self, gate: Grader, grader: Grader, *, threshold: float = 1.0, name: str = "gate") -> None:
        gate = _check_grader("gate", gate)
        grader = _check_grader("grader", grader)
        config = {
            "type": "gate",
            "name": str(name),
            "gate": gate.config,
            "grader": grader.config,
            "threshold": check_number("threshold", threshold, high=1.0, low_open=True),
        }
        super().__init__(config, referenced_fields=_fields([gate, grader]))
        self.gate, self.grader = gate, grader


class _Extreme(Grader):
    """The lowest or highest of the parts' scores (``_TYPE`` ``"min"`` / ``"max"``)."""

    _TYPE: ClassVar[str]

    def __init__(self, graders: Iterable[Grader], *, name: str | None = None) -> None:
        parts = _check_graders("graders", graders)
        config = {"type": self._TYPE, "name": str(name or self._TYPE), "parts": [g.config for g in parts]}
        super().__init__(config, referenced_fields=_fields(parts))
        self.parts: tuple[Grader, ...] = tuple(parts)


class MinOf(_Extreme):
    """The lowest of the parts' scores (every part must be satisfied).

    Args:
        graders: The parts.
        name: Grader name (defaults to ``"min"``).

    Raises:
        GraderError: On no parts or a part that is not a grader.

    Examples:
        >>> from biorft.graders import FormatGrader, LabelGrader
        >>> MinOf([LabelGrader(["yes", "no"]), FormatGrader(["line"])])("Answer: yes", {"target": "yes"})
        1.0
    """

    _TYPE = "min"


class MaxOf(_Extreme):
    """The highest of the parts' scores (any part may be satisfied).

    Args:
        graders: The parts.
        name: Grader name (defaults to ``"max"``).

    Raises:
        GraderError: On no parts or a part that is not a grader.

    Examples:
        >>> from biorft.graders import MoleculeGrader
        >>> g = MaxOf([MoleculeGrader(), MoleculeGrader(target_field="alt_target")])
        >>> g("Answer: CCO", {"target": "CCN", "alt_target": "OCC"})
        1.0
    """

    _TYPE = "max"
