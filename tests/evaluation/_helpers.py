"""Small duck-typed stand-ins for TaskDataset / PromptedExample / Grader, so evaluation tests run on their own.

They follow the contracts in CONTRACTS.md (``.spec``, ``.examples()`` yielding ``.id`` / ``.messages`` / ``.item``;
``explain(sample, item)`` returning an object with ``score``, ``reason`` (a str enum), ``answer``, ``confidence``),
so the evaluation code path is the one the real classes take.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from biorft.schema import Example, TaskSpec, reference_item


def binary_spec(name: str = "genes/tiny_binary") -> TaskSpec:
    return TaskSpec(
        name=name,
        domain="genes",
        kind="binary",
        labels=("sensitive", "insensitive"),
        positive_label="sensitive",
        label_synonyms={"sensitive": ("dosage sensitive",)},
        instructions="Is this transcription factor dosage-sensitive?",
    )


def multiclass_spec() -> TaskSpec:
    return TaskSpec(
        name="other/tiny_multiclass", domain="other", kind="multiclass", labels=("a", "b", "c"), instructions="Pick."
    )


def multilabel_spec() -> TaskSpec:
    return TaskSpec(
        name="molecules/tiny_multilabel",
        domain="molecules",
        kind="multilabel",
        labels=("nr-ar", "sr-are", "sr-p53"),
        instructions="Which assays are active?",
    )


def regression_spec() -> TaskSpec:
    return TaskSpec(
        name="molecules/tiny_logs",
        domain="molecules",
        kind="regression",
        units="log10(mol/L)",
        tolerance=0.5,
        value_range=(-12.0, 2.0),
        instructions="Predict the aqueous solubility LogS.",
    )


@dataclass(frozen=True)
class TinyPrompted:
    example: Example
    id: str
    messages: list[dict[str, str]]
    item: dict[str, Any]


@dataclass
class TinySplits:
    spec: TaskSpec
    train: TinyDataset
    valid: TinyDataset
    test: TinyDataset

    def __iter__(self) -> Iterator[tuple[str, TinyDataset]]:
        yield from (("train", self.train), ("valid", self.valid), ("test", self.test))


@dataclass
class TinyDataset:
    """A list of examples behind the TaskDataset interface the evaluation code uses."""

    spec: TaskSpec
    rows: list[Example] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def examples(self) -> Iterator[TinyPrompted]:
        for ex in self.rows:
            messages = [
                {"role": "system", "content": "You are a careful biomedical expert."},
                {
                    "role": "user",
                    "content": f"{self.spec.instructions}\nEntity: {ex.entity}\nEnd with a line 'Answer: <answer>'.",
                },
            ]
            yield TinyPrompted(ex, ex.id, messages, reference_item(self.spec, ex))

    def subset(self, ids: Sequence[str]) -> TinyDataset:
        keep = set(ids)
        return TinyDataset(self.spec, [r for r in self.rows if r.id in keep])

    def head(self, n: int) -> TinyDataset:
        return TinyDataset(self.spec, self.rows[:n])

    def split(self, method: str = "random", fractions: tuple[float, float, float] = (0.8, 0.1, 0.1), seed: int = 0):
        n = len(self.rows)
        n_train = round(n * fractions[0])
        n_valid = round(n * fractions[1])
        return TinySplits(
            self.spec,
            TinyDataset(self.spec, self.rows[:n_train]),
            TinyDataset(self.spec, self.rows[n_train : n_train + n_valid]),
            TinyDataset(self.spec, self.rows[n_train + n_valid :]),
        )


def make_dataset(spec: TaskSpec, n: int, *, entities: Sequence[str] | None = None) -> TinyDataset:
    """``n`` examples with deterministic targets (ids ``e0000``...)."""
    rows = []
    for i in range(n):
        entity = entities[i % len(entities)] if entities else f"GENE{i}"
        if spec.kind.value == "regression":
            target: Any = round(-6.0 + (i % 13) * 0.5, 2)
            meta: dict[str, Any] = {}
        elif spec.kind.value == "multilabel":
            target = [lab for j, lab in enumerate(spec.labels) if (i >> j) & 1]
            meta = {"known_labels": list(spec.labels[: 1 + i % len(spec.labels)])} if i % 4 == 3 else {}
        else:
            target = spec.labels[(i * 7 + i // 3) % len(spec.labels)]
            meta = {}
        rows.append(Example(id=f"e{i:04d}", entity=entity, target=target, metadata=meta))
    return TinyDataset(spec, rows)


# -- a tiny grader --------------------------------------------------------------------------------------------


class TinyReason(str, Enum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    PARTIAL = "partial"
    NO_ANSWER = "no_answer"
    HEDGED = "hedged"
    PARSE_ERROR = "parse_error"


@dataclass(frozen=True)
class TinyResult:
    score: float
    reason: TinyReason
    answer: Any
    detail: str = ""
    confidence: float | None = None


_ANSWER_LINE = re.compile(r"^\s*answer\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


class TinyGrader:
    """Reads JSON {"answer": ..., "confidence": ...} or a final 'Answer: ...' line; never raises."""

    name = "tiny"

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec

    def _raw(self, sample: Any) -> tuple[Any, float | None]:
        if isinstance(sample, str):
            sample = {"output_text": sample}
        data = sample.get("output_json")
        if data is None:
            text = str(sample.get("output_text") or "").strip()
            if text.startswith("{"):
                try:
                    data = json.loads(text)
                except ValueError:
                    data = None
            if data is None:
                found = _ANSWER_LINE.findall(text)
                return (found[-1] if found else None), None
        if not isinstance(data, dict):
            return None, None
        conf = data.get("confidence")
        return data.get("answer"), (float(conf) if isinstance(conf, int | float) else None)

    def _label(self, text: str) -> str | list[str] | None:
        words = {w.strip().casefold() for w in re.split(r"[,/;]| or ", text) if w.strip()}
        hits = []
        for label in self.spec.labels:
            names = {label.casefold(), *(s.casefold() for s in self.spec.label_synonyms.get(label, ()))}
            if words & names:
                hits.append(label)
        if len(hits) == 1:
            return hits[0]
        return hits or None

    def explain(self, sample: Any, item: dict[str, Any]) -> TinyResult:
        raw, conf = self._raw(sample)
        if raw is None:
            return TinyResult(0.0, TinyReason.NO_ANSWER, None)
        kind = self.spec.kind.value
        target = item["target"]
        if kind == "regression":
            try:
                value = float(raw)
            except (TypeError, ValueError):
                return TinyResult(0.0, TinyReason.PARSE_ERROR, None)
            if not math.isfinite(value):
                return TinyResult(0.0, TinyReason.PARSE_ERROR, None)
            ok = abs(value - float(target)) <= (self.spec.tolerance or 0.0)
            return TinyResult(float(ok), TinyReason.CORRECT if ok else TinyReason.INCORRECT, value)
        if kind == "multilabel":
            labels = raw if isinstance(raw, list) else [p for p in re.split(r"[,;]", str(raw)) if p.strip()]
            pred = {str(lab).strip() for lab in labels} & set(self.spec.labels)
            known = set(item.get("known_labels") or self.spec.labels)
            t = set(target) & known
            p = pred & known
            denom = len(t) + len(p)
            score = 1.0 if denom == 0 else 2 * len(t & p) / denom
            reason = TinyReason.CORRECT if score == 1.0 else TinyReason.PARTIAL if score > 0 else TinyReason.INCORRECT
            return TinyResult(score, reason, sorted(pred))
        label = self._label(str(raw))
        if label is None:
            return TinyResult(0.0, TinyReason.PARSE_ERROR, None)
        if isinstance(label, list):
            return TinyResult(0.0, TinyReason.HEDGED, label)
        ok = label == target
        return TinyResult(float(ok), TinyReason.CORRECT if ok else TinyReason.INCORRECT, label, confidence=conf)

    def __call__(self, sample: Any, item: dict[str, Any]) -> float:
        return self.explain(sample, item).score


# -- scripted model answers ------------------------------------------------------------------------------------


def entity_of(body: dict[str, Any]) -> str:
    """The entity named in a chat-completions (messages) or responses (input) request body."""
    messages = body.get("messages") or body.get("input")
    content = messages[-1]["content"]
    match = re.search(r"Entity: (\S+)", content)
    assert match, content
    return match.group(1)


def scripted_answer(body: dict[str, Any]) -> str:
    """A deterministic answer per entity and sample: right for some, wrong, hedged or empty for others."""
    entity = entity_of(body)
    k = sum(map(ord, entity)) + 3 * int(body.get("_sample_index", 0))
    mode = k % 5
    if mode == 0:
        return "I am not sure."
    if mode == 1:
        return "Thinking...\nAnswer: sensitive or insensitive"
    if mode == 2:
        return '{"answer": "insensitive", "confidence": 0.7}'
    return f"Reasoning about {entity}.\nAnswer: sensitive"


def cli_dataset() -> TinyDataset:
    """For ``biorft eval --task tests.evaluation._helpers:cli_dataset``."""
    return make_dataset(binary_spec(), 30)
