r"""Answer extraction: every answer a model output states, in text order, found in linear time.

Sources, in the order they are consulted:

1. ``sample["output_json"]`` (structured outputs): its ``"answer"`` field is the one answer;
2. the whole output being one JSON object (also inside a single ```` ```json ```` fence): its ``"answer"``;
3. otherwise a scan of the text for ``<answer>...</answer>`` tags, ``Answer: ...`` lines (also ``Final answer:``,
   markdown-decorated, after the end of a sentence on the same line, or with the answer on the next line), JSON
   objects holding an ``"answer"`` key (fenced or inline, the last one included) and LaTeX ``\boxed{...}``
   answers (math-tuned models answer that way; ``\text{...}`` and ``$`` inside are unwrapped; a ``\boxed``
   inside a tag or answer line is that answer);
4. a one-line output with none of those markers is itself the answer (``"bare"``); graders count it only when it
   is exactly an answer.

Every scan is a precompiled regular expression without nested quantifiers or a bounded ``str.find`` /
``json.JSONDecoder.raw_decode`` loop, so a 1 MB output costs a few milliseconds. At most `MAX_CANDIDATES`
answers are kept (the last ones); an output with more sets ``overflow``, which strict graders score as conflicting.
A stated confidence comes from the JSON answer object (``"confidence"`` / ``"probability"``) or a
``Confidence: 0.8`` line (``80%`` also reads as 0.8).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from typing import Any, NamedTuple

from biorft.graders._rt.text import json_or_none, retraction, without_surrogates

MAX_CANDIDATES = 64
"""At most this many answers are kept from one output (the last ones)."""

_JSON_LOOKBACK = 8192  # how far before an "answer" key the opening brace of its object may be
_JSON_MAX_OBJECT = 65536  # longest JSON answer object considered, in characters
_JSON_BRACE_TRIES = 8  # opening braces tried per "answer" key
_BARE_MAX = 200  # longest one-line output (or last line, lenient) read as an answer stated without a marker

_DECODER = json.JSONDecoder()
_JSON_KEY_RE = re.compile(r'"answer"\s*:', re.IGNORECASE)
_TAG_OPEN_RE = re.compile(r"<answer\s*>", re.IGNORECASE)
_TAG_CLOSE_RE = re.compile(r"</answer\s*>", re.IGNORECASE)
# An answer marker starts a line, or follows the end of a sentence ("... Answer: X"); the lookbehind has a fixed
# width and no two quantifiers can match the same characters, so a failed match never backtracks more than once.
_LINE_RE = re.compile(
    r"(?:^|(?<=[.!?\u2026)\]][ \t]))[ \t>*#_-]*(?:final[ \t]+)?answer[ \t*_]*[:\uff1a](.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_NEXT_LINE_RE = re.compile(r"[ \t]*\r?\n([^\n]*)")
_CONFIDENCE_RE = re.compile(
    r"^[ \t>*#_-]*confidence[ \t*_]*[:\uff1a][ \t*_]*"
    r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?)[ \t]*(%?)",
    re.IGNORECASE | re.MULTILINE,
)
_CONFIDENCE_KEYS = ("confidence", "probability")
_BOXED_RE = re.compile(r"\\(?:boxed|fbox)[ \t]*\{")
_BOXED_MAX = 1000  # longest boxed answer read, in characters (the closing brace must come within this)
_BRACE_RE = re.compile(r"[{}]")
_LATEX_WRAP_RE = re.compile(r"\\(?:text|textbf|textit|texttt|mathrm|mathbf|mathit|mathtt|operatorname|mbox)[ \t]*\{")
_LATEX_SYMBOLS = (
    ("\\times", "\u00d7"),
    ("\\cdot", "\u00b7"),
    ("\\pm", "\u00b1"),
    ("\\%", "%"),
    ("\\,", " "),
    ("\\;", " "),
    ("\\:", " "),
    ("\\!", ""),
    ("\\ ", " "),
)


class Candidate(NamedTuple):
    """One stated answer: where it came from, where it starts, its raw value and any confidence stated with it."""

    source: str
    pos: int
    value: Any
    confidence: float | None


class Extraction(NamedTuple):
    """Everything extracted from one sample (independent of any grader's configuration).

    ``conflict`` is non-empty when the output contradicts itself in a way no mode may resolve: one JSON object
    giving the answer twice with different values, or an answer followed by a retraction ("Actually no, ...").
    """

    candidates: tuple[Candidate, ...]
    fallback: str | None
    confidence: float | None
    overflow: bool
    note: str
    conflict: str = ""


class _Repeated(dict):  # type: ignore[type-arg]
    """A JSON object that states a key more than once with different values (``clashes``: the key names, folded)."""

    clashes: frozenset[str] = frozenset()


_WATCHED_KEYS = frozenset({"answer", *_CONFIDENCE_KEYS})
_NO_CLASHES: frozenset[str] = frozenset()
_WATCHED_ENDINGS = "rReEyY \t\n\r"  # last characters of the watched keys, padded or not
_ESCAPED_LETTER_RE = re.compile(r"\\u00[4-7][0-9a-fA-F]")  # no serializer escapes ASCII letters; "\u0061nswer" does


def _checked_object(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    """``object_pairs_hook`` noting answer / confidence keys given twice (any case or padding) with different values."""
    obj = dict(pairs)
    seen: dict[str, str] = {}
    clashes = set()
    for key, value in pairs:
        name = key.strip().lower() if isinstance(key, str) else ""
        if name in _WATCHED_KEYS:
            shown = json.dumps(value, sort_keys=True, default=str)
            if seen.setdefault(name, shown) != shown:
                clashes.add(name)
    if not clashes:
        return obj
    out = _Repeated(obj)
    out.clashes = frozenset(clashes)
    return out


_CHECKED_DECODER = json.JSONDecoder(object_pairs_hook=_checked_object)


def _may_repeat(obj: dict[Any, Any], text: str) -> bool:
    """Whether the JSON ``text`` of ``obj`` may give an answer / confidence key twice (then it is parsed again)."""
    if "\\u00" in text and _ESCAPED_LETTER_RE.search(text) is not None:
        return True
    low = text.lower()
    if low.count("answer") < 2 and low.count("confidence") < 2 and low.count("probability") < 2:
        return False  # each watched word written at most once: no key given twice, in any spelling
    names = []
    for key in obj:
        if type(key) is str and key[-1:] in _WATCHED_ENDINGS:
            name = key.strip().lower()
            if name in _WATCHED_KEYS:
                names.append(name)
    if len(set(names)) < len(names):
        return True  # two spellings of one key ("answer", "Answer")
    if text.count('":') == len(obj):
        return False  # as many keys written as read: none written twice (the usual case)
    return any(text.count(f'"{key}"') > 1 for key in obj if type(key) is str and key.strip().lower() in names)


def _loads(text: str) -> Any:
    """``json.loads``, keeping track of answer / confidence keys given twice with different values."""
    if text.startswith("{") and text.endswith("}"):  # an object, no whitespace around it: json.loads, unwrapped
        try:
            obj, end = _DECODER.raw_decode(text)
        except (ValueError, RecursionError):
            return None
        if end != len(text):
            return None
    else:
        obj = json_or_none(text)
    if not isinstance(obj, dict) or not _may_repeat(obj, text):
        return obj
    try:
        return json.loads(text, object_pairs_hook=_checked_object)
    except (ValueError, RecursionError):
        return None


def _clean(value: Any) -> Any:
    """An answer value with lone surrogates replaced in every string (they cannot be encoded, e.g. for RDKit)."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


_EMPTY = Extraction((), None, None, False, "")
_new_tuple = tuple.__new__


def as_confidence(value: Any) -> float | None:
    """A stated confidence as a probability in [0, 1]; ``None`` when it is not one (``"80%"`` reads as 0.8)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1].strip(), 100.0
        if not text or len(text) > 32:
            return None
        try:
            value = float(text) / scale
        except ValueError:
            return None
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isfinite(number) and 0.0 <= number <= 1.0:
            return number
    return None


def _answer_of(obj: dict[Any, Any]) -> tuple[bool, Any, float | None, str]:
    """Whether a JSON object carries an answer, the answer, its stated confidence and any conflict.

    An object that states its answer twice with different values (a repeated key, or ``"answer"`` and
    ``"Answer"``, noted by `_loads`) is a conflict; two different confidences mean no confidence.
    """
    clashes = obj.clashes if type(obj) is _Repeated else _NO_CLASHES
    if "answer" in obj:
        value = obj["answer"]
    else:
        for key in obj:
            if isinstance(key, str) and key.strip().lower() == "answer":
                value = obj[key]
                break
        else:
            return False, None, None, ""
    if "answer" in clashes:
        return True, _clean(value), None, "the JSON object states its answer twice with different values"
    if isinstance(value, str) and "\\" in value:
        boxed = _boxed(value)
        if boxed:
            value = boxed[-1][1]
    confidence = None
    for key in _CONFIDENCE_KEYS:
        if key in obj:
            confidence = None if clashes else as_confidence(obj[key])
            break
    if type(value) is not str or not value.isascii():
        value = _clean(value)
    return True, value, confidence, ""


def _whole_json(text: str) -> dict[Any, Any] | None:
    """The output as one JSON object (optionally in a single fenced block), else ``None``."""
    if text.startswith("```") and text.endswith("```") and len(text) > 6 and text.count("```") == 2:
        inner = text[3:-3]
        newline = inner.find("\n")
        if newline >= 0 and "{" not in inner[:newline]:
            inner = inner[newline + 1 :]
        text = inner.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    obj = _loads(text)
    return obj if isinstance(obj, dict) else None


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing a group opened just before ``start``, within ``_BOXED_MAX`` characters, or -1."""
    depth = 1
    for match in _BRACE_RE.finditer(text, start, start + _BOXED_MAX):
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return match.start()
    return -1


def _unlatex(inner: str) -> str:
    r"""A boxed answer as plain text: ``\text{BBB+}`` -> ``BBB+``, ``3.2 \times 10^{-4}`` -> ``3.2 × 10^-4``."""
    text = _LATEX_WRAP_RE.sub("", inner)
    for command, plain in _LATEX_SYMBOLS:
        if command in text:
            text = text.replace(command, plain)
    return text.replace("{", "").replace("}", "").replace("$", "").strip()


def _boxed(text: str) -> list[tuple[int, str, int]]:
    r"""The closed ``\boxed{...}`` answers of ``text`` as ``(start, answer, end)``: the last ``MAX_CANDIDATES + 1``.

    Finding the openings is one regex pass; each of the (bounded number of) kept ones scans at most ``_BOXED_MAX``
    characters for its closing brace, so the cost is linear in the text. More than ``MAX_CANDIDATES`` marks an
    overflow for the caller.
    """
    opens = list(_BOXED_RE.finditer(text))
    out = []
    for match in opens[-(MAX_CANDIDATES + 1) :]:
        close = _closing_brace(text, match.end())
        if close >= 0:
            out.append((match.start(), _unlatex(text[match.end() : close]), close + 1))
    return out


def _inline_value(raw: str) -> tuple[Any, float | None, str]:
    r"""The answer in a tag or after ``Answer:``: unwraps ``{"answer": ...}``, ``Answer:`` and the last ``\boxed``."""
    value = raw.strip()
    if "\\" in value:
        boxed = _boxed(value)
        if boxed:
            value = boxed[-1][1]
    if value.startswith("{") and value.endswith("}"):
        obj = _loads(value)
        if isinstance(obj, dict):
            found, answer, confidence, conflict = _answer_of(obj)
            if found:
                return answer, confidence, conflict
    match = _LINE_RE.match(value)
    if match is not None and "\n" not in value:
        value = match.group(1).strip()
    return value, None, ""


def _json_candidates(text: str, spans: list[tuple[int, int]]) -> tuple[list[Candidate], bool, int, str]:
    """JSON objects with an ``"answer"`` key that lie outside tag / line answers (which unwrap their own JSON)."""
    keys = [m.start() for m in _JSON_KEY_RE.finditer(text)]
    overflow = len(keys) > MAX_CANDIDATES
    keys = keys[-MAX_CANDIDATES:]
    starts = [a for a, _ in spans]
    seen: set[int] = set()
    out: list[Candidate] = []
    last_end, conflict = -1, ""
    for key_pos in keys:
        i = bisect.bisect_right(starts, key_pos) - 1
        if i >= 0 and spans[i][0] <= key_pos < spans[i][1]:
            continue
        low = max(0, key_pos - _JSON_LOOKBACK)
        brace = text.rfind("{", low, key_pos)
        tries = 0
        while brace >= 0 and tries < _JSON_BRACE_TRIES:
            tries += 1
            if brace in seen:
                break
            try:
                obj, end = _CHECKED_DECODER.raw_decode(text[brace : brace + _JSON_MAX_OBJECT])
            except (ValueError, RecursionError):
                obj, end = None, 0
            if isinstance(obj, dict) and brace + end > key_pos:
                found, value, confidence, clash = _answer_of(obj)
                if found:
                    seen.add(brace)
                    out.append(Candidate("json", brace, value, confidence))
                    last_end = max(last_end, brace + end)
                    conflict = conflict or clash
                    break
            brace = text.rfind("{", low, brace)
    return out, overflow, last_end, conflict


def _inside_json(text: str, json_starts: list[int], pos: int) -> bool:
    """Whether ``pos`` lies inside one of the JSON answer objects starting at ``json_starts`` (a string value)."""
    i = bisect.bisect_right(json_starts, pos) - 1
    if i < 0:
        return False
    brace = json_starts[i]
    try:
        _, end = _DECODER.raw_decode(text[brace : brace + _JSON_MAX_OBJECT])
    except (ValueError, RecursionError):
        return False
    return pos < brace + end


def extract(sample: Any) -> Extraction:
    """Extract every stated answer from ``sample`` (a dict with ``output_text`` / ``output_json``, or a str).

    Never raises for any sample; a sample that is neither a str nor a dict, or has no text, yields no candidates.
    Lone surrogate code points are replaced by U+FFFD first. An answer followed by a retraction ("Actually no, ...")
    or a JSON object stating two different answers sets ``conflict``.
    """
    output_json: Any = None
    if isinstance(sample, str):
        text = sample
    elif isinstance(sample, dict):
        raw_text = sample.get("output_text")
        text = raw_text if isinstance(raw_text, str) else ""
        output_json = sample.get("output_json")
    else:
        return _EMPTY._replace(note=f"sample is a {type(sample).__name__}, not a dict or str")
    if output_json is not None:
        if isinstance(output_json, str):
            output_json = _loads(without_surrogates(output_json))
        if isinstance(output_json, dict):
            found, value, confidence, conflict = _answer_of(output_json)
            if found and len(output_json) > 1:  # already parsed: only differently spelled keys can still disagree
                named = [v for k, v in output_json.items() if isinstance(k, str) and k.strip().lower() == "answer"]
                if len({json.dumps(v, sort_keys=True, default=str) for v in named}) > 1:
                    conflict = "the JSON object states its answer twice with different values"
            if found:
                return Extraction((Candidate("output_json", 0, value, confidence),), None, None, False, "", conflict)

    if not text.isascii():
        text = without_surrogates(text)
    stripped = text.strip()
    if not stripped:
        return _EMPTY._replace(note="the output is empty")
    whole = _whole_json(stripped)
    if whole is not None:
        found, value, confidence, conflict = _answer_of(whole)
        if found:  # the usual output: built with tuple.__new__, which skips the named tuples' keyword handling
            candidate = _new_tuple(Candidate, ("json", 0, value, confidence))
            return _new_tuple(Extraction, ((candidate,), None, None, False, "", conflict))

    candidates: list[Candidate] = []
    spans: list[tuple[int, int]] = []
    conflict = ""
    # <answer>...</answer>: one forward pass; once a closing tag is missing, no later opening tag can close.
    pos = 0
    while True:
        opened = _TAG_OPEN_RE.search(text, pos)
        if opened is None:
            break
        closed = _TAG_CLOSE_RE.search(text, opened.end())
        if closed is None:
            break
        value, confidence, clash = _inline_value(text[opened.end() : closed.start()])
        conflict = conflict or clash
        candidates.append(Candidate("tag", opened.start(), value, confidence))
        spans.append((opened.start(), closed.end()))
        pos = closed.end()
    tag_starts = [a for a, _ in spans]
    for match in _LINE_RE.finditer(text):
        start = match.start()
        i = bisect.bisect_right(tag_starts, start) - 1
        if i >= 0 and spans[i][0] <= start < spans[i][1]:
            continue
        end = match.end()
        raw = match.group(1)
        if not raw.strip(" \t*_`"):
            following = _NEXT_LINE_RE.match(text, end)
            if following is not None and not _LINE_RE.match(following.group(1)):
                raw, end = following.group(1), following.end()
        value, confidence, clash = _inline_value(raw.strip(" \t*_"))
        conflict = conflict or clash
        candidates.append(Candidate("line", start, value, confidence))
        spans.append((start, end))
    spans.sort()
    last_end = spans[-1][1] if spans else -1
    json_found, overflow, json_end, clash = _json_candidates(text, spans)
    conflict = conflict or clash
    last_end = max(last_end, json_end)
    candidates.extend(json_found)
    if "\\" in text:
        boxed = _boxed(text)
        overflow = overflow or len(boxed) > MAX_CANDIDATES
        span_starts = [a for a, _ in spans]
        json_starts = [c.pos for c in json_found]
        for start, value, end in boxed:
            i = bisect.bisect_right(span_starts, start) - 1
            if i >= 0 and spans[i][0] <= start < spans[i][1]:
                continue  # inside a tag / answer line, which read it already
            if json_starts and _inside_json(text, json_starts, start):
                continue
            candidates.append(Candidate("boxed", start, value, None))
            last_end = max(last_end, end)
    candidates.sort(key=lambda c: c.pos)
    if len(candidates) > MAX_CANDIDATES:
        overflow = True
        candidates = candidates[-MAX_CANDIDATES:]

    last_line = stripped.rsplit("\n", 1)[-1].strip()
    fallback = last_line if 0 < len(last_line) <= _BARE_MAX else None
    if not candidates and fallback is not None and "\n" not in stripped:
        candidates.append(Candidate("bare", 0, fallback, None))
    confidences = {as_confidence(m.group(1) + m.group(2)) for m in _CONFIDENCE_RE.finditer(text)}
    confidence_line = confidences.pop() if len(confidences) == 1 else None  # two different ones: none
    if not conflict and last_end >= 0:
        cue = retraction(_CONFIDENCE_RE.sub("", text[last_end:]))
        if cue:
            conflict = f"the answer is followed by a retraction ({cue!r}); end with your final answer"
    return Extraction(tuple(candidates), fallback, confidence_line, overflow, "", conflict)
