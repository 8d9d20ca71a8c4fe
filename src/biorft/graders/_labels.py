"""Label graders: one label (binary / multiclass) and label sets (multilabel)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from biorft.errors import GraderError
from biorft.graders._base import MODES, Grader, check_choice, check_field
from biorft.graders._rt.text import norm_strong

__all__ = ["LabelGrader", "SetGrader", "label_prevalence"]

SET_METRICS = ("f1", "jaccard", "balanced")


def label_prevalence(
    items: Iterable[Mapping[str, Any]],
    labels: Sequence[str],
    *,
    target_field: str = "target",
    known_field: str = "known_labels",
) -> dict[str, float]:
    """Per label, the share of positives among the examples that measured it: the weights of ``metric="balanced"``.

    Each example counts with weight ``1 / (number of labels it measured)``, the weight the balanced reward gives
    each of its labels; with these prevalences every fixed answer earns exactly the same mean reward on ``items``.
    An item without ``known_labels`` measured every label; a label never measured gets 0.5.

    Args:
        items: Reference items (``{"target": [...], "known_labels": [...]}``).
        labels: The label vocabulary.
        target_field: The item key holding the positive labels.
        known_field: The item key holding the measured labels.

    Returns:
        ``{label: prevalence}`` with every value in [0, 1].

    Examples:
        >>> items = [{"target": ["a"], "known_labels": ["a", "b"]}, {"target": [], "known_labels": ["a"]}]
        >>> label_prevalence(items, ["a", "b"])
        {'a': 0.3333333333333333, 'b': 0.0}
    """
    positive = dict.fromkeys(labels, 0.0)
    total = dict.fromkeys(labels, 0.0)
    for item in items:
        target = item.get(target_field) or []
        known = item.get(known_field)
        measured = [lab for lab in (labels if known is None else known) if lab in total]
        if not measured:
            continue
        weight = 1.0 / len(measured)
        for label in measured:
            total[label] += weight
            if label in target:
                positive[label] += weight
    return {lab: (positive[lab] / total[lab] if total[lab] > 0 else 0.5) for lab in labels}


def _check_vocabulary(
    labels: Sequence[str], synonyms: Mapping[str, Iterable[str] | str] | None
) -> tuple[list[str], dict[str, list[str]]]:
    """Validate labels and synonyms; every spelling must normalise to one label only."""
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise GraderError(f"labels must be a list of label strings, got {labels!r}")
    label_list = list(labels)
    if not label_list:
        raise GraderError("labels must not be empty: give the label vocabulary, e.g. ['BBB+', 'BBB-']")
    for label in label_list:
        if not isinstance(label, str) or not norm_strong(label):
            raise GraderError(f"labels must be non-empty strings, got {label!r}")
    syn: dict[str, list[str]] = {}
    for key, values in (synonyms or {}).items():
        if key not in label_list:
            raise GraderError(f"synonyms[{key!r}]: {key!r} is not one of labels {label_list}")
        items = [values] if isinstance(values, str) else list(values)
        for value in items:
            if not isinstance(value, str) or not norm_strong(value):
                raise GraderError(f"synonyms[{key!r}] must hold non-empty strings, got {value!r}")
        syn[key] = items
    owner: dict[str, tuple[str, str]] = {}
    for label in label_list:
        for form in [label, *syn.get(label, [])]:
            key = norm_strong(form)
            seen = owner.get(key)
            if seen is not None and seen[0] != label:
                raise GraderError(
                    f"synonyms / labels: {form!r} (for {label!r}) and {seen[1]!r} (for {seen[0]!r}) normalise to the "
                    f"same text {key!r}; remove one so that every spelling names one label"
                )
            owner[key] = (label, form)
    return label_list, syn


class LabelGrader(Grader):
    """Exact-match grader for one label per answer (binary and multiclass tasks).

    Matching is exact on normalised text (NFKC, case, whitespace, ``-`` / ``_`` / punctuation folded where that
    keeps labels apart), with synonyms; never by substring (``"insensitive"`` is not ``"sensitive"``, ``"BBB"`` is
    neither ``"BBB+"`` nor ``"BBB-"``). Naming several labels (``"A or B"``, ``"A/B"``), *both* or *either* scores
    0 with ``HEDGED``; a label not in the vocabulary scores 0 with ``INCORRECT``. In ``"strict"`` mode (default)
    the answer must be a label and every stated answer must agree; ``"lenient"`` accepts a sentence naming exactly
    one label (``"It is BBB+."``) and takes the last answer stated.

    Args:
        labels: The label vocabulary.
        synonyms: Extra spellings per label (``{"sensitive": ("dosage sensitive", "haploinsufficient")}``).
        mode: ``"strict"`` or ``"lenient"``.
        target_field: The item key holding the reference label.
        name: Grader name (defaults to ``"label"``).

    Raises:
        GraderError: On an empty vocabulary, a synonym for an unknown label, or two labels sharing a spelling.

    Examples:
        >>> g = LabelGrader(["sensitive", "insensitive"], {"sensitive": ["dosage sensitive"]})
        >>> item = {"target": "sensitive"}
        >>> g("Answer: Dosage-Sensitive", item), g("Answer: insensitive", item), g("Answer: either", item)
        (1.0, 0.0, 0.0)
        >>> g.explain("<answer>sensitive or insensitive</answer>", item).reason
        <Reason.HEDGED: 'hedged'>
    """

    def __init__(
        self,
        labels: Sequence[str],
        synonyms: Mapping[str, Iterable[str] | str] | None = None,
        *,
        mode: str = "strict",
        target_field: str = "target",
        name: str = "label",
    ) -> None:
        label_list, syn = _check_vocabulary(labels, synonyms)
        field = check_field("target_field", target_field)
        config: dict[str, Any] = {
            "type": "label",
            "name": str(name),
            "labels": label_list,
            "synonyms": syn,
            "mode": check_choice("mode", mode, MODES),
            "target_field": field,
        }
        super().__init__(config, referenced_fields={field})
        self.labels: tuple[str, ...] = tuple(label_list)


class SetGrader(Grader):
    """Multilabel grader: balanced per-label credit, F1 (default) or Jaccard against the reference set.

    The answer may be a JSON list, or text separated by commas, semicolons, ``|``, newlines or *and*; ``none`` or
    ``[]`` is the empty set. When the item has ``known_labels`` (the labels that were measured), only those are
    scored: a label that was not measured is neither a hit nor a miss (missing is not negative). Entries that are not
    labels count as false positives (F1, Jaccard) or score the answer 0 (balanced). An entry that negates a label
    (``"not NR-AR"``) or hedges (``"NR-AR or SR-p53"``) scores 0.

    ``metric="balanced"`` (what [grader_for][biorft.graders.grader_for] uses for tasks with known label prevalences) is
    the mean over the measured labels of a per-label credit: 1 for a right call, and for a wrong one 1 minus a
    penalty set from the label's ``prevalence`` so that calling the label and not calling it earn the same expected
    credit. No fixed answer (``none``, every label, any subset) then earns more than random draws at the label
    prevalences, so a policy that ignores the molecule gains nothing; F1 and Jaccard pay ``none`` 1 on every example
    without positives, which on sparse tasks such as Tox21 is most of them.

    Args:
        labels: The label vocabulary.
        synonyms: Extra spellings per label.
        metric: ``"f1"``, ``"jaccard"`` or ``"balanced"``.
        mode: ``"strict"`` or ``"lenient"`` (lenient maps an entry naming exactly one label to that label).
        target_field: The item key holding the reference list of labels.
        known_field: The item key holding the measured labels.
        prevalence: ``{label: share of positives}`` (see `label_prevalence`); required by ``"balanced"``.
        name: Grader name (defaults to ``"label_set"``).

    Raises:
        GraderError: On an empty vocabulary, bad synonyms, an unknown metric, or ``"balanced"`` without a
            prevalence in [0, 1] for every label.

    Examples:
        >>> g = SetGrader(["NR-AR", "SR-p53", "SR-MMP"])
        >>> g({"output_text": "Answer: NR-AR, SR-p53"}, {"target": ["NR-AR"]})
        0.6666666666666666
        >>> g('{"answer": ["nr-ar", "SR-MMP"]}', {"target": ["NR-AR"], "known_labels": ["NR-AR", "SR-p53"]})
        1.0
        >>> b = SetGrader(["NR-AR", "SR-p53"], metric="balanced", prevalence={"NR-AR": 0.2, "SR-p53": 0.5})
        >>> b("Answer: none", {"target": ["NR-AR"]}), b("Answer: NR-AR", {"target": []})
        (0.5, 0.875)
    """

    def __init__(
        self,
        labels: Sequence[str],
        synonyms: Mapping[str, Iterable[str] | str] | None = None,
        *,
        metric: str = "f1",
        mode: str = "strict",
        target_field: str = "target",
        known_field: str = "known_labels",
        prevalence: Mapping[str, float] | None = None,
        name: str = "label_set",
    ) -> None:
        label_list, syn = _check_vocabulary(labels, synonyms)
        field = check_field("target_field", target_field)
        known = check_field("known_field", known_field)
        metric = check_choice("metric", metric, SET_METRICS)
        rates: dict[str, float] | None = None
        if prevalence is not None or metric == "balanced":
            rates = _check_prevalence(prevalence, label_list)
        config: dict[str, Any] = {
            "type": "set",
            "name": str(name),
            "labels": label_list,
            "synonyms": syn,
            "metric": metric,
            "mode": check_choice("mode", mode, MODES),
            "target_field": field,
            "known_field": known,
        }
        if rates is not None:
            config["prevalence"] = rates
        super().__init__(config, referenced_fields={field, known})
        self.labels: tuple[str, ...] = tuple(label_list)


def _check_prevalence(prevalence: Mapping[str, float] | None, labels: list[str]) -> dict[str, float]:
    if not isinstance(prevalence, Mapping):
        raise GraderError(
            "metric='balanced' needs prevalence={label: share of positives}; compute it with "
            "biorft.graders.label_prevalence(items, labels) on the task's examples"
        )
    out: dict[str, float] = {}
    for label in labels:
        value = prevalence.get(label)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise GraderError(f"prevalence[{label!r}] must be a number in [0, 1], got {value!r}")
        out[label] = float(value) if math.isfinite(value) else 0.5
    extra = sorted(set(prevalence) - set(labels))
    if extra:
        raise GraderError(f"prevalence names labels that are not in the vocabulary: {extra}")
    return out
