from __future__ import annotations

from typing import Any

import pytest

STUB_SOURCE = '''
import re


def grade(sample, item):
    """Exact-match stub: 1.0 when the final 'Answer:' line equals the target, else 0.0."""
    try:
        text = sample.get("output_text", "") if isinstance(sample, dict) else str(sample)
        found = re.findall(r"Answer:\\s*(.+)", text or "")
        if not found:
            return 0.0
        answer = found[-1].strip()
        target = item["target"]
        if isinstance(target, (int, float)):
            return float(abs(float(answer) - float(target)) <= 0.5)
        if isinstance(target, list):
            got = sorted(a.strip() for a in answer.split(",") if a.strip() and a.strip() != "none")
            return float(got == sorted(target))
        return float(answer == target)
    except Exception:
        return 0.0
'''


class StubGrader:
    """A stand-in for biorft.graders graders (same interface), so export tests need no graders module."""

    name = "stub-exact"

    def __init__(self, fields: frozenset[str] = frozenset({"target"})) -> None:
        self.referenced_fields = fields

    def to_openai(self) -> dict[str, Any]:
        return {"type": "python", "name": self.name, "source": STUB_SOURCE}

    def to_source(self) -> str:
        return STUB_SOURCE


@pytest.fixture
def stub_grader() -> StubGrader:
    return StubGrader()
