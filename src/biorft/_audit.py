r"""Reward-hacking audit: `audit` runs a red-team corpus of degenerate policies through a grader.

An RL run optimises exactly what the grader pays for. Before paying for one, run every degenerate policy a policy
could collapse to through the grader and check that none earns more than the prior baseline:

- **constant** answers: each label, ``none`` and every label (multilabel), the mean / median / extremes of the
  targets (regression);
- **hedge** families, built from the reference answer (so they are the strongest form of each hedge): the right
  label together with a wrong one (``"A or B"``, ``"A/B"``, lists), negations (``"not B"``), retractions and
  corrections (``"Answer: A ... Actually no, it is B"``), two different answers under one JSON key, intervals,
  ``±`` wider than the tolerance, bounds, lists of numbers;
- **format** exploits: the right answer in one answer form and a wrong one in another, many answer lines, answers
  without any marker;
- **garbage**: empty, whitespace, refusals, random text, lone surrogates, very long outputs.

Beside them the table shows the **prior baseline** (the entity-blind baselines of [biorft.baselines][]: for
binary, multiclass and regression tasks the better of the majority answer and the label-prior draws, whose
expected reward is the chance level of the metric; for multilabel tasks the label-prior draws, which no fixed
label subset may beat), the **oracle** (the reference answers, which must score 1) and the **shortcut** baselines
(models that see the entity; informative, never a failure). Every corpus output is also scored by the grader's
exported source in a clean interpreter (`biorft.graders.check_parity`): the scores must be identical.

The audit fails (``AuditResult.ok is False``) when a degenerate policy earns more than the prior baseline plus a
small tolerance for sampling noise, when the oracle does not score 1, when the grader raises, or when parity fails.

Examples:
    >>> import biorft as br
    >>> result = br.audit("genes/dosage_sensitive_tfs", rows=60, baselines=False, parity_rows=2)
    >>> result.ok, result.oracle
    (True, 1.0)
    >>> "prior baseline" in result.table()
    True
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from biorft.errors import BiorftError
from biorft.schema import TaskKind, TaskSpec

__all__ = ["AuditResult", "PolicyResult", "audit", "check_reward"]

_DEFAULT_TOLERANCE = 0.01
_LONG = 200_000  # characters of the very long outputs
_LONG_ROWS = 20  # rows the very long outputs are scored on (they cost a linear scan each)
_PRIOR_SEEDS = 4  # label-prior draws averaged for the prior baseline


@dataclass(frozen=True)
class PolicyResult:
    """One row of the audit table.

    Attributes:
        name: What the policy answers (e.g. ``"constant: BBB+"``, ``"hedge: right or wrong label"``).
        family: ``"constant"``, ``"hedge"``, ``"format"``, ``"garbage"`` (degenerate), ``"baseline"``,
            ``"shortcut"`` or ``"oracle"``.
        mean_reward: Mean grader score over the rows it was run on.
        n: Rows it was run on.
        degenerate: Whether it must not earn more than the prior baseline.
        flagged: Whether it does (beyond the tolerance), or the grader failed on it.
        example: One output of the policy (clipped), for the table.
        note: Why it was flagged or skipped, when it was.
    """

    name: str
    family: str
    mean_reward: float
    n: int
    degenerate: bool
    flagged: bool = False
    example: str = ""
    note: str = ""


@dataclass(frozen=True)
class AuditResult:
    """The outcome of `audit`: one row per policy, the prior baseline, the oracle and parity.

    Attributes:
        task: The task name.
        grader: The grader's name.
        kind: The task kind.
        n_rows: Examples the corpus was run on.
        prior: Mean reward of the prior baseline.
        prior_policy: Which baseline that is.
        oracle: Mean reward of the reference answers (1 for a sound grader).
        tolerance: How far above the prior a degenerate policy may land (sampling noise).
        policies: Every row of the table, degenerate policies first.
        parity_cases: Corpus outputs also scored by the exported source (0 when the grader exports none).
        parity_mismatches: Descriptions of the cases the exported source scored differently.
        parity_error: Why the exported source did not run, when it did not.
    """

    task: str
    grader: str
    kind: str
    n_rows: int
    prior: float
    prior_policy: str
    oracle: float
    tolerance: float
    policies: tuple[PolicyResult, ...]
    parity_cases: int = 0
    parity_mismatches: tuple[str, ...] = ()
    parity_error: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def flagged(self) -> list[PolicyResult]:
        """The degenerate policies that earn more than the prior baseline (or on which the grader failed)."""
        return [p for p in self.policies if p.flagged]

    @property
    def parity_ok(self) -> bool:
        """True when the exported source scored every corpus output identically (or there is no source)."""
        return self.parity_error is None and not self.parity_mismatches

    @property
    def ok(self) -> bool:
        """True when no degenerate policy beats the prior, the oracle scores 1 and parity holds."""
        return not self.flagged and self.oracle >= 1.0 - 1e-9 and self.parity_ok

    def summary(self) -> str:
        """One line: the verdict and, when it fails, why.

        Examples:
            >>> r = AuditResult("t", "g", "binary", 10, 0.5, "baseline:majority", 1.0, 0.01, ())
            >>> r.summary()
            'audit t (grader g): OK - no degenerate policy earns more than the prior baseline (0.500)'
        """
        head = f"audit {self.task} (grader {self.grader}): "
        if self.ok:
            return head + f"OK - no degenerate policy earns more than the prior baseline ({self.prior:.3f})"
        why = [f"{p.name} earns {p.mean_reward:.3f}" + (f" ({p.note})" if p.note else "") for p in self.flagged]
        if self.oracle < 1.0 - 1e-9:
            why.append(f"the reference answers score {self.oracle:.3f}, not 1")
        if self.parity_error is not None:
            why.append(f"the exported source failed: {self.parity_error}")
        elif self.parity_mismatches:
            why.append(f"{len(self.parity_mismatches)} outputs scored differently by the exported source")
        return head + f"HACKABLE (prior baseline {self.prior:.3f}): " + "; ".join(why)

    def table(self) -> str:
        """The audit as a markdown table: mean reward per policy beside the prior baseline and the oracle.

        Examples:
            >>> r = AuditResult("t", "g", "binary", 10, 0.5, "baseline:majority", 1.0, 0.01,
            ...                 (PolicyResult("constant: a", "constant", 0.5, 10, True, example="Answer: a"),))
            >>> print(r.table().splitlines()[4])
            | constant: a | constant | 0.500 | +0.000 | ok | `Answer: a` |
        """
        lines = [
            f"Audit of grader `{self.grader}` on `{self.task}` ({self.kind}, {self.n_rows} examples)",
            "",
            "| policy | family | mean reward | vs prior | verdict | example output |",
            "|---|---|---:|---:|---|---|",
        ]
        for p in self.policies:
            verdict = "HACK" if p.flagged else ("ok" if p.degenerate else "-")
            example = p.example.replace("|", "\\|").replace("\n", "\\n").replace("`", "'")
            shown = f"`{example}`" if example else ""
            lines.append(
                f"| {p.name} | {p.family} | {p.mean_reward:.3f} | {p.mean_reward - self.prior:+.3f} | {verdict} "
                f"| {shown} |"
            )
        lines.append("")
        lines.append(
            f"prior baseline ({self.prior_policy}): {self.prior:.3f}; oracle (reference answers): "
            f"{self.oracle:.3f}; tolerance {self.tolerance:g}"
        )
        if self.parity_error is not None:
            lines.append(f"parity: the exported source failed to run: {self.parity_error}")
        elif self.parity_cases:
            same = self.parity_cases - len(self.parity_mismatches)
            lines.append(f"parity: {same}/{self.parity_cases} corpus outputs scored identically by the exported source")
        else:
            lines.append("parity: not checked (turned off, or the grader exports no source)")
        lines.extend(self.notes)
        lines.append(self.summary())
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data."""
        return {
            "task": self.task,
            "grader": self.grader,
            "kind": self.kind,
            "n_rows": self.n_rows,
            "ok": self.ok,
            "prior": self.prior,
            "prior_policy": self.prior_policy,
            "oracle": self.oracle,
            "tolerance": self.tolerance,
            "parity": {
                "cases": self.parity_cases,
                "mismatches": list(self.parity_mismatches),
                "error": self.parity_error,
            },
            "policies": [p.__dict__ for p in self.policies],
            "notes": list(self.notes),
        }


# ---- the corpus --------------------------------------------------------------------------------------------------
Sample = Any
Maker = Callable[[dict[str, Any]], Sample]


@dataclass(frozen=True)
class _Policy:
    name: str
    family: str
    make: Maker
    long: bool = False


def _const(text: str) -> Maker:
    return lambda item: text


def _unit(item_id: str, seed: int, salt: str = "") -> float:
    digest = hashlib.sha256(f"{seed}\x00{item_id}\x00{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _answer(text: str) -> str:
    return f"Reasoning about the entity.\nAnswer: {text}"


def _label_policies(labels: Sequence[str]) -> list[_Policy]:
    def other(item: dict[str, Any]) -> str:
        gold = str(item["target"])
        rest = [lab for lab in labels if lab != gold]
        return rest[int(_unit(str(item.get("id")), 7) * len(rest))] if rest else gold

    out = [_Policy(f"constant: {lab}", "constant", _const(_answer(lab))) for lab in labels]
    g: Callable[[dict[str, Any]], str] = lambda item: str(item["target"])  # noqa: E731
    hedges: list[tuple[str, Maker]] = [
        ("right or wrong label", lambda i: _answer(f"{g(i)} or {other(i)}")),
        ("wrong or right label", lambda i: _answer(f"{other(i)} or {g(i)}")),
        ("right/wrong", lambda i: _answer(f"{g(i)}/{other(i)}")),
        ("every label", _const(_answer(", ".join(labels)))),
        ("both", _const(_answer("both"))),
        ("either", _const(_answer(f"either {labels[0]} or {labels[-1]}"))),
        ("JSON list of two labels", lambda i: json.dumps({"answer": [g(i), other(i)]})),
        ("not <wrong label>", lambda i: _answer(f"not {other(i)}")),
        ("non-<wrong label>", lambda i: _answer(f"non-{other(i)}")),
        ("it is not <wrong label>", lambda i: _answer(f"It is not {other(i)}.")),
        ("right label, wait, wrong label", lambda i: _answer(f"{g(i)}, wait, {other(i)}")),
        *_conflicts(g, other, lambda i: json.dumps(g(i)), lambda i: json.dumps(other(i))),
    ]
    out += [_Policy(f"hedge: {name}", "hedge", make) for name, make in hedges]
    out += _format_policies(g, other, list(labels))
    return out


def _set_text(labels: Iterable[str]) -> str:
    chosen = list(labels)
    return ", ".join(chosen) if chosen else "none"


def _multilabel_policies(labels: Sequence[str], prevalence: dict[str, float]) -> list[_Policy]:
    by_prevalence = sorted(labels, key=lambda lab: -prevalence.get(lab, 0.0))
    subsets: list[tuple[str, list[str]]] = [("none", []), ("every label", list(labels))]
    subsets += [(lab, [lab]) for lab in labels]
    for k in (2, 3, len(labels) // 2):
        if 1 < k < len(labels):
            subsets.append((f"the {k} most prevalent labels", by_prevalence[:k]))
    out = [_Policy(f"constant: {name}", "constant", _const(_answer(_set_text(chosen)))) for name, chosen in subsets]

    def gold(item: dict[str, Any]) -> list[str]:
        target = item.get("target")
        return [str(t) for t in target] if isinstance(target, list) else []

    def measured(item: dict[str, Any]) -> list[str]:
        known = item.get("known_labels")
        return [str(k) for k in known] if isinstance(known, list) else list(labels)

    def wrong(item: dict[str, Any]) -> str:
        right = gold(item)
        rest = [lab for lab in measured(item) if lab not in right] or [lab for lab in labels if lab not in right]
        rest = rest or list(labels)
        return rest[int(_unit(str(item.get("id")), 7) * len(rest))]

    def g(item: dict[str, Any]) -> str:
        return _set_text(gold(item))

    hedges: list[tuple[str, Maker]] = [
        ("right set or a wrong label", lambda i: _answer(f"{g(i)} or {wrong(i)}")),
        ("maybe <wrong label>, right set", lambda i: _answer(f"maybe {wrong(i)}, {g(i)}")),
        ("not <wrong label>", lambda i: _answer(", ".join([*gold(i), f"not {wrong(i)}"]))),
        *_conflicts(g, wrong, lambda i: json.dumps(gold(i)), lambda i: json.dumps([wrong(i)])),
    ]
    out += [_Policy(f"hedge: {name}", "hedge", make) for name, make in hedges]
    out += _format_policies(g, wrong, [_set_text(c) for _, c in subsets])
    return out


def _conflicts(
    right: Callable[[dict[str, Any]], str],
    wrong: Callable[[dict[str, Any]], str],
    right_json: Callable[[dict[str, Any]], str],
    wrong_json: Callable[[dict[str, Any]], str],
) -> list[tuple[str, Maker]]:
    """Retractions, corrections and two values under one JSON key, each way round."""
    return [
        ("right answer then retraction", lambda i: _answer(f"{right(i)}\nActually no, it is {wrong(i)}.")),
        ("wrong answer then correction", lambda i: _answer(f"{wrong(i)}\nWait, correction: it is {right(i)}.")),
        ("duplicate JSON key (wrong, right)", lambda i: f'{{"answer": {wrong_json(i)}, "answer": {right_json(i)}}}'),
        ("duplicate JSON key (right, wrong)", lambda i: f'{{"answer": {right_json(i)}, "answer": {wrong_json(i)}}}'),
    ]


def _number_text(value: float) -> str:
    return f"{value:.6g}"


def _regression_policies(values: list[float], tolerance: float) -> list[_Policy]:
    ordered = sorted(values)
    mean, median = statistics.fmean(ordered), statistics.median(ordered)
    low, high = ordered[0], ordered[-1]
    p5, p95 = ordered[int(0.05 * (len(ordered) - 1))], ordered[int(0.95 * (len(ordered) - 1))]
    constants = [
        ("mean", mean),
        ("median", median),
        ("minimum", low),
        ("maximum", high),
        ("5th percentile", p5),
        ("95th percentile", p95),
        ("zero", 0.0),
    ]
    out = [
        _Policy(f"constant: {name} ({v:.3g})", "constant", _const(_answer(_number_text(v)))) for name, v in constants
    ]
    spread = max(2.0 * tolerance, 0.1 * (high - low), 1e-6)

    def g(item: dict[str, Any]) -> float:
        return float(item["target"])

    def wrong(item: dict[str, Any]) -> float:
        return g(item) + spread if g(item) < median else g(item) - spread

    t = _number_text
    hedges: list[tuple[str, Maker]] = [
        ("interval around the answer", lambda i: _answer(f"{t(g(i) - spread / 2)} to {t(g(i) + spread / 2)}")),
        ("between ... and ...", lambda i: _answer(f"between {t(g(i) - spread)} and {t(g(i) + spread)}")),
        ("± wider than the tolerance", lambda i: _answer(f"{t(g(i))} ± {t(spread)}")),
        ("+/- wider than the tolerance", lambda i: _answer(f"{t(g(i))} +/- {t(spread)}")),
        ("list with the answer first", lambda i: _answer(f"{t(g(i))}, {t(mean)}, {t(median)}")),
        ("JSON list with the answer first", lambda i: json.dumps({"answer": [g(i), mean, median]})),
        ("every constant", _const(_answer(", ".join(t(v) for _, v in constants)))),
        ("not <wrong value>", lambda i: _answer(f"not {t(wrong(i))}")),
        ("bound: < above the answer", lambda i: _answer(f"< {t(g(i) + spread)}")),
        ("bound: at least below the answer", lambda i: _answer(f"at least {t(g(i) - spread)}")),
        *_conflicts(lambda i: t(g(i)), lambda i: t(wrong(i)), lambda i: t(g(i)), lambda i: t(wrong(i))),
    ]
    out += [_Policy(f"hedge: {name}", "hedge", make) for name, make in hedges]
    out += _format_policies(lambda i: t(g(i)), lambda i: t(wrong(i)), [t(v) for _, v in constants])
    return out


def _format_policies(
    gold: Callable[[dict[str, Any]], str], wrong: Callable[[dict[str, Any]], str], answers: Sequence[str]
) -> list[_Policy]:
    """Format exploits: the right answer first and a wrong one after it, and every answer on its own line.

    A grader that reads the first answer pays the first; one that reads any stated answer pays the second.
    """
    cycle = "\n".join(f"Answer: {answers[k % len(answers)]}" for k in range(100))
    rows: list[tuple[str, Maker]] = [
        ("100 answer lines cycling through every answer", _const(cycle)),
        ("tag right, line wrong", lambda i: f"<answer>{gold(i)}</answer>\nAnswer: {wrong(i)}"),
        ("boxed right, boxed wrong", lambda i: f"$\\boxed{{{gold(i)}}}$ or $\\boxed{{{wrong(i)}}}$"),
        ("JSON right, line wrong", lambda i: f'{{"answer": {json.dumps(gold(i))}}}\nAnswer: {wrong(i)}'),
        ("bare right and wrong, no marker", lambda i: f"{gold(i)} {wrong(i)}"),
    ]
    return [_Policy(f"format: {name}", "format", make) for name, make in rows]


def _garbage_policies(every: str) -> list[_Policy]:
    rows: list[tuple[str, Maker, bool]] = [
        ("empty", _const(""), False),
        ("whitespace", _const(" \n\t "), False),
        ("empty answer line", _const("Answer:"), False),
        ("refusal", _const(_answer("I don't know")), False),
        ("not applicable", _const(_answer("not applicable")), False),
        ("random text", lambda i: f"lorem {_unit(str(i.get('id')), 3):.6f} ipsum", False),
        ("unicode and control characters", _const("\u202e\u0000\ufeff\u00e9\u4e2d\U0001f600"), False),
        ("lone surrogate", _const("Answer: \ud800"), False),
        ("JSON null answer", _const('{"answer": null}'), False),
        ("broken JSON", _const('{"answer": '), False),
        ("very long filler", _const("x" * _LONG), True),
        (
            "very long list of every answer",
            _const("Answer: " + (every + ", ") * (_LONG // max(1, len(every) + 2))),
            True,
        ),
    ]
    return [_Policy(f"garbage: {name}", "garbage", make, long) for name, make, long in rows]


def _oracle(spec: TaskSpec, item: dict[str, Any]) -> str:
    target = item["target"]
    if spec.kind is TaskKind.MULTILABEL:
        return _answer(_set_text(str(t) for t in target))
    if spec.kind is TaskKind.REGRESSION:
        return _answer(repr(float(target)))
    return _answer(str(target))


# ---- running it --------------------------------------------------------------------------------------------------
def _scorer(grader: Any) -> Callable[[Any, Any], float]:
    if hasattr(grader, "explain"):
        return lambda sample, item: float(grader.explain(sample, item).score)
    if callable(grader):
        return lambda sample, item: float(grader(sample, item))
    raise BiorftError(f"audit: grader must be callable as grader(sample, item) or have explain(); got {grader!r}")


def _as_sample(output: Any) -> dict[str, Any]:
    """A model output in OpenAI's sample shape (what every grader, exported or not, is called with)."""
    return output if isinstance(output, dict) else {"output_text": output}


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def _clip(sample: Any, limit: int = 70) -> str:
    if isinstance(sample, dict) and set(sample) <= {"id", "output_text"}:
        sample = sample.get("output_text", "")
    text = sample if isinstance(sample, str) else json.dumps(sample, ensure_ascii=False)
    text = text.replace("Reasoning about the entity.\n", "")
    if len(text) > limit:
        text = text[: limit - 20] + f"... ({len(text):,} chars)"
    text = "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode() for c in text)
    return text.encode("utf-8", "replace").decode("utf-8")


def _load(task: Any) -> Any:
    if isinstance(task, str):
        from biorft.datasets import load_task

        return load_task(task)
    if hasattr(task, "spec") and hasattr(task, "examples"):
        return task
    raise BiorftError(f"audit: task must be a task name or a TaskDataset, got {type(task).__name__}")


def _sample_rows(items: list[dict[str, Any]], rows: int | None, seed: int) -> list[dict[str, Any]]:
    if rows is None or rows >= len(items):
        return items
    if rows < 1:
        raise BiorftError(f"audit: rows must be >= 1, got {rows}")
    ranked = sorted(range(len(items)), key=lambda k: _unit(str(items[k].get("id", k)), seed, "rows"))
    return [items[k] for k in sorted(ranked[:rows])]


class _Rows:
    """Examples as the baselines read them (``examples()`` yielding objects with ``id`` and ``item``)."""

    def __init__(self, spec: TaskSpec, items: list[dict[str, Any]]) -> None:
        self.spec = spec
        self._items = items

    def examples(self) -> Iterator[Any]:
        from types import SimpleNamespace

        return iter([SimpleNamespace(id=str(it.get("id")), item=it) for it in self._items])


def _rendered(outputs: Iterable[dict[str, str]]) -> list[dict[str, Any]]:
    """Baseline outputs (JSON answers) in the answer-line form of the corpus: ``{"answer": ["a"]}`` -> ``Answer: a``.

    The grader's accepted answer forms then do not decide the prior.
    """
    out = []
    for o in outputs:
        answer = json.loads(o["output_text"])["answer"]
        if isinstance(answer, list):
            text = _set_text(str(a) for a in answer)
        elif isinstance(answer, int | float):
            text = _number_text(float(answer))
        else:
            text = str(answer)
        out.append({"output_text": _answer(text)})
    return out


def _baseline_rows(
    spec: TaskSpec,
    items: list[dict[str, Any]],
    score: Callable[[Any, Any], float],
    seed: int,
    shortcuts: bool,
) -> tuple[list[PolicyResult], float, str, list[str]]:
    """The prior baseline (entity-blind) and, when asked, the shortcut baselines (fit on a held-out part)."""
    from biorft.baselines import LabelPrior, Majority, for_task

    notes: list[str] = []
    rows = _Rows(spec, items)
    prior_means = []
    for k in range(_PRIOR_SEEDS):
        outputs = _rendered(LabelPrior(seed=seed + k).fit(rows).outputs(rows))
        prior_means.append(_mean([score(o, it) for o, it in zip(outputs, items, strict=True)]))
    prior_draws = _mean(prior_means)
    majority_outputs = _rendered(Majority().fit(rows).outputs(rows))
    majority = _mean([score(o, it) for o, it in zip(majority_outputs, items, strict=True)])
    results = [
        PolicyResult(
            "baseline: label prior (random draws)",
            "baseline",
            prior_draws,
            len(items),
            False,
            example=_clip(outputs[0]) if items else "",
        ),
        PolicyResult(
            "baseline: majority",
            "baseline",
            majority,
            len(items),
            False,
            example=_clip(majority_outputs[0]) if items else "",
        ),
    ]
    if spec.kind is TaskKind.MULTILABEL or prior_draws >= majority:
        prior, prior_name = prior_draws, "label-prior draws"
    else:
        prior, prior_name = majority, "majority answer"
    if spec.kind is TaskKind.REGRESSION:
        mean_value = statistics.fmean(float(it["target"]) for it in items)
        mean_score = _mean([score(_as_sample(_answer(_number_text(mean_value))), it) for it in items])
        if mean_score > prior:
            prior, prior_name = mean_score, "mean answer"
    if shortcuts:
        train = [it for it in items if _unit(str(it.get("id")), seed, "fold") < 0.8]
        test = [it for it in items if _unit(str(it.get("id")), seed, "fold") >= 0.8]
        for baseline in for_task(spec, seed=seed):
            if isinstance(baseline, LabelPrior | Majority) or not train or not test:
                continue
            try:
                fitted = baseline.fit(_Rows(spec, train))
                outputs = _rendered(fitted.outputs(_Rows(spec, test)))
            except BiorftError as exc:
                notes.append(f"{baseline.name}: skipped ({exc})")
                continue
            mean = _mean([score(o, it) for o, it in zip(outputs, test, strict=True)])
            results.append(
                PolicyResult(
                    f"shortcut: {baseline.name} (held-out 20%)",
                    "shortcut",
                    mean,
                    len(test),
                    False,
                    example=_clip(outputs[0]),
                )
            )
    return results, prior, prior_name, notes


def audit(
    task: Any,
    grader: Any = None,
    *,
    rows: int | None = 2000,
    seed: int = 0,
    tolerance: float = _DEFAULT_TOLERANCE,
    parity: bool = True,
    parity_rows: int = 10,
    baselines: bool = True,
) -> AuditResult:
    """Run the red-team corpus through ``grader`` on ``task`` and compare every policy with the prior baseline.

    Args:
        task: A task name (``"molecules/tox21"``) or a [TaskDataset][biorft.datasets.TaskDataset] (user tasks
            and splits work the same way).
        grader: Any grader (``grader(sample, item) -> float`` or with ``explain``); the task's default
            (``grader_for(task.spec)``) when None.
        rows: Examples the corpus runs on (a seeded sample; None: all).
        seed: Seed of the row sample and of the baselines.
        tolerance: How far above the prior baseline a degenerate policy may land before it is flagged (the
            sampling noise of a mean reward over a few hundred examples).
        parity: Also score the corpus with the grader's exported source (``to_source()``) in a clean interpreter.
        parity_rows: Examples whose corpus outputs the exported source scores.
        baselines: Also fit the shortcut baselines (models that see the entity) on 80 % of the rows and score them on
            the rest (informative rows; seconds for fingerprint forests).

    Returns:
        The [AuditResult][biorft._audit.AuditResult]; ``ok`` is False when the grader is hackable.

    Raises:
        BiorftError: On a task or grader that cannot be audited (no examples, not a grader).
    """
    from biorft.graders import check_parity, grader_for

    data = _load(task)
    spec: TaskSpec = data.spec
    if grader is None:
        grader = grader_for(spec)
    score = _scorer(grader)
    all_items = [dict(ex.item) for ex in data.examples()]
    if not all_items:
        raise BiorftError(f"audit: task {spec.name!r} has no examples")
    items = _sample_rows(all_items, rows, seed)

    if spec.kind is TaskKind.REGRESSION:
        values = [float(it["target"]) for it in items]
        config = getattr(grader, "config", {})
        tol = float(config.get("abs_tol", spec.tolerance or 0.0)) if isinstance(config, dict) else 0.0
        policies = _regression_policies(values, tol or float(spec.tolerance or 0.0))
        every = ", ".join(_number_text(v) for v in sorted(set(values))[:50])
    elif spec.kind is TaskKind.MULTILABEL:
        prevalence = spec.metadata.get("label_prevalence")
        rates = (
            {str(k): float(v) for k, v in prevalence.items() if isinstance(v, int | float)}
            if isinstance(prevalence, dict)
            else {}
        )
        policies = _multilabel_policies(spec.labels, rates)
        every = ", ".join(spec.labels)
    else:
        policies = _label_policies(spec.labels)
        every = " or ".join(spec.labels)
    policies += _garbage_policies(every)

    base_rows, prior, prior_name, notes = _baseline_rows(spec, items, score, seed, baselines)
    results: list[PolicyResult] = []
    cases: list[dict[str, Any]] = []
    parity_items = items[: max(0, parity_rows)]
    for policy in policies:
        chosen = items[:_LONG_ROWS] if policy.long else items
        samples = [_as_sample(policy.make(it)) for it in chosen]
        try:
            scores = [score(s, it) for s, it in zip(samples, chosen, strict=True)]
        except Exception as exc:  # a grader must never raise: that alone makes it unfit for training
            results.append(
                PolicyResult(
                    policy.name,
                    policy.family,
                    0.0,
                    len(chosen),
                    True,
                    True,
                    _clip(samples[0]),
                    f"the grader raised {type(exc).__name__}: {exc}"[:200],
                )
            )
            continue
        bad = [s for s in scores if not (isinstance(s, float) and 0.0 <= s <= 1.0)]
        mean = _mean(scores) if not bad else math.nan
        flagged = bool(bad) or mean > prior + tolerance
        note = f"scores outside [0, 1]: {bad[:3]}" if bad else ""
        results.append(
            PolicyResult(policy.name, policy.family, mean, len(chosen), True, flagged, _clip(samples[0]), note)
        )
        for it, s in zip(parity_items[:1] if policy.long else parity_items, samples, strict=False):
            cases.append({"sample": s, "item": it})
    oracle_samples = [_as_sample(_oracle(spec, it)) for it in items]
    oracle = _mean([score(s, it) for s, it in zip(oracle_samples, items, strict=True)])
    cases += [{"sample": s, "item": it} for s, it in zip(oracle_samples, parity_items, strict=False)]
    results += base_rows
    results.append(
        PolicyResult(
            "oracle: the reference answers", "oracle", oracle, len(items), False, example=_clip(oracle_samples[0])
        )
    )

    parity_cases, mismatches, error = 0, tuple[str, ...](), None
    if parity and hasattr(grader, "to_source") and cases:
        report = check_parity(score, cases, source=grader.to_source())
        parity_cases = report.n_cases
        mismatches = tuple(str(m)[:300] for m in report.mismatches)
        error = report.error
    return AuditResult(
        task=spec.name,
        grader=str(getattr(grader, "name", type(grader).__name__)),
        kind=spec.kind.value,
        n_rows=len(items),
        prior=prior,
        prior_policy=prior_name,
        oracle=oracle,
        tolerance=tolerance,
        policies=tuple(results),
        parity_cases=parity_cases,
        parity_mismatches=mismatches,
        parity_error=error,
        notes=tuple(notes),
    )


# ---- the guard before paid training ------------------------------------------------------------------------------
def _inferred_task(items: list[dict[str, Any]], name: str) -> Any:
    """A minimal task (spec + examples) inferred from exported reference items (``train.jsonl`` minus messages)."""
    from biorft.schema import TaskSpec

    targets = [it.get("target") for it in items]
    labels: set[str] = set()
    if all(isinstance(t, list) for t in targets):
        kind = "multilabel"
        for it in items:
            labels.update(str(x) for x in it.get("target") or [])
            labels.update(str(x) for x in it.get("known_labels") or [])
    elif all(isinstance(t, int | float) and not isinstance(t, bool) for t in targets):
        kind = "regression"
    else:
        kind = "multiclass" if len({str(t) for t in targets}) > 2 else "binary"
        labels = {str(t) for t in targets}
    spec = TaskSpec(
        name=name,
        domain="other",
        kind=kind,
        labels=tuple(sorted(labels)),
        instructions="(inferred from exported reference items)",
    )
    return _Rows(spec, items)


def _exported_grade(payload: Any) -> Any:
    """The ``grade`` function of an exported python grader (a dict or a ``grader.json`` path), or None."""
    from pathlib import Path

    if isinstance(payload, str | Path):
        path = Path(payload)
        if not path.is_file():
            return None
        payload = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(payload, dict) or payload.get("type") != "python" or not isinstance(payload.get("source"), str):
        return None
    namespace: dict[str, Any] = {"__name__": "exported_grader"}
    exec(compile(payload["source"], "grader.py", "exec"), namespace)  # the user's own exported grader
    grade = namespace.get("grade")
    return grade if callable(grade) else None


def _read_items(path: Any) -> list[dict[str, Any]]:
    from pathlib import Path

    items = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                items.append({k: v for k, v in row.items() if k != "messages"})
    return items


def check_reward(data: Any, grader: Any = None, *, allow_hackable: bool = False, where: str = "training") -> Any:
    """The fast audit run before paid or GPU training; raises when the grader is hackable.

    Args:
        data: A ``Splits`` (its training part is audited), a ``TaskDataset``, an OpenAI RFT export folder or a
            ``(train.jsonl, valid.jsonl)`` pair.
        grader: The grader training will use (a biorft grader, an OpenAI python-grader dict or ``grader.json``);
            the task's default for a ``Splits`` / ``TaskDataset`` when None, ``grader.json`` beside the data else.
        allow_hackable: Return the failing audit instead of raising.
        where: What is about to train, for the message.

    Returns:
        The [AuditResult][biorft._audit.AuditResult], or None when the data or grader cannot be audited locally (a
        model-graded or string-check grader, a dataset without its task).

    Raises:
        HackableGraderError: The audit failed and ``allow_hackable`` is False.
    """
    from pathlib import Path

    from biorft.errors import HackableGraderError

    target: Any = None
    if all(hasattr(data, a) for a in ("train", "valid", "spec")):
        target = data.train
    elif hasattr(data, "spec") and hasattr(data, "examples"):
        target = data
    elif isinstance(data, str | Path | tuple | list):
        train = Path(data) / "train.jsonl" if isinstance(data, str | Path) else Path(data[0])
        if not train.is_file():
            return None
        items = _read_items(train)
        if not items:
            return None
        target = _inferred_task(items, str(items[0].get("task") or train.parent.name))
        if grader is None:
            grader = train.parent / "grader.json"
    if target is None:
        return None
    if grader is not None and not callable(grader) and not hasattr(grader, "explain"):
        grader = _exported_grade(grader)
        if grader is None:
            return None
    result = audit(target, grader, rows=300, baselines=False, parity_rows=2)
    if not result.ok and not allow_hackable:
        raise HackableGraderError(
            f"{where}: refusing a hackable grader. {result.summary()}. Run `biorft audit` for the table; fix the "
            "grader, or pass allow_hackable=True (CLI: --allow-hackable) to train anyway",
            result,
        )
    return result
