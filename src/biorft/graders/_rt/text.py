"""Text normalisation shared by the grader runtime: NFKC, casefold, whitespace and punctuation folding.

Two normal forms are used to match answers against a vocabulary:

- :func:`norm_strong` keeps every character that can tell two labels apart (``"BBB+"`` vs ``"BBB-"``) and only
  folds case, unicode compatibility forms, whitespace runs and decoration around the answer (quotes, markdown
  emphasis, backticks, a trailing full stop);
- :func:`norm_loose` additionally turns every non-alphanumeric character into a space, so ``"Dosage-Sensitive"``,
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
