"""Label graders: one label (binary / multiclass) and label sets (multilabel)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from biorft.errors import GraderError
from biorft.graders._base import MODES, Grader, check_choice, check_field
from biorft.graders._rt.text import norm_strong

__all__ = ["LabelGrader", "SetGrader"]


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
    """Multilabel grader: F1 (default) or Jaccard between the stated label set and the reference set.

    The answer may be a JSON list, or text separated by commas, semicolons, ``|``, newlines or *and*; ``none`` or
    ``[]`` is the empty set. When the item has ``known_labels`` (the labels that were measured), only those are
    scored: a label that was not measured is neither a hit nor a miss (missing is not negative). Entries that are not
    labels count as false positives. Empty answer against empty reference scores 1.

    Args:
        labels: The label vocabulary.
        synonyms: Extra spellings per label.
        metric: ``"f1"`` or ``"jaccard"``.
        mode: ``"strict"`` or ``"lenient"`` (lenient maps an entry naming exactly one label to that label).
        target_field: The item key holding the reference list of labels.
        known_field: The item key holding the measured labels.
        name: Grader name (defaults to ``"label_set"``).

    Raises:
        GraderError: On an empty vocabulary, bad synonyms or an unknown metric.

    Examples:
        >>> g = SetGrader(["NR-AR", "SR-p53", "SR-MMP"])
        >>> g({"output_text": "Answer: NR-AR, SR-p53"}, {"target": ["NR-AR"]})
        0.6666666666666666
        >>> g('{"answer": ["nr-ar", "SR-MMP"]}', {"target": ["NR-AR"], "known_labels": ["NR-AR", "SR-p53"]})
        1.0
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
        name: str = "label_set",
    ) -> None:
        label_list, syn = _check_vocabulary(labels, synonyms)
        field = check_field("target_field", target_field)
        known = check_field("known_field", known_field)
        config: dict[str, Any] = {
            "type": "set",
            "name": str(name),
            "labels": label_list,
            "synonyms": syn,
            "metric": check_choice("metric", metric, ("f1", "jaccard")),
            "mode": check_choice("mode", mode, MODES),
            "target_field": field,
            "known_field": known,
        }
        super().__init__(config, referenced_fields={field, known})
        self.labels: tuple[str, ...] = tuple(label_list)
