r"""Graders: reward functions ``grade(sample, item) -> float`` in [0, 1] that never raise on model output.

A grader extracts the answer from a model output (JSON ``{"answer": ...}``, ``<answer>`` tags or a final
``Answer: ...`` line), compares it with the reference in ``item`` and says why it gave its score. The same code
runs in-process, as an exported OpenAI python grader ([Grader.to_openai][biorft.graders.Grader.to_openai],
[Grader.to_source][biorft.graders.Grader.to_source]) and as TRL / verl rewards
([`trl_reward`][biorft.graders.trl_reward], [`verl_reward`][biorft.graders.verl_reward], also as
[`biorft.rewards`][biorft.rewards]); parity tests keep the scores identical. The grader I/O contract lives here
too: the ``sample`` of an output ([`to_sample`][biorft.graders.to_sample],
[`completion_text`][biorft.graders.completion_text]), the ``item`` fields
([`ITEM_FIELDS`][biorft.graders.ITEM_FIELDS]), the rows that carry them ([`trl_row`][biorft.graders.trl_row],
[`item_from_columns`][biorft.graders.item_from_columns]) and the protocols the rest of biorft accepts
([`GraderLike`][biorft.graders.GraderLike], [`PromptedLike`][biorft.graders.PromptedLike]).

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
from biorft.graders._io import (
    ITEM_FIELDS,
    OPTIONAL_ITEM_FIELDS,
    ExportableGrader,
    GraderLike,
    PromptedData,
    PromptedLike,
    completion_text,
    grader_fields,
    item_field_types,
    item_from_columns,
    to_sample,
    trl_row,
    trl_rows,
)
from biorft.graders._labels import LabelGrader, SetGrader, label_prevalence
from biorft.graders._molecules import MoleculeGrader, ValidMoleculeGrader
from biorft.graders._numbers import NumericGrader
from biorft.graders._parity import ParityMismatch, ParityReport, check_parity
from biorft.graders._result import GradeResult, Reason
from biorft.graders._rewards import (
    COMPUTE_SCORE_SHIM,
    TRLReward,
    VerlReward,
    trl_reward,
    verl_reward,
    verl_reward_source,
)
from biorft.graders._soft import Predictor, SoftVerifier

__all__ = [
    "COMPUTE_SCORE_SHIM",
    "ITEM_FIELDS",
    "OPENAI_IMAGE_TAG",
    "OPENAI_SOURCE_LIMIT",
    "OPTIONAL_ITEM_FIELDS",
    "ExportableGrader",
    "ExtractedAnswer",
    "FormatGrader",
    "Gate",
    "GradeResult",
    "Grader",
    "GraderLike",
    "LabelGrader",
    "MaxOf",
    "MinOf",
    "MoleculeGrader",
    "NumericGrader",
    "ParityMismatch",
    "ParityReport",
    "Predictor",
    "PromptedData",
    "PromptedLike",
    "Reason",
    "SetGrader",
    "SoftVerifier",
    "TRLReward",
    "ValidMoleculeGrader",
    "VerlReward",
    "WeightedSum",
    "check_parity",
    "completion_text",
    "extract_answer",
    "grader_fields",
    "grader_for",
    "item_field_types",
    "item_from_columns",
    "label_prevalence",
    "to_sample",
    "trl_reward",
    "trl_row",
    "trl_rows",
    "verl_reward",
    "verl_reward_source",
]
