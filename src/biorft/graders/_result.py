"""What a grader says: [GradeResult][biorft.graders.GradeResult] and its [Reason][biorft.graders.Reason] code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = ["ANSWERED", "GradeResult", "Reason"]


class Reason(str, Enum):
    """Why an output got its score.

    ``CORRECT`` (score 1), ``PARTIAL`` (0 < score < 1) and ``INCORRECT`` (score 0) grade an answer that was read;
    every other reason scores 0 and says why no answer could be graded. Unscorable is not wrong: evaluation can
    count ``NO_ANSWER`` / ``PARSE_ERROR`` / ``FORMAT_ERROR`` apart from wrong answers.

    Examples:
        >>> Reason("hedged") is Reason.HEDGED
        True
        >>> str(Reason.NO_ANSWER)
        'no_answer'
    """

    CORRECT = "correct"
    """The answer matches the reference (score 1)."""
    PARTIAL = "partial"
    """Partial credit: near the reference number, overlapping label set, similar molecule."""
    INCORRECT = "incorrect"
    """An answer was read and is wrong (including a label that is not in the vocabulary)."""
    NO_ANSWER = "no_answer"
    """No answer could be found in the output (no ``Answer:`` line, tag or JSON ``answer``)."""
    PARSE_ERROR = "parse_error"
    """An answer was found but cannot be read as the expected kind (e.g. no number, ``nan``)."""
    HEDGED = "hedged"
    """The answer names several labels or values at once (``"A or B"``, ``"both"``, a range)."""
    CONFLICTING = "conflicting"
    """Strict mode: the output states several answers that disagree."""
    FORMAT_ERROR = "format_error"
    """The answer is not in the required form (e.g. a sentence instead of a label in strict mode)."""
    INVALID_MOLECULE = "invalid_molecule"
    """The answer is not a SMILES string that RDKit can parse."""
    OUT_OF_RANGE = "out_of_range"
    """The number is infinite, overflows (``1e999``), is outside the accepted bounds, or is not positive on a log
    scale."""
    BAD_ITEM = "bad_item"
    """The reference item is missing the field the grader reads, or holds a value the grader cannot use."""
    GRADER_ERROR = "grader_error"
    """An unexpected error inside the grader (a bug: please report it); the score is 0."""

    def __str__(self) -> str:
        return self.value


ANSWERED: frozenset[Reason] = frozenset({Reason.CORRECT, Reason.PARTIAL, Reason.INCORRECT})
"""The reasons that grade an answer that was read; every other reason means no usable answer (score 0)."""


@dataclass(frozen=True)
class GradeResult:
    """The score of one output and why.

    Attributes:
        score: The reward, a finite float in [0, 1].
        reason: Why the output got that score.
        answer: The extracted answer as graded: the canonical label, the sorted list of labels, the number, the
            SMILES as written; the raw extracted value when it could not be read; ``None`` when there was none.
        detail: A short human-readable explanation (empty when there is nothing to add).
        confidence: The model's stated confidence for its answer when it gave one (JSON ``"confidence"`` /
            ``"probability"``, or a ``Confidence: 0.8`` line), as a probability in [0, 1]; else ``None``.

    Examples:
        >>> r = GradeResult(score=1.0, reason=Reason.CORRECT, answer="BBB+", confidence=0.8)
        >>> r.correct, r.reason.value
        (True, 'correct')
    """

    score: float
    reason: Reason
    answer: Any = None
    detail: str = ""
    confidence: float | None = None

    @property
    def correct(self) -> bool:
        """Whether the answer was fully correct (score 1)."""
        return self.score >= 1.0
