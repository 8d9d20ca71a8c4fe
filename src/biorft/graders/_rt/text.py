"""Text normalisation shared by the grader runtime: NFKC, casefold, whitespace and punctuation folding.

Two normal forms are used to match answers against a vocabulary:

- `norm_strong` keeps every character that can tell two labels apart (``"BBB+"`` vs ``"BBB-"``) and only
  folds case, unicode compatibility forms, whitespace runs and decoration around the answer (quotes, markdown
  emphasis, backticks, a trailing full stop);
- `norm_loose` additionally turns every non-alphanumeric character into a space, so ``"Dosage-Sensitive"``,
  ``"dosage_sensitive"`` and ``"dosage sensitive"`` meet. Loose forms that two labels share are ambiguous and are
  never used for matching (see ``labels.py``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

# Characters stripped from both ends of an answer: whitespace, quotes, markdown emphasis / code, sentence punctuation.
_TOKEN_RE = re.compile(r"[^\W_]+")
_STRIP_CHARS = " \t\r\n\f\v\"'`*_.,;:!?\u00a0\u2018\u2019\u201c\u201d\u00ab\u00bb"
# A refusal to answer, read on the loose form (lower case, punctuation as spaces) of at most _REFUSAL_MAX characters:
# an optional apology / "I", then a phrase that says the answer is not known. Anchored, no nested quantifiers.
_REFUSAL_RE = re.compile(
    r"(?:sorry |unfortunately )?(?:i |we |it )?(?:am |is |are )?(?:"
    r"no idea|unknown|unsure|not sure|uncertain|undetermined|indeterminate|unclear|not known|"
    r"(?:do|did) ?n ?o?t know|dont know|don t know|"
    r"(?:can ?not|can t|cant|could ?not|couldn t|am unable to|unable to|is impossible to|impossible to) "
    r"(?:tell|say|determine|decide|answer|know|predict|be determined|be sure)|"
    r"cannot be determined|can t be determined|not enough (?:information|data)|insufficient (?:information|data)|"
    r"no answer|none of the above|pass|skip"
    r")(?: |$)"
)
_REFUSAL_MAX = 300
# A retraction or correction of an answer already given ("Actually no, it is B", "wait", "scratch that"), read on the
# folded text; alternatives without nested quantifiers, so one pass is linear in the text.
_RETRACTION_RE = re.compile(
    r"\b(?:actually|wait|correction|corrected|scratch that|on second thought|on reflection|on further reflection|"
    r"i mean|i meant|i was wrong|i take (?:that|it) back|never ?mind|reconsider|reconsidering|retract|retracted|"
    r"change my answer|changed my answer|revised answer|revise my answer|or rather|instead|oops|my mistake|"
    r"not quite|hmm+|make that|let me correct)\b|(?:^|[.!?;:]\s*)no\s*[,.!:;\u2014-]",
    re.IGNORECASE | re.MULTILINE,
)
NEGATION_WORDS = frozenset(
    {
        "not",
        "non",
        "no",
        "never",
        "neither",
        "nor",
        "without",
        "except",
        "isn",
        "isnt",
        "aren",
        "arent",
        "doesn",
        "doesnt",
        "don",
        "dont",
        "didn",
        "didnt",
        "wasn",
        "wasnt",
        "weren",
        "werent",
        "won",
        "wont",
        "cannot",
        "cant",
        "unlikely",
        "hardly",
    }
)
"""Loose tokens that negate what follows (``"not BBB+"``, ``"isn't permeable"``, ``"non-toxic"``)."""
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def nfkc_casefold(text: str) -> str:
    """NFKC-normalise and casefold ``text`` (ASCII text takes a quick path)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def norm_strong(text: str) -> str:
    """Case / unicode / whitespace-folded form that keeps label-distinguishing punctuation such as ``+`` and ``-``."""
    folded = nfkc_casefold(text)
    return " ".join(folded.split()).strip(_STRIP_CHARS)


def loose_tokens(text: str) -> list[str]:
    """Alphanumeric tokens of the folded text: every other character separates tokens."""
    folded = nfkc_casefold(text)
    return _TOKEN_RE.findall(folded)


def norm_loose(text: str) -> str:
    """The folded text with punctuation, hyphens and underscores turned into single spaces."""
    return " ".join(loose_tokens(text))


def is_refusal(text: str) -> bool:
    """Whether ``text`` declines to answer (``"No idea"``, ``"I cannot tell."``, ``"unknown"``, ``"not sure, ..."``).

    Callers check their exact vocabulary first, so a task whose label is ``"unknown"`` still matches it.
    """
    if len(text) > _REFUSAL_MAX:
        return False
    folded = nfkc_casefold(text)
    first = _TOKEN_RE.search(folded)
    if first is None or not "a" <= folded[first.start()] <= "z":
        return False  # every refusal phrase starts with a letter: a number ("-3.2 mg") is never one
    return _REFUSAL_RE.match(" ".join(_TOKEN_RE.findall(folded))) is not None


def retraction(text: str) -> str:
    """The first retraction / correction phrase in ``text`` (``"actually"``, ``"wait"``, ``"no,"``), else ``""``.

    An answer followed by one of these is not the model's final word: strict and lenient graders alike score it 0
    (reason ``conflicting``).
    """
    match = _RETRACTION_RE.search(text)
    return "" if match is None else match.group().strip()


def negated(tokens: list[str]) -> bool:
    """Whether any of the loose ``tokens`` is a negation word (see `NEGATION_WORDS`)."""
    return not NEGATION_WORDS.isdisjoint(tokens)


def without_surrogates(text: str) -> str:
    """``text`` with lone surrogate code points (which no codec can encode) replaced by U+FFFD."""
    if text.isascii():
        return text
    return _LONE_SURROGATE_RE.sub("\ufffd", text)


def clip(value: Any, limit: int = 60) -> str:
    """``value`` (its ``repr`` unless a str) cut to ``limit`` characters for messages."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_or_none(text: str) -> Any:
    """``json.loads(text)``, or ``None`` when ``text`` is not JSON (or nests too deeply to parse)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
