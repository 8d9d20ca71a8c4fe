"""Append-only JSONL cache of model responses, one line per (model, params, example, sample).

Every response is written (and flushed) as one line the moment it arrives, so a run that crashes or is
interrupted loses nothing it already paid for, and a rerun with the same settings resumes where it stopped. A run
whose every response is cached re-scores without calling the model.

Each line holds the key (``model``, ``params`` = a digest of the request parameters, example ``id``, ``sample``
index and ``prompt`` = a digest of the messages, so an edited prompt is a cache miss, not a stale hit) and the
response (``text``, ``finish_reason``, token ``usage``, ``latency_s``). One file may hold several models and
settings; a run reads only its own lines. A torn last line (the process died mid-write) is cut off on open;
any other unreadable line is an error that names it.

Examples:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cache.jsonl"
    >>> with ResponseCache(path, model="m", params="p1") as c:
    ...     c.put(CachedResponse(id="e1", sample=0, prompt="abc", text="Answer: yes"))
    >>> ResponseCache(path, model="m", params="p1").get("e1", 0, "abc").text
    'Answer: yes'
    >>> ResponseCache(path, model="m", params="p2").get("e1", 0, "abc") is None
    True
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from biorft.errors import CacheError

__all__ = ["CacheError", "CachedResponse", "ResponseCache", "digest"]

_VERSION = 1


def digest(value: Any) -> str:
    """A short stable digest of a JSON-serialisable value (sorted keys).

    Examples:
        >>> digest({"b": 1, "a": [1, 2]}) == digest({"a": [1, 2], "b": 1})
        True
        >>> len(digest("x"))
        16
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CachedResponse:
    """One cached model response.

    Attributes:
        id: Example id.
        sample: Sample index.
        prompt: Digest of the messages sent.
        text: The output text.
        finish_reason: Why generation stopped, when known.
        prompt_tokens: Input tokens.
        completion_tokens: Output tokens (reasoning included).
        reasoning_tokens: Reasoning tokens, when reported.
        latency_s: Seconds the request took.
    """

    id: str
    sample: int
    prompt: str
    text: str
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    latency_s: float | None = None


class ResponseCache:
    """The lines of one JSONL cache file that belong to one model and parameter set.

    Args:
        path: The cache file; created with its folder on the first write.
        model: Model name, part of every key.
        params: Digest of the request parameters (see `digest`), part of every key.
    """

    def __init__(self, path: str | os.PathLike[str], *, model: str, params: str) -> None:
        self.path = Path(path)
        self.model = model
        self.params = params
        self._entries: dict[tuple[str, str, int], CachedResponse] = {}
        self.n_written = 0
        self._fh: IO[str] | None = None
        self.n_lines = 0
        self.n_other = 0
        self.n_duplicates = 0
        self.torn_line_removed = False
        self._load()

    # -- reading ---------------------------------------------------------------------------------------------
    def _load(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            data = fh.read()
        if not data:
            return
        complete_end = data.rfind(b"\n") + 1
        tail = data[complete_end:]
        if tail.strip():
            # The last line has no newline: the writer died mid-line. Keep it only if it is a whole record.
            try:
                json.loads(tail)
            except ValueError:
                with self.path.open("r+b") as fh:
                    fh.truncate(complete_end)
                self.torn_line_removed = True
                data = data[:complete_end]
            else:
                with self.path.open("ab") as fh:
                    fh.write(b"\n")
                data = data + b"\n"
        for lineno, raw in enumerate(data.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                if not isinstance(line, dict):
                    raise ValueError("not a JSON object")
                key_model, key_params = line["model"], line["params"]
                entry = CachedResponse(
                    id=str(line["id"]),
                    sample=int(line["sample"]),
                    prompt=str(line["prompt"]),
                    text=str(line["text"]),
                    finish_reason=line.get("finish_reason"),
                    prompt_tokens=int(line.get("prompt_tokens", 0)),
                    completion_tokens=int(line.get("completion_tokens", 0)),
                    reasoning_tokens=int(line.get("reasoning_tokens", 0)),
                    latency_s=line.get("latency_s"),
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise CacheError(
                    f"{self.path}, line {lineno}: not a cache record ({exc}); the file is not a biorft response "
                    "cache or was edited: fix or delete that line, or pass another cache path"
                ) from exc
            self.n_lines += 1
            if key_model != self.model or key_params != self.params:
                self.n_other += 1
                continue
            key = (entry.id, entry.prompt, entry.sample)
            if key in self._entries:
                self.n_duplicates += 1
                continue
            self._entries[key] = entry

    def get(self, example_id: str, sample: int, prompt: str) -> CachedResponse | None:
        """The cached response for this example, sample and prompt digest (as read on open), or None."""
        return self._entries.get((example_id, prompt, sample))

    def __len__(self) -> int:
        return len(self._entries) + self.n_written

    # -- writing ---------------------------------------------------------------------------------------------
    def put(self, entry: CachedResponse) -> None:
        """Append one response as one line and flush it to the operating system.

        A response whose key was in the file when it was opened is not written again. Written responses are not
        kept in memory (the runner holds its own records), so the cache costs no memory per new response.
        """
        key = (entry.id, entry.prompt, entry.sample)
        if key in self._entries:
            return
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        line = {
            "v": _VERSION,
            "model": self.model,
            "params": self.params,
            "id": entry.id,
            "sample": entry.sample,
            "prompt": entry.prompt,
            "text": entry.text,
            "finish_reason": entry.finish_reason,
            "prompt_tokens": entry.prompt_tokens,
            "completion_tokens": entry.completion_tokens,
            "reasoning_tokens": entry.reasoning_tokens,
            "latency_s": entry.latency_s,
        }
        self._fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._fh.flush()
        # not kept in memory: a run asks only for what the cache did not hold when it was opened
        self.n_written += 1

    def close(self) -> None:
        """Close the file (reopened on the next write)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
