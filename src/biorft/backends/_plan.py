"""``SubmissionPlan``: what [OpenAIRFT.submit][biorft.backends.openai_rft.OpenAIRFT.submit] would send (a dry run)."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PlannedUpload", "SubmissionPlan"]


@dataclass(frozen=True)
class PlannedUpload:
    """One file a submission would upload (purpose ``fine-tune``).

    Attributes:
        role: ``"training_file"`` or ``"validation_file"``: the job-create parameter it fills.
        path: The local JSONL file.
        filename: The name it would be uploaded under (content-tagged, so re-uploads are recognised).
        sha256: Hex digest of the exact bytes.
        bytes: Size in bytes.
        lines: Number of examples (JSONL lines).
        file_id: The id of an earlier upload of the same bytes to the same endpoint, from the local upload registry
            (a real submission checks with the service that it still exists); ``None`` when it would be uploaded.

    Examples:
        >>> PlannedUpload("training_file", Path("train.jsonl"), "train-0123456789ab.jsonl", "0123456789ab", 10, 1,
        ...               None).placeholder
        '<upload of train.jsonl, sha256 0123456789ab>'
    """

    role: str
    path: Path
    filename: str
    sha256: str
    bytes: int
    lines: int
    file_id: str | None

    @property
    def placeholder(self) -> str:
        """What stands for the file id in the planned request while the file is not uploaded."""
        return f"<upload of {self.path.name}, sha256 {self.sha256}>"


@dataclass(frozen=True)
class SubmissionPlan:
    """The outcome of ``OpenAIRFT.submit(..., dry_run=True)``: every local check passed, nothing was sent.

    Attributes:
        request: The exact keyword arguments of ``client.fine_tuning.jobs.create`` (``model``, ``training_file``,
            ``validation_file``, ``method`` with the grader and hyperparameters, ``metadata``, ``suffix``,
            ``seed``). A file not uploaded yet appears as its `PlannedUpload.placeholder`.
        files: The two files, with their sha256.
        grader_name: The grader's name.
        audit: The reward-hacking audit run before planning (an [AuditResult][biorft._audit.AuditResult]), if any.

    Examples:
        >>> plan = SubmissionPlan({"model": "o4-mini-2025-04-16", "method": {"type": "reinforcement",
        ...     "reinforcement": {"grader": {"type": "python", "name": "g", "source": "def grade(s, i): ..."}}}},
        ...     (), "g")
        >>> json.loads(plan.to_json())["method"]["reinforcement"]["grader"]["source"]
        '<20 characters of python, sha256 67ebff4d0a6f...>'
    """

    request: dict[str, Any]
    files: tuple[PlannedUpload, ...]
    grader_name: str
    audit: Any = None

    @property
    def uploads_needed(self) -> tuple[PlannedUpload, ...]:
        """The files that a real submission would upload (no earlier upload of the same bytes is known)."""
        return tuple(f for f in self.files if f.file_id is None)

    def to_json(self, *, full_source: bool = False, indent: int | None = 2) -> str:
        """The request as JSON; python grader sources are shortened to their size and hash unless ``full_source``.

        Args:
            full_source: Keep grader sources in full.
            indent: JSON indentation.

        Returns:
            The JSON text.
        """
        request = copy.deepcopy(self.request)
        if not full_source:
            _shorten_sources(request.get("method"))
        return json.dumps(request, indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        lines = [f"dry run: no file uploaded and no job created (grader {self.grader_name!r})"]
        for f in self.files:
            state = f"reuses {f.file_id}" if f.file_id else "would be uploaded"
            lines.append(f"  {f.role}: {f.path} ({f.lines} lines, {f.bytes} bytes, sha256 {f.sha256}): {state}")
        if self.audit is not None:
            lines.append(self.audit.summary())  # the table: ``plan.audit.table()``
        lines.append("request (POST /fine_tuning/jobs):")
        lines.append(self.to_json())
        return "\n".join(lines)


def _shorten_sources(node: Any) -> None:
    if isinstance(node, dict):
        source = node.get("source")
        if node.get("type") == "python" and isinstance(source, str):
            digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
            node["source"] = f"<{len(source)} characters of python, sha256 {digest}...>"
        for value in node.values():
            _shorten_sources(value)
    elif isinstance(node, list):
        for value in node:
            _shorten_sources(value)
