r"""Graders: reward functions ``grade(sample, item) -> float`` in [0, 1] that never raise on model output.

A grader extracts the answer from a model output (JSON ``{"answer": ...}``, ``<answer>`` tags or a final
``Answer: ...`` line), compares it with the reference in ``item`` and says why it gave its score. The same code
runs in-process, as an exported OpenAI python grader ([Grader.to_openai][biorft.graders.Grader.to_openai],
[Grader.to_source][biorft.graders.Grader.to_source]) and as
TRL / verl rewards ([`biorft.rewards`][biorft.rewards]); parity tests keep the scores identical.

Examples:
    >>> from biorft.graders import LabelGrader, NumericGrader, WeightedSum, FormatGrader
    >>> g = LabelGrader(["BBB+", "BBB-"], {"BBB+": ["permeable"]})
    >>> g({"output_text": "It is small and lipophilic.\nAnswer: Permeable"}, {"target": "BBB+"})
    1.0
    >>> r = g.explain({"output_text": '{"answer": "BBB-", "confidence": 0.9}'}, {"target": "BBB+"})
    >>> r.score, r.reason, r.answer, r.confidence
    (0.0, <Reason.INCORRECT: 'incorrect'>, 'BBB-', 0.9)
"""

from __future__ import annotations

from biorft.graders._base import Grader
from biorft.graders._compose import Gate, MaxOf, MinOf, WeightedSum
from biorft.graders._export import OPENAI_IMAGE_TAG, OPENAI_SOURCE_LIMIT
from biorft.graders._extract import ExtractedAnswer, extract_answer
from biorft.graders._factory import grader_for
from biorft.graders._format import FormatGrader
from biorft.graders._labels import LabelGrader, SetGrader, label_prevalence
from biorft.graders._molecules import MoleculeGrader, ValidMoleculeGrader
from biorft.graders._numbers import NumericGrader
from biorft.graders._parity import ParityMismatch, ParityReport, check_parity
from biorft.graders._result import GradeResult, Reason

__all__ = [
    "OPENAI_IMAGE_TAG",
    "OPENAI_SOURCE_LIMIT",
    "ExtractedAnswer",
    "FormatGrader",
    "Gate",
    "GradeResult",
    "Grader",
    "LabelGrader",
    "MaxOf",
    "MinOf",
    "MoleculeGrader",
    "NumericGrader",
    "ParityMismatch",
    "ParityReport",
    "Reason",
    "SetGrader",
    "ValidMoleculeGrader",
    "WeightedSum",
    "check_parity",
    "extract_answer",
    "grader_for",
    "label_prevalence",
]
