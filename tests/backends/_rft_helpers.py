"""Helpers for the OpenAI RFT backend tests: a stub grader, RFT lines and export folders, SDK clients."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
from tests.fakes.openai_server import FakeOpenAI

API_KEY = "sk-test-biorft-0123456789abcdef"

# A real python grader, as biorft.graders exports them: self-contained, never raises, reads item["target"].
CONTAINS_SOURCE = """\
def grade(sample, item):
    try:
        text = sample.get("output_text") or ""
        lines = [line for line in text.splitlines() if line.strip()]
        stated = [line for line in lines if line.lower().startswith("answer:")]
        if len(stated) != 1 or stated[0] != lines[-1]:
            return 0.0  # one answer, on the last line: no hedging across several answer lines
        return 1.0 if stated[0].split(":", 1)[1].strip() == item["target"] else 0.0
    except Exception:
        return 0.0
"""


class StubGrader:
    """The grader contract of biorft.graders: to_openai(), referenced_fields, name (and a local __call__)."""

    def __init__(
        self, source: str = CONTAINS_SOURCE, name: str = "label_match", fields: frozenset[str] = frozenset({"target"})
    ) -> None:
        self.source = source
        self.name = name
        self.referenced_fields = fields

    def to_openai(self) -> dict[str, Any]:
        return {"type": "python", "name": self.name, "source": self.source, "image_tag": "2025-05-08"}

    def __call__(self, sample: Any, item: dict[str, Any]) -> float:
        ns: dict[str, Any] = {}
        exec(self.source, ns)
        return float(ns["grade"](sample if isinstance(sample, dict) else {"output_text": sample}, item))


class Sleeps(list[float]):
    """Records the waits the retry policy asks for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def rft_line(i: int, split: str, target: str = "BBB+") -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "You are a medicinal chemist. End with 'Answer: BBB+' or 'Answer: BBB-'."},
            {"role": "user", "content": f"Does molecule {split}-{i} (C{'C' * i}O) cross the blood-brain barrier?"},
        ],
        "id": f"{split}-{i}",
        "task": "molecules/b3db_bbbp",
        "kind": "binary",
        "entity": "C" * (i + 1) + "O",
        "target": target if i % 2 == 0 else "BBB-",
    }


def write_export(folder: Path, n_train: int = 8, n_valid: int = 4, grader: StubGrader | None = None) -> Path:
    """An export folder as biorft.export.openai_rft writes it: train.jsonl, valid.jsonl, grader.json."""
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("valid", n_valid)):
        lines = [json.dumps(rft_line(i, split), ensure_ascii=False) for i in range(n)]
        (folder / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "grader.json").write_text(json.dumps((grader or StubGrader()).to_openai(), indent=2), encoding="utf-8")
    return folder


def make_client(kind: str, fake: FakeOpenAI, key: str = API_KEY, **kw: Any) -> openai.OpenAI:
    if kind == "azure":
        return openai.AzureOpenAI(base_url=fake.base_url, api_key=key, api_version="2025-04-01-preview", **kw)
    return openai.OpenAI(base_url=fake.base_url, api_key=key, **kw)
