r"""Soft verifiers: rewards from a predictive model where no exact answer exists.

After rbio1 (2025), a *soft verifier* scores an answer by how plausible a biological model finds it, instead of
comparing it with a measured label: the reward of an answered label is the predictor's probability of that label;
the reward of an answered number is a Gaussian kernel of its distance to the predicted value. The answer is read
exactly as the task's hard grader reads it (same extraction, same hedge and no-answer rules: an output that states no
usable answer scores 0 with the hard grader's reason), and a weight blends in the hard grader's score where a
reference exists.

A soft verifier runs in-process, in TRL (``biorft.rewards.trl``) and in verl (``biorft.rewards.verl``): all three
call the same Python object. It cannot be exported to OpenAI's python grader, which has no way to carry a model:
``to_openai()`` and ``to_source()`` raise a [GraderError][biorft.errors.GraderError] saying so.

Examples:
    >>> from biorft.schema import TaskSpec
    >>> spec = TaskSpec(name="genes/demo", domain="genes", kind="binary", labels=("yes", "no"), instructions="?")
    >>> class Coin:
    ...     def predict(self, entities):
    ...         return [{"yes": 0.8, "no": 0.2} for _ in entities]
    >>> soft = SoftVerifier(Coin(), spec)
    >>> soft({"output_text": "Answer: yes"}, {"entity": "TP53"})
    0.8
    >>> soft.explain({"output_text": "Answer: yes or no"}, {"entity": "TP53"}).reason
    <Reason.HEDGED: 'hedged'>
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any, Protocol

from biorft.errors import GraderError
from biorft.graders._base import Grader, check_number
from biorft.graders._factory import grader_for
from biorft.graders._result import ANSWERED, GradeResult, Reason
from biorft.schema import TaskKind, TaskSpec

__all__ = ["Predictor", "SoftVerifier"]

_CACHE_SIZE = 100_000


class Predictor(Protocol):
    """A model a soft verifier asks: one prediction per entity (canonical SMILES or gene symbol).

    A prediction is ``{label: probability}`` for binary, multiclass and multilabel tasks (for multilabel, each
    label's own probability of being positive) and a number for regression tasks.
    """

    def predict(self, entities: Sequence[str], /) -> Sequence[Mapping[str, float] | float]:
        """Predict for each entity."""
        ...


class _BaselinePredictor:
    """A fitted biorft baseline as a [Predictor][biorft.graders.Predictor] (reads its answers and confidences)."""

    def __init__(self, baseline: Any) -> None:
        self.baseline = baseline
        self.spec: TaskSpec = baseline.spec  # raises when the baseline is not fitted

    def predict(self, entities: Sequence[str], /) -> list[Mapping[str, float] | float]:
        # the fields of biorft.baselines.TrainingRow (not imported: graders must not depend on baselines)
        rows = [SimpleNamespace(id=e, entity=e, target=None, known_labels=None, inputs=None) for e in entities]
        out: list[Mapping[str, float] | float] = []
        labels = self.spec.labels
        for text in self.baseline._predict(rows):
            parsed = json.loads(text)
            answer, conf = parsed.get("answer"), parsed.get("confidence")
            if self.spec.kind is TaskKind.REGRESSION:
                out.append(float(answer))
            elif self.spec.kind is TaskKind.MULTILABEL:
                chosen = set(answer or [])
                out.append({lab: (1.0 if lab in chosen else 0.0) for lab in labels})
            else:
                c = 1.0 if conf is None else float(conf)
                rest = (1.0 - c) / max(1, len(labels) - 1)
                out.append({lab: (c if lab == answer else rest) for lab in labels})
        return out


def _placeholder(spec: TaskSpec) -> Any:
    if spec.kind is TaskKind.REGRESSION:
        if spec.value_range is not None:
            return (spec.value_range[0] + spec.value_range[1]) / 2
        return 0.0
    if spec.kind is TaskKind.MULTILABEL:
        return []
    return spec.labels[0]


class SoftVerifier(Grader):
    """A reward from a predictor's belief about the answered label or value, optionally blended with a hard grader.

    ``score = (1 - hard_weight) * soft + hard_weight * hard``, where ``soft`` is the predictor's probability of the
    answered label (binary / multiclass), the mean over labels of the probability of the answered state of each
    label (multilabel), or ``exp(-((answer - predicted) / bandwidth)^2 / 2)`` (regression); ``hard`` is the hard
    grader's score against ``item["target"]``. Outputs without a usable answer score 0 with the hard grader's
    reason, so a soft verifier pays no hedge that the hard grader would not pay.

    Args:
        predictor: Anything with ``predict(entities)`` (see [Predictor][biorft.graders.Predictor]); use
            [from_baseline][biorft.graders.SoftVerifier.from_baseline] for a fitted biorft baseline.
        spec: The task (labels, kind, tolerance).
        hard: The hard grader that reads answers (default ``grader_for(spec)``).
        hard_weight: Weight of the hard grader's score in [0, 1] (0: soft reward only; the item then needs only
            ``entity``).
        bandwidth: Regression kernel width in the task's units (default: the task's tolerance, else 1).
        name: Grader name.

    Raises:
        GraderError: On a bad weight or bandwidth, or a predictor without ``predict``.
    """

    def __init__(
        self,
        predictor: Predictor,
        spec: TaskSpec,
        *,
        hard: Grader | None = None,
        hard_weight: float = 0.0,
        bandwidth: float | None = None,
        name: str = "soft_verifier",
    ) -> None:
        if not callable(getattr(predictor, "predict", None)):
            raise GraderError(f"predictor must have predict(entities), got {type(predictor).__name__}")
        self.predictor = predictor
        self.spec = spec
        self.hard: Grader = hard if hard is not None else grader_for(spec)
        if not isinstance(self.hard, Grader):
            raise GraderError(f"hard must be a biorft Grader, got {type(self.hard).__name__}")
        self.hard_weight = check_number("hard_weight", hard_weight, high=1.0)
        default_bw = spec.tolerance if spec.tolerance else 1.0
        self.bandwidth = check_number("bandwidth", default_bw if bandwidth is None else bandwidth, low_open=True)
        self.name = str(name)
        fields = {"entity"} | (set(self.hard.referenced_fields) if self.hard_weight > 0 else set())
        self.referenced_fields = frozenset(fields)
        self._cache: OrderedDict[str, Mapping[str, float] | float] = OrderedDict()

    @classmethod
    def from_baseline(cls, baseline: Any, **options: Any) -> SoftVerifier:
        """A soft verifier whose predictor is a fitted biorft baseline (e.g. a fingerprint forest).

        Classification baselines give their answer's confidence (the other labels share the rest); multilabel
        baselines their predicted set; regression baselines their predicted value.

        Examples:
            >>> import biorft as br
            >>> from biorft.baselines import Majority
            >>> ds = br.load_task("genes/dosage_sensitive_tfs")
            >>> soft = SoftVerifier.from_baseline(Majority().fit(ds))
            >>> round(soft("Answer: dosage-insensitive", {"entity": "TP53"}), 3)
            0.75
        """
        predictor = _BaselinePredictor(baseline)
        return cls(predictor, predictor.spec, **options)

    # -- the Grader interface ---------------------------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        """Not available: a soft verifier carries a model, not a JSON configuration."""
        raise GraderError(
            f"{self.name}: a soft verifier carries a model and has no JSON configuration, so it cannot be part of "
            "WeightedSum / Gate / MinOf / MaxOf; blend it with a hard grader through SoftVerifier(hard=..., "
            "hard_weight=...)"
        )

    def to_source(self) -> str:
        """Refused with a [GraderError][biorft.errors.GraderError]: an exported source cannot carry a model."""
        raise GraderError(
            f"{self.name}: a soft verifier scores with a trained model, which an exported grader source cannot carry; "
            "use it in-process, in TRL (biorft.rewards.trl) or in verl (biorft.rewards.verl), and grader_for(spec) "
            "for OpenAI RFT"
        )

    def to_openai(self) -> dict[str, Any]:
        """Refused with a [GraderError][biorft.errors.GraderError]: OpenAI's python grader cannot carry a model."""
        raise GraderError(
            f"{self.name}: OpenAI's python grader cannot carry a model, so a soft verifier cannot be exported; "
            "use grader_for(spec) (or another hard grader) for OpenAI RFT, and the soft verifier in TRL or verl"
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = OrderedDict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"SoftVerifier(name={self.name!r}, task={self.spec.name!r}, hard_weight={self.hard_weight})"

    def __call__(self, sample: Any, item: Any) -> float:
        """The score of one output, a float in [0, 1]."""
        return self.explain(sample, item).score

    def explain(self, sample: Any, item: Any) -> GradeResult:
        """Score one output and say why (never raises on model output).

        Args:
            sample: ``{"output_text": ...}`` or the output text.
            item: The reference item; needs ``entity`` (and ``target`` when ``hard_weight > 0``).

        Returns:
            The blended score; the reason is ``correct`` / ``partial`` / ``incorrect`` by score, or the hard
            grader's reason when no usable answer was read.
        """
        try:
            return self._explain(sample, item)
        except Exception as exc:  # a predictor bug must not end a training run
            return GradeResult(0.0, Reason.GRADER_ERROR, None, f"soft verifier error: {type(exc).__name__}: {exc}")

    def _explain(self, sample: Any, item: Any) -> GradeResult:
        item = item if isinstance(item, Mapping) else {}
        entity = item.get("entity")
        if not isinstance(entity, str) or not entity:
            return GradeResult(0.0, Reason.BAD_ITEM, None, "the item has no 'entity' for the predictor")
        read = self.hard.explain(sample, {**item, "target": _placeholder(self.spec)})
        if read.reason not in ANSWERED:
            return GradeResult(0.0, read.reason, read.answer, read.detail, read.confidence)
        soft = self._soft(entity, read.answer)
        score = soft
        detail = f"predictor: {soft:.3f}"
        if self.hard_weight > 0:
            if item.get("target") is None:
                return GradeResult(0.0, Reason.BAD_ITEM, read.answer, "hard_weight > 0 needs the item's 'target'")
            hard = self.hard.explain(sample, item).score
            score = (1.0 - self.hard_weight) * soft + self.hard_weight * hard
            detail += f", hard grader: {hard:.3f} (weight {self.hard_weight})"
        score = min(1.0, max(0.0, score)) if math.isfinite(score) else 0.0
        reason = Reason.CORRECT if score >= 1.0 else Reason.INCORRECT if score <= 0.0 else Reason.PARTIAL
        return GradeResult(score, reason, read.answer, detail, read.confidence)

    def _predict(self, entity: str) -> Mapping[str, float] | float:
        hit = self._cache.get(entity)
        if hit is not None:
            self._cache.move_to_end(entity)
            return hit
        (pred,) = self.predictor.predict([entity])
        self._cache[entity] = pred
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return pred

    def _soft(self, entity: str, answer: Any) -> float:
        pred = self._predict(entity)
        kind = self.spec.kind
        if kind is TaskKind.REGRESSION:
            if isinstance(pred, Mapping) or not isinstance(answer, int | float):
                return 0.0
            z = (float(answer) - float(pred)) / self.bandwidth
            return math.exp(-0.5 * z * z)
        if not isinstance(pred, Mapping):
            return 0.0
        if kind is TaskKind.MULTILABEL:
            chosen = {str(a) for a in (answer or [])}
            labels = self.spec.labels
            probs = [float(pred.get(lab, 0.0)) for lab in labels]
            return sum(p if lab in chosen else 1.0 - p for lab, p in zip(labels, probs, strict=True)) / len(labels)
        return float(pred.get(str(answer), 0.0))
