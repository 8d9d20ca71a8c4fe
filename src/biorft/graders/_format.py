"""Format grader: did the output state exactly one answer in an accepted form?"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from biorft.errors import GraderError
from biorft.graders._base import MODES, Grader, check_choice

__all__ = ["SOURCES", "FormatGrader"]

SOURCES = ("json", "tag", "line", "output_json", "boxed", "bare")
"""Answer forms: JSON ``{"answer": ...}`` in the text, ``<answer>`` tags, an ``Answer:`` line, structured output
(``sample["output_json"]``), a LaTeX ``\\boxed{...}``, a one-line bare answer."""


class FormatGrader(Grader):
    r"""1 when the output states its answer in an accepted form, else 0; reads no item field.

    Strict mode (default) also needs every stated answer to be in an accepted form and to agree (one answer, said
    once or repeated identically); lenient mode needs one answer in an accepted form. Use it as the gate of
    [`Gate`][biorft.graders.Gate] or as a small shaping term in [`WeightedSum`][biorft.graders.WeightedSum].

    Args:
        sources: Accepted forms, any of ``"json"``, ``"tag"``, ``"line"``, ``"output_json"``, ``"boxed"``,
            ``"bare"``.
        mode: ``"strict"`` or ``"lenient"``.
        name: Grader name (defaults to ``"format"``).

    Raises:
        GraderError: On an empty or unknown source.

    Examples:
        >>> g = FormatGrader(["json", "output_json"])
        >>> g('Reasoning...\n```json\n{"answer": "BBB+"}\n```', {}), g("Answer: BBB+", {})
        (1.0, 0.0)
        >>> g.explain("Answer: BBB+", {}).reason
        <Reason.FORMAT_ERROR: 'format_error'>
    """

    def __init__(
        self,
        sources: Iterable[str] = ("json", "tag", "line", "output_json"),
        *,
        mode: str = "strict",
        name: str = "format",
    ) -> None:
        source_list = [sources] if isinstance(sources, str) else list(sources)
        if not source_list:
            raise GraderError(f"sources must name at least one answer form of {list(SOURCES)}")
        for source in source_list:
            check_choice("sources", source, SOURCES)
        config: dict[str, Any] = {
            "type": "format",
            "name": str(name),
            "sources": sorted(set(source_list)),
            "mode": check_choice("mode", mode, MODES),
        }
        super().__init__(config)
