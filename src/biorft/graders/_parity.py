"""Parity check: an exported grader source, run in a separate clean interpreter, scores like the in-process grader.

The one implementation behind ``biorft demo``, the ``custom_grader.py`` example and any user's own check before an
RFT job: the same promise the parity tests make (one grader source serves every place).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ParityMismatch", "ParityReport", "check_parity"]

# Runs in a separate, isolated interpreter (python -I): loads the exported module by path, refuses one that imports
# biorft (it would not be self-contained on OpenAI's grader image), and prints its scores as JSON.
_SCRIPT = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("exported_grader", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
if "biorft" in sys.modules:
    sys.exit("the exported grader imported biorft: it is not self-contained")
cases = json.load(open(sys.argv[2], encoding="utf-8"))
print(json.dumps([float(module.grade(c["sample"], c["item"])) for c in cases]))
"""


@dataclass(frozen=True)
class ParityMismatch:
    """One case the exported source scored differently."""

    item_id: Any
    sample: Any
    in_process: float
    exported: float

    def __str__(self) -> str:
        return f"{self.item_id}: in-process {self.in_process} != exported {self.exported} for {self.sample!r}"


@dataclass(frozen=True)
class ParityReport:
    """The outcome of `check_parity`: the cases compared, the mismatches, or why the source did not run."""

    n_cases: int
    mismatches: tuple[ParityMismatch, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the source ran and every case scored exactly the same."""
        return self.error is None and not self.mismatches

    @property
    def n_identical(self) -> int:
        """Cases scored identically (0 when the source did not run)."""
        return 0 if self.error is not None else self.n_cases - len(self.mismatches)

    def __str__(self) -> str:
        if self.error is not None:
            return f"parity: the exported grader source failed to run: {self.error}"
        return f"parity: {self.n_identical}/{self.n_cases} cases scored identically by the exported source"


def check_parity(
    grader: Callable[[Any, Any], float],
    cases: Sequence[Mapping[str, Any]],
    *,
    source: str | None = None,
    workdir: str | Path | None = None,
    timeout: float = 300.0,
) -> ParityReport:
    """Score ``cases`` in-process and with the exported source in a clean interpreter (``python -I -B``); compare.

    Scores must be equal exactly (they are the same code on the same input). The exported module must not import
    biorft.

    Args:
        grader: The in-process grader, called as ``grader(sample, item)``.
        cases: Dicts with ``"sample"`` and ``"item"`` (JSON-serialisable).
        source: The exported module text; ``grader.to_source()`` when None.
        workdir: Where to write ``exported_grader.py`` and ``cases.json`` (a temporary folder when None).
        timeout: Seconds the clean interpreter may take.

    Returns:
        A `ParityReport`; ``report.ok`` is True when every case matched.

    Examples:
        >>> from biorft.graders import LabelGrader
        >>> g = LabelGrader(["BBB+", "BBB-"])
        >>> cases = [{"sample": {"output_text": t}, "item": {"id": "m1", "target": "BBB+"}}
        ...          for t in ("Answer: BBB+", "Answer: BBB-", "no idea")]
        >>> report = check_parity(g, cases)
        >>> report.ok, str(report)
        (True, 'parity: 3/3 cases scored identically by the exported source')
    """
    text = source if source is not None else grader.to_source()  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(workdir) if workdir is not None else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        source_file, cases_file = folder / "exported_grader.py", folder / "cases.json"
        source_file.write_text(text, encoding="utf-8")
        cases_file.write_text(json.dumps(list(cases)), encoding="utf-8")
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-B", "-c", _SCRIPT, str(source_file.resolve()), str(cases_file.resolve())],
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return ParityReport(len(cases), error=f"no answer within {timeout:g} s")
    if done.returncode != 0:
        return ParityReport(len(cases), error=(done.stderr.strip().splitlines() or ["no output"])[-1])
    exported = json.loads(done.stdout)
    mismatches = []
    for case, theirs in zip(cases, exported, strict=True):
        ours = float(grader(case["sample"], case["item"]))
        if ours != theirs:
            item = case["item"]
            item_id = item.get("id") if isinstance(item, Mapping) else None
            mismatches.append(ParityMismatch(item_id, case["sample"], ours, theirs))
    return ParityReport(len(cases), tuple(mismatches))
