"""The grading engine: a JSON configuration tree in, a scoring function out.

``build(config)`` turns a configuration (plain JSON: dicts, lists, strings, numbers) into a scorer once;
``evaluate(scorer, sample, item)`` extracts the answers from ``sample`` once and scores them. Scores are clamped to
[0, 1] and every unexpected exception becomes a score of 0 with reason ``grader_error``: a grader never raises on
model output. Node types: ``label``, ``set``, ``number``, ``molecule``, ``valid_molecule``, ``format`` (leaves) and
``weighted``, ``gate``, ``min``, ``max`` (composition).

Strict mode needs every stated answer to mean the same thing (``Answer: 0.5`` and ``{"answer": 0.50}`` agree;
``Answer: A`` then ``Answer: B`` conflict and score 0); lenient mode takes the last answer that parses and, when no
answer marker is present, the last line of the output if it is exactly an answer. Text stated without any marker
(a one-line output, that last line) counts only when it is exactly a label / number / SMILES; anything else has no
answer (reason ``no_answer``), never a wrong one.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from typing import Any, NamedTuple

from biorft.graders._rt.extract import Extraction, _new_tuple, extract
from biorft.graders._rt.labels import LabelTable, exact_label_set, match_label, match_label_set, set_score
from biorft.graders._rt.molecules import (
    MolRecord,
    molecule_score,
    parse_molecule,
    reference_molecule,
    several_words,
    smiles_text,
)
from biorft.graders._rt.numbers import NumericRule, exact_number, parse_spread, units_pattern
from biorft.graders._rt.text import clip, norm_strong


class Outcome(NamedTuple):
    """What a scorer returns: score in [0, 1], reason code, extracted answer, detail, stated confidence."""

    score: float
    reason: str
    answer: Any
    detail: str
    confidence: float | None


Scorer = Callable[[Extraction, Any], Outcome]
Parse = Callable[[Any], tuple[Any, str, str]]

_NO_ANSWER_DETAIL = (
    "no answer found: end with a line 'Answer: ...', an <answer>...</answer> tag or JSON {\"answer\": ...}"
)


def resolve(
    ext: Extraction, lenient: bool, parse: Parse, exact: Parse | None = None
) -> tuple[Any, str, Any, str, float | None]:
    """Choose the answer of ``ext`` under the mode: ``(parsed, reason, raw answer, detail, confidence)``.

    ``parse`` maps a raw answer to ``(parsed, reason, detail)``; reason ``""`` means it parsed. ``exact`` (when
    given) reads text stated without any answer marker (a bare one-line output; in lenient mode the last line): it
    accepts only text that is exactly an answer (a label, a number), and whatever it rejects has no answer rather
    than a wrong one ("unscorable is not wrong").
    """
    candidates = ext.candidates
    if ext.conflict:
        last = candidates[-1]
        confidence = last.confidence if last.confidence is not None else ext.confidence
        return None, "conflicting", last.value, ext.conflict, confidence
    if exact is not None and len(candidates) == 1 and candidates[0].source == "bare":
        bare = candidates[0].value
        parsed, reason, detail = exact(bare)
        if reason:
            return None, "no_answer", None, f"{_NO_ANSWER_DETAIL} ({detail})", ext.confidence
        return parsed, "", bare, "", ext.confidence
    if not candidates:
        if lenient and ext.fallback is not None:
            parsed, reason, detail = (exact or parse)(ext.fallback)
            if not reason:
                return parsed, "", ext.fallback, "", ext.confidence
        return None, "no_answer", None, ext.note or _NO_ANSWER_DETAIL, ext.confidence
    if lenient:
        first_failure: tuple[Any, str, Any, str, float | None] | None = None
        for cand in reversed(candidates):
            parsed, reason, detail = parse(cand.value)
            confidence = cand.confidence if cand.confidence is not None else ext.confidence
            if not reason:
                return parsed, "", cand.value, "", confidence
            if first_failure is None:
                first_failure = (None, reason, cand.value, detail, confidence)
        assert first_failure is not None
        return first_failure
    if ext.overflow:
        return None, "conflicting", None, "more answers stated than a grader reads; state one answer", ext.confidence
    if len(candidates) == 1:
        only = candidates[0]
        parsed, reason, detail = parse(only.value)
        confidence = only.confidence if only.confidence is not None else ext.confidence
        return parsed, reason, only.value, detail, confidence
    results = [parse(c.value) for c in candidates]
    last = candidates[-1]
    confidence = last.confidence if last.confidence is not None else ext.confidence
    if len({(reason, None if reason else parsed) for parsed, reason, _ in results}) > 1:
        shown = ", ".join(clip(c.value, 30) for c in candidates[:4])
        return None, "conflicting", last.value, f"{len(candidates)} different answers stated: {shown}", confidence
    parsed, reason, detail = results[-1]
    return parsed, reason, last.value, detail, confidence


def _target(item: Any, field: str) -> Any:
    return item.get(field) if isinstance(item, dict) else None


def _bad_item(field: str, why: str) -> Outcome:
    return Outcome(0.0, "bad_item", None, f"item[{field!r}] {why}", None)


def _label(cfg: dict[str, Any]) -> Scorer:
    table = LabelTable(cfg["labels"], cfg["synonyms"])
    field, lenient = cfg["target_field"], cfg["mode"] == "lenient"

    def parse(value: Any) -> tuple[Any, str, str]:
        return match_label(table, value, lenient)

    def exact(value: Any) -> tuple[Any, str, str]:
        return match_label(table, value, False)

    def score(ext: Extraction, item: Any) -> Outcome:
        target = _target(item, field)
        gold = table.lookup_cached(target) if isinstance(target, str) else None
        if gold is None:
            return _bad_item(field, f"is {clip(target)}, not one of the labels {table.labels}")
        label, reason, raw, detail, conf = resolve(ext, lenient, parse, exact)
        if reason:
            return Outcome(0.0, reason, raw, detail, conf)
        if label == gold:
            return Outcome(1.0, "correct", label, "", conf)
        return Outcome(0.0, "incorrect", label, f"answered {label!r}, expected {gold!r}", conf)

    return score


def _label_set(cfg: dict[str, Any]) -> Scorer:
    table = LabelTable(cfg["labels"], cfg["synonyms"])
    field, known_field = cfg["target_field"], cfg["known_field"]
    lenient, metric = cfg["mode"] == "lenient", cfg["metric"]
    prevalence = cfg.get("prevalence")

    def parse(value: Any) -> tuple[Any, str, str]:
        return match_label_set(table, value, lenient)

    def exact(value: Any) -> tuple[Any, str, str]:
        return exact_label_set(table, value)

    def score(ext: Extraction, item: Any) -> Outcome:
        target = _target(item, field)
        if isinstance(target, str):
            target = [target]
        if not isinstance(target, list):
            return _bad_item(field, f"is {clip(target)}, not a list of labels")
        gold_labels = [table.lookup(t) if isinstance(t, str) else None for t in target]
        if any(g is None for g in gold_labels):
            return _bad_item(field, f"holds values that are not labels: {clip(target)}")
        known = _target(item, known_field)
        known_set = None
        if isinstance(known, list):
            known_set = frozenset(k2 for k2 in (table.lookup(k) for k in known if isinstance(k, str)) if k2)
        predicted, reason, raw, detail, conf = resolve(ext, lenient, parse, exact)
        if reason:
            return Outcome(0.0, reason, raw, detail, conf)
        value, detail = set_score(
            predicted, frozenset(g for g in gold_labels if g), known_set, metric, table.labels, prevalence
        )
        answer = sorted(predicted)
        if value >= 1.0:
            return Outcome(1.0, "correct", answer, detail, conf)
        return Outcome(value, "partial" if value > 0.0 else "incorrect", answer, detail, conf)

    return score


def _number(cfg: dict[str, Any]) -> Scorer:
    field, lenient = cfg["target_field"], cfg["mode"] == "lenient"
    units = units_pattern(cfg["units"])
    rule = NumericRule(cfg)
    log_scale = rule.log_scale

    parse: Parse = functools.partial(parse_spread, units=units, lenient=lenient)

    def exact(value: Any) -> tuple[Any, str, str]:
        return exact_number(value, units)

    def score(ext: Extraction, item: Any) -> Outcome:
        target: Any = item.get(field) if type(item) is dict else _target(item, field)
        number_like = type(target) is float or (isinstance(target, (int, float)) and not isinstance(target, bool))
        if not number_like or not math.isfinite(target):
            return _bad_item(field, f"is {clip(target)}, not a finite number")
        if log_scale and target <= 0:
            return _bad_item(field, f"is {target!r}, which has no logarithm (scale='log')")
        parsed, reason, raw, detail, conf = resolve(ext, lenient, parse, exact)
        if reason:
            return Outcome(0.0, reason, raw, detail, conf)
        number, spread = parsed
        if spread > 0.0 and rule.too_wide(number, spread, float(target)):
            return Outcome(
                0.0, "hedged", number, f"the answer's uncertainty \u00b1{spread:.6g} is wider than the tolerance", conf
            )
        value, why, detail = rule.score(number, float(target))
        return _new_tuple(Outcome, (value, why, number, detail, conf))  # Outcome(...), without keyword handling

    return score


def _molecule_parse(lenient: bool, records: dict[str, MolRecord]) -> Parse:
    def parse(value: Any) -> tuple[Any, str, str]:
        smiles, reason, detail = smiles_text(value, lenient)
        if smiles is None:
            return None, reason, detail
        if len(smiles.split()) > 1:
            record, reason, detail = several_words(smiles, lenient)
            if record is None:
                return None, reason, detail
        else:
            record = parse_molecule(smiles)
        if record is None:
            return None, "invalid_molecule", f"RDKit cannot parse the SMILES {clip(smiles)!r}"
        records[record.canonical] = record
        return record.canonical, "", ""

    return parse


def _molecule(cfg: dict[str, Any]) -> Scorer:
    field, lenient = cfg["target_field"], cfg["mode"] == "lenient"

    def score(ext: Extraction, item: Any) -> Outcome:
        target = _target(item, field)
        if not isinstance(target, str) or not target.strip():
            return _bad_item(field, f"is {clip(target)}, not a SMILES string")
        reference = reference_molecule(target.strip())
        if reference is None:
            return _bad_item(field, f"holds a SMILES that RDKit cannot parse: {clip(target)!r}")
        records: dict[str, MolRecord] = {}
        parse, exact = _molecule_parse(lenient, records), _molecule_parse(False, records)
        canonical, reason, raw, detail, conf = resolve(ext, lenient, parse, exact)
        if reason:
            return Outcome(0.0, reason, raw, detail, conf)
        value, why, detail = molecule_score(records[canonical], reference, cfg)
        return Outcome(value, why, raw, detail, conf)

    return score


def _valid_molecule(cfg: dict[str, Any]) -> Scorer:
    lenient = cfg["mode"] == "lenient"

    def score(ext: Extraction, item: Any) -> Outcome:
        records: dict[str, MolRecord] = {}
        parse, exact = _molecule_parse(lenient, records), _molecule_parse(False, records)
        _, reason, raw, detail, conf = resolve(ext, lenient, parse, exact)
        if reason:
            return Outcome(0.0, reason, raw, detail, conf)
        return Outcome(1.0, "correct", raw, "a valid molecule", conf)

    return score


def _format_key(value: Any) -> Any:
    return norm_strong(value) if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _format(cfg: dict[str, Any]) -> Scorer:
    sources, lenient = frozenset(cfg["sources"]), cfg["mode"] == "lenient"

    def score(ext: Extraction, item: Any) -> Outcome:
        allowed = [c for c in ext.candidates if c.source in sources]
        conf = ext.confidence
        if not allowed:
            if ext.candidates:
                used = sorted({c.source for c in ext.candidates})
                return Outcome(0.0, "format_error", None, f"answer given as {used}, expected {sorted(sources)}", conf)
            return Outcome(0.0, "no_answer", None, ext.note or _NO_ANSWER_DETAIL, conf)
        last = allowed[-1]
        conf = last.confidence if last.confidence is not None else conf
        if ext.conflict:
            return Outcome(0.0, "conflicting", last.value, ext.conflict, conf)
        if not lenient:
            if ext.overflow or len(allowed) != len(ext.candidates):
                return Outcome(0.0, "format_error", last.value, "answers given in more than the expected form", conf)
            if len({_format_key(c.value) for c in allowed}) > 1:
                return Outcome(0.0, "conflicting", last.value, f"{len(allowed)} different answers stated", conf)
        return Outcome(1.0, "correct", last.value, f"answer given as {last.source}", conf)

    return score


def _parts_detail(names: list[str], outcomes: list[Outcome]) -> str:
    return "; ".join(f"{n}={o.score:.4g} ({o.reason})" for n, o in zip(names, outcomes, strict=True))


def _first_confidence(outcomes: list[Outcome]) -> float | None:
    for o in outcomes:
        if o.confidence is not None:
            return o.confidence
    return None


def _weighted(cfg: dict[str, Any]) -> Scorer:
    weights = [float(p["weight"]) for p in cfg["parts"]]
    total = sum(weights)
    scorers = [_build(p["grader"]) for p in cfg["parts"]]
    names = [str(p["grader"]["name"]) for p in cfg["parts"]]

    def score(ext: Extraction, item: Any) -> Outcome:
        outs = [s(ext, item) for s in scorers]
        value = sum(w * o.score for w, o in zip(weights, outs, strict=True)) / total
        value = min(1.0, max(0.0, value))
        if value >= 1.0:
            reason = "correct"
        elif value <= 0.0:
            reason = outs[0].reason
        else:
            reason = "partial"
        return Outcome(value, reason, outs[0].answer, _parts_detail(names, outs), _first_confidence(outs))

    return score


def _extreme(cfg: dict[str, Any], pick_max: bool) -> Scorer:
    scorers = [_build(p) for p in cfg["parts"]]
    names = [str(p["name"]) for p in cfg["parts"]]

    def score(ext: Extraction, item: Any) -> Outcome:
        outs = [s(ext, item) for s in scorers]
        chosen = outs[0]
        for o in outs[1:]:
            if (o.score > chosen.score) if pick_max else (o.score < chosen.score):
                chosen = o
        reason = "correct" if chosen.score >= 1.0 else chosen.reason
        detail = _parts_detail(names, outs)
        return Outcome(chosen.score, reason, outs[0].answer, detail, _first_confidence(outs))

    return score


def _gate(cfg: dict[str, Any]) -> Scorer:
    gate, inner, threshold = _build(cfg["gate"]), _build(cfg["grader"]), float(cfg["threshold"])
    gate_name = str(cfg["gate"]["name"])

    def score(ext: Extraction, item: Any) -> Outcome:
        passed = gate(ext, item)
        if passed.score < threshold:
            reason = passed.reason if passed.reason not in ("correct", "partial") else "format_error"
            detail = f"gate {gate_name} not passed: {passed.score:.4g} < {threshold:.4g} ({passed.detail})"
            return Outcome(0.0, reason, passed.answer, detail, passed.confidence)
        return inner(ext, item)

    return score


_BUILDERS: dict[str, Callable[[dict[str, Any]], Scorer]] = {
    "label": _label,
    "set": _label_set,
    "number": _number,
    "molecule": _molecule,
    "valid_molecule": _valid_molecule,
    "format": _format,
    "weighted": _weighted,
    "min": lambda cfg: _extreme(cfg, pick_max=False),
    "max": lambda cfg: _extreme(cfg, pick_max=True),
    "gate": _gate,
}


def _build(cfg: dict[str, Any]) -> Scorer:
    return _BUILDERS[cfg["type"]](cfg)


def build(config: dict[str, Any]) -> Scorer:
    """Build the scorer for a grader configuration (done once; raises ``KeyError`` on an unknown node type)."""
    return _build(config)


def evaluate(scorer: Scorer, sample: Any, item: Any) -> Outcome:
    """Score one sample against one item; never raises, always a score in [0, 1]."""
    try:
        outcome = scorer(extract(sample), item)
        value = outcome.score
        if type(value) is float and 0.0 <= value <= 1.0:
            return outcome
        value = float(value)
        return outcome._replace(score=min(1.0, value) if value >= 0.0 else 0.0)  # NaN fails ">=": 0
    except Exception as exc:  # a grader must never raise on model output
        return Outcome(0.0, "grader_error", None, f"{type(exc).__name__}: {exc}"[:200], None)
