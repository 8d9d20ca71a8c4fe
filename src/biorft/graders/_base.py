"""The [`Grader`][biorft.graders.Grader] base class: one configuration, scored in-process and exported as source."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from biorft.errors import GraderError
from biorft.graders._export import grader_source, openai_python_grader
from biorft.graders._result import GradeResult, Reason
from biorft.graders._rt.engine import Scorer, build, evaluate

__all__ = ["MODES", "Grader", "check_choice", "check_field", "check_number"]

MODES = ("strict", "lenient")


class Grader:
    r"""A reward function ``grader(sample, item) -> float`` in [0, 1] that never raises on model output.

    A grader is a JSON configuration tree evaluated by the stdlib-only runtime in `biorft.graders._rt`. The
    same runtime and configuration are embedded by [to_source][biorft.graders.Grader.to_source], so the exported grader
    scores exactly like the
    in-process one. Build graders with the concrete classes ([`LabelGrader`][biorft.graders.LabelGrader], ...) or
    [`grader_for`][biorft.graders.grader_for]; bad configuration raises [`GraderError`][biorft.errors.GraderError].

    Attributes:
        name: The grader's name (used as the OpenAI grader name and in TRL logs).
        referenced_fields: The ``item`` keys the grader reads (e.g. ``{"target"}``).

    Examples:
        >>> from biorft.graders import LabelGrader
        >>> g = LabelGrader(["BBB+", "BBB-"])
        >>> g({"output_text": "Crosses the barrier.\nAnswer: BBB+"}, {"target": "BBB+"})
        1.0
        >>> g.explain("Answer: BBB+ or BBB-", {"target": "BBB+"}).reason
        <Reason.HEDGED: 'hedged'>
    """

    def __init__(self, config: dict[str, Any], *, referenced_fields: Iterable[str] = ()) -> None:
        try:
            text = json.dumps(config, sort_keys=True, ensure_ascii=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise GraderError(f"grader configuration must be plain finite JSON: {exc}") from exc
        self._config_json = text
        self._config: dict[str, Any] = json.loads(text)
        try:
            self._scorer: Scorer = build(self._config)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise GraderError(
                f"invalid grader configuration ({type(exc).__name__}: {exc}); build graders with the grader classes"
            ) from exc
        self.name: str = str(self._config["name"])
        self.referenced_fields: frozenset[str] = frozenset(referenced_fields)

    @property
    def config(self) -> dict[str, Any]:
        """A copy of the JSON configuration that both the in-process and the exported grader evaluate.

        Examples:
            >>> from biorft.graders import NumericGrader
            >>> NumericGrader(abs_tol=0.5).config["abs_tol"]
            0.5
        """
        result: dict[str, Any] = json.loads(self._config_json)
        return result

    def explain(self, sample: Any, item: Any) -> GradeResult:
        """Score one output and say why.

        Args:
            sample: ``{"output_text": ..., "output_json": ...}`` (OpenAI's shape) or the output text itself.
            item: The reference item (see [`biorft.schema.reference_item`][biorft.schema.reference_item]).

        Returns:
            The score, the reason, the extracted answer, a detail string and any stated confidence.

        Examples:
            >>> from biorft.graders import NumericGrader
            >>> r = NumericGrader(abs_tol=0.5).explain('{"answer": "-2.1 log(mol/L)"}', {"target": -2.4})
            >>> r.score, r.reason, r.answer
            (1.0, <Reason.CORRECT: 'correct'>, -2.1)
        """
        outcome = evaluate(self._scorer, sample, item)
        return GradeResult(outcome.score, Reason(outcome.reason), outcome.answer, outcome.detail, outcome.confidence)

    def __call__(self, sample: Any, item: Any) -> float:
        """The score of one output, a float in [0, 1] (the OpenAI python-grader signature)."""
        return evaluate(self._scorer, sample, item).score

    def to_source(self) -> str:
        """Self-contained Python module text defining ``grade(sample, item) -> float`` (and ``explain``).

        It needs only the standard library (and RDKit for molecule graders) and scores exactly like this grader.

        Examples:
            >>> from biorft.graders import LabelGrader
            >>> src = LabelGrader(["yes", "no"]).to_source()
            >>> ns: dict[str, object] = {}
            >>> exec(compile(src, "grader.py", "exec"), ns)
            >>> grade = ns["grade"]
            >>> grade({"output_text": "Answer: yes"}, {"target": "yes"})
            1.0
        """
        return grader_source(self.name, self._config_json)

    def to_openai(self) -> dict[str, Any]:
        """This grader as an OpenAI python grader (``openai.types.graders.PythonGraderParam``).

        Composed graders are exported as *one* python grader that embeds the whole composition rather than as a
        ``MultiGraderParam``: the scores then stay identical to the in-process ones by construction, every part
        sees the same extracted answer, and no ``calculate_output`` formula has to mirror the composition.

        Raises:
            GraderError: When the source is over OpenAI's 256 kB limit.

        Examples:
            >>> from biorft.graders import LabelGrader
            >>> d = LabelGrader(["yes", "no"], name="yn").to_openai()
            >>> sorted(d), d["type"], d["image_tag"]
            (['image_tag', 'name', 'source', 'type'], 'python', '2025-05-08')
        """
        return openai_python_grader(self.name, self.to_source())

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self._config_json, "fields": sorted(self.referenced_fields), "cls": type(self).__name__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._config_json = state["config"]
        self._config = json.loads(self._config_json)
        self._scorer = build(self._config)
        self.name = str(self._config["name"])
        self.referenced_fields = frozenset(state["fields"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def check_choice(param: str, value: Any, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices``, else [`GraderError`][biorft.errors.GraderError] naming ``param``.

    Examples:
        >>> check_choice("mode", "strict", MODES)
        'strict'
    """
    allowed = tuple(choices)
    if not isinstance(value, str) or value not in allowed:
        raise GraderError(f"{param} must be one of {list(allowed)}, got {value!r}")
    return value


def check_number(param: str, value: Any, *, low: float = 0.0, high: float = math.inf, low_open: bool = False) -> float:
    """``value`` as a finite float in the range, else [`GraderError`][biorft.errors.GraderError] naming ``param``.

    Examples:
        >>> check_number("abs_tol", 0.5)
        0.5
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise GraderError(f"{param} must be a finite number, got {value!r}")
    number = float(value)
    if number < low or (low_open and number == low) or number > high:
        bound = f"> {low}" if low_open else f">= {low}"
        raise GraderError(
            f"{param} must be {bound}" + (f" and <= {high}" if math.isfinite(high) else "") + f", got {value!r}"
        )
    return number


def check_field(param: str, value: Any) -> str:
    """A non-empty item key name, else [`GraderError`][biorft.errors.GraderError] naming ``param``.

    Examples:
        >>> check_field("target_field", "target")
        'target'
    """
    if not isinstance(value, str) or not value:
        raise GraderError(f"{param} must be a non-empty item key such as 'target', got {value!r}")
    return value
