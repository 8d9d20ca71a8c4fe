"""Label matching: one answer to one label (binary / multiclass) or to a set of labels (multilabel).

A label table maps every label and synonym, in its strong and loose normal forms (``text.py``), to the canonical
label. Matching is exact on those forms, never by substring: ``"insensitive"`` does not match ``"sensitive"`` and
``"BBB"`` matches neither ``"BBB+"`` nor ``"BBB-"`` (their loose forms collide, so the loose form is not used).

An answer that is not a label is looked at token by token: two or more labels mentioned (``"A or B"``,
``"A/B"``, ``"A, B"``) or the words *both* / *either* anywhere make it a hedge; a retraction (``"A, actually no"``)
makes it conflicting; a negation anywhere outside a label's own spelling (``"not A"``, ``"non-A"``, ``"isn't A"``,
``"not dosage-sensitive"``) means it names no label (no answer); otherwise a single label mentioned among other
words is a format error in strict mode and that label in lenient mode.
"""

from __future__ import annotations

import re
from typing import Any

from biorft.graders._rt.text import clip, is_refusal, json_or_none, negated, norm_loose, norm_strong, retraction

_HEDGE_WORDS = frozenset({"both", "either"})
_SET_HEDGE_WORDS = frozenset({"or", "either", "maybe", "possibly", "perhaps"})
_NONE_WORDS = frozenset({"none", "no labels", "no label", "nothing", "empty", "[]", "n/a", "na", "null"})
_STRONG_SPLIT_RE = re.compile(r"[\s/,;|&()\[\]{}<>]+")
_TOKEN_STRIP = "\"'`*_.,;:!?()[]{}<>\u2018\u2019\u201c\u201d"
_SET_SPLIT_RE = re.compile(r"[,;|]| (?:and|&) ", re.IGNORECASE)  # applied to whitespace-collapsed text
_CACHE_MAX = 4096


def _strong_tokens(text: str) -> list[str]:
    """Tokens that keep ``+`` / ``-`` (``"BBB+/BBB-"`` -> ``["bbb+", "bbb-"]``)."""
    out = []
    for token in _STRONG_SPLIT_RE.split(norm_strong(text)):
        token = token.strip(_TOKEN_STRIP)
        if token:
            out.append(token)
    return out


class LabelTable:
    """Lookup structures for one label vocabulary (built once per grader)."""

    def __init__(self, labels: list[str], synonyms: dict[str, list[str]]) -> None:
        self.labels = list(labels)
        self.strong: dict[str, str] = {}
        loose: dict[str, str | None] = {}
        for label in self.labels:
            for form in [label, *synonyms.get(label, [])]:
                key = norm_strong(form)
                if key and self.strong.setdefault(key, label) != label:
                    self.strong[key] = ""  # shared by two labels: never matches
                lkey = norm_loose(form)
                if lkey:
                    loose[lkey] = label if loose.get(lkey, label) == label else None
        self.loose = {k: v for k, v in loose.items() if v is not None and self.strong.get(k) != ""}
        # Mention index: first token -> [(token sequence, label)], over strong-token and loose-token forms.
        self.mentions: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for key, label in self.strong.items():
            if label:
                self._index(tuple(_strong_tokens(key)), label)
        for key, owner in loose.items():
            if owner is not None:
                self._index(tuple(key.split()), owner)
        self._cache: dict[str, tuple[str | None, str, str]] = {}
        self._gold: dict[str, str | None] = {}

    def _index(self, tokens: tuple[str, ...], label: str) -> None:
        if tokens:
            entries = self.mentions.setdefault(tokens[0], [])
            if (tokens, label) not in entries:
                entries.append((tokens, label))

    def lookup(self, text: str) -> str | None:
        """The label that ``text`` is (by strong, then loose, normal form), else ``None``."""
        label = self.strong.get(norm_strong(text))
        if label:
            return label
        if label is None:
            return self.loose.get(norm_loose(text))
        return None

    def lookup_cached(self, text: str) -> str | None:
        """`lookup` with a bounded cache (reference labels repeat across items)."""
        try:
            return self._gold[text]
        except KeyError:
            pass
        if len(self._gold) >= _CACHE_MAX:
            self._gold.clear()
        label = self._gold[text] = self.lookup(text)
        return label

    def mentioned(self, text: str) -> tuple[set[str], list[str], bool]:
        """Labels mentioned in ``text`` (whole token sequences), its loose tokens, and whether it negates.

        A negation word outside every mention negates (``"not A"``); one inside a label's own spelling
        (``"non-methylated"``) does not.
        """
        found: set[str] = set()
        loose_tokens = norm_loose(text).split()
        covered: set[int] = set()
        for tokens in (_strong_tokens(text), loose_tokens):
            for i, token in enumerate(tokens):
                entries = self.mentions.get(token)
                if not entries:
                    continue
                for seq, label in entries:
                    if tuple(tokens[i : i + len(seq)]) == seq:
                        found.add(label)
                        if tokens is loose_tokens:
                            covered.update(range(i, i + len(seq)))
        negation = negated([t for i, t in enumerate(loose_tokens) if i not in covered])
        return found, loose_tokens, negation

    def match(self, text: str, lenient: bool) -> tuple[str | None, str, str]:
        """Map one answer string to ``(label, reason, detail)``; reason ``""`` means matched."""
        cache_key = ("L" if lenient else "S") + text
        hit = self._cache.get(cache_key)
        if hit is not None:
            return hit
        result = self._match(text, lenient)
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[cache_key] = result
        return result

    def _match(self, text: str, lenient: bool) -> tuple[str | None, str, str]:
        if not norm_strong(text):
            return None, "no_answer", "the answer is empty"
        label = self.lookup(text)
        if label is not None:
            return label, "", ""
        if is_refusal(text):
            return None, "no_answer", f"the answer declines to answer: {clip(text)!r}"
        found, tokens, negation = self.mentioned(text)
        if len(found) >= 2:
            return None, "hedged", f"the answer names several labels: {sorted(found)}"
        if _HEDGE_WORDS.intersection(tokens):
            return None, "hedged", "the answer hedges (both / either)"
        cue = retraction(text)
        if cue:
            return None, "conflicting", f"the answer retracts itself ({cue!r}): state one label"
        if negation:
            return None, "no_answer", f"the answer negates instead of naming a label: {clip(text)!r}"
        if len(found) == 1:
            (only,) = found
            if lenient:
                return only, "", ""
            return None, "format_error", f"the answer is not exactly a label (it mentions {only!r} among other words)"
        return None, "incorrect", f"{clip(text)!r} is not one of the labels {self.labels}"


def answer_text(value: Any) -> tuple[str | None, str, str]:
    """A single answer value as text: ``(text, reason, detail)``; lists of several values are hedges."""
    if value is None:
        return None, "no_answer", "the answer is null"
    if isinstance(value, str):
        return value, "", ""
    if isinstance(value, bool):
        return ("true" if value else "false"), "", ""
    if isinstance(value, (int, float)):
        return repr(value), "", ""
    if isinstance(value, list):
        if len(value) == 1:
            return answer_text(value[0])
        if not value:
            return None, "no_answer", "the answer is an empty list"
        return None, "hedged", f"the answer lists {len(value)} values"
    return None, "format_error", f"the answer is a {type(value).__name__}, not a label"


def match_label(table: LabelTable, value: Any, lenient: bool) -> tuple[str | None, str, str]:
    """Map one extracted answer value to ``(label, reason, detail)`` (reason ``""`` when it is a label)."""
    text, reason, detail = answer_text(value)
    if text is None:
        return None, reason, detail
    return table.match(text, lenient)


def match_label_set(table: LabelTable, value: Any, lenient: bool) -> tuple[frozenset[str] | None, str, str]:
    """Map an extracted multilabel answer to ``(labels, reason, detail)``; unknown entries are kept as ``"?x"``.

    Accepts a JSON list, a JSON list inside a string, or a string separated by ``, ; |`` newlines or *and*; an empty
    list or *none* is the empty set. Unknown entries stay in the set (prefixed ``?``) so that they count as false
    positives.
    """
    if value is None:
        return None, "no_answer", "the answer is null"
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            parsed = json_or_none(text)
            if isinstance(parsed, list):
                value = parsed
    if isinstance(value, str):
        if not norm_strong(value):
            return None, "no_answer", "the answer is empty"
        if norm_strong(value) in _NONE_WORDS:
            return frozenset(), "", ""
        whole = table.lookup(value)
        if whole is not None:
            return frozenset((whole,)), "", ""
        if is_refusal(value):
            return None, "no_answer", f"the answer declines to answer: {clip(value)!r}"
        cue = retraction(value)
        if cue:
            return None, "conflicting", f"the answer retracts itself ({cue!r}): state one list of labels"
        collapsed = " ".join(value.replace("\n", ",").split())
        parts: list[Any] = [p for p in _SET_SPLIT_RE.split(collapsed) if p.strip()]
    elif isinstance(value, list):
        parts = value
    else:
        single, reason, detail = answer_text(value)
        if single is None:
            return None, reason, detail
        parts = [single]
    out: set[str] = set()
    for part in parts:
        entry, _, _ = answer_text(part)
        if entry is None or not norm_strong(entry):
            continue
        label = table.lookup(entry)
        if label is None:
            found, tokens, negation = table.mentioned(entry)
            if negation:
                return None, "no_answer", f"the answer negates instead of listing labels: {clip(entry)!r}"
            if len(found) > 1 or not _SET_HEDGE_WORDS.isdisjoint(tokens):
                return None, "hedged", f"the answer hedges between labels: {clip(entry)!r}"
            if lenient and len(found) == 1:
                label = next(iter(found))
        out.add(label if label is not None else "?" + norm_strong(entry))
    return frozenset(out), "", ""


def exact_label_set(table: LabelTable, value: Any) -> tuple[frozenset[str] | None, str, str]:
    """`match_label_set` in strict mode, accepting only answers whose every entry is exactly a label."""
    labels, reason, detail = match_label_set(table, value, False)
    if labels is not None and any(label.startswith("?") for label in labels):
        return None, "no_answer", f"{clip(value)!r} is not exactly a list of labels"
    return labels, reason, detail


def set_score(
    predicted: frozenset[str],
    gold: frozenset[str],
    known: frozenset[str] | None,
    metric: str,
    labels: list[str] | None = None,
    prevalence: dict[str, float] | None = None,
) -> tuple[float, str]:
    """Score a predicted label set against ``gold``, restricted to the ``known`` (measured) labels when given.

    ``"f1"`` / ``"jaccard"``: F1 or Jaccard of the sets; unknown entries (``"?x"``) count as false positives; labels
    outside ``known`` are not scored; an empty prediction against an empty gold scores 1.

    ``"balanced"``: the mean, over the measured labels (all ``labels`` when ``known`` is ``None``), of a per-label
    credit: 1 for a right call; for a wrong one, 1 minus a penalty chosen from the label's prevalence ``p`` so that
    a "positive" call and a "negative" call earn the same expected credit (``p * fn_penalty == (1 - p) *
    fp_penalty``, the larger penalty being 1). Every fixed answer then earns the same expected reward, which is what
    random draws at the label prevalences earn; only telling examples apart pays more. An entry that is not a
    label scores the answer 0.
    """
    if known is not None:
        gold = gold & known
    if metric == "balanced":
        measured = sorted(known) if known is not None else list(labels or ())
        unknown = sorted(p[1:] for p in predicted if p.startswith("?"))
        if unknown:
            return 0.0, f"not labels: {clip(unknown)}"
        if not measured:
            return 1.0, "no labels measured"
        credit = 0.0
        fp = fn = 0
        rates = prevalence or {}
        for label in measured:
            said, true = label in predicted, label in gold
            if said == true:
                credit += 1.0
                continue
            p = min(1.0, max(0.0, float(rates.get(label, 0.5))))
            if true:
                fn += 1
                credit += 1.0 - (min(1.0, (1.0 - p) / p) if p > 0.0 else 1.0)
            else:
                fp += 1
                credit += 1.0 - (min(1.0, p / (1.0 - p)) if p < 1.0 else 1.0)
        return credit / len(measured), f"{len(measured)} measured labels: fp={fp} fn={fn}"
    if known is not None:
        predicted = frozenset(p for p in predicted if p in known or p.startswith("?"))
    tp = len(predicted & gold)
    fp = len(predicted - gold)
    fn = len(gold - predicted)
    if tp + fp + fn == 0:
        return 1.0, "no labels expected and none given"
    score = (2 * tp) / (2 * tp + fp + fn) if metric == "f1" else tp / (tp + fp + fn)
    return score, f"tp={tp} fp={fp} fn={fn}"
