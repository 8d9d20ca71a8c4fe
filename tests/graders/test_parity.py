"""Parity: every exported grader, run in a clean interpreter where biorft is not importable, scores exactly like
the in-process grader (score, reason, answer, confidence) on hypothesis-generated (sample, item) pairs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biorft.graders import Grader
from tests.graders.catalogue import KIND_OF, catalogue, items, samples
from tests.graders.clean import CleanInterpreter, jsonable

GRADERS = catalogue()


@pytest.fixture(scope="module")
def clean() -> Iterator[CleanInterpreter]:
    interpreter = CleanInterpreter(sys.executable)
    for key, grader in GRADERS.items():
        interpreter.load(key, grader.to_source())
    yield interpreter
    interpreter.close()


def expected(grader: Grader, sample: Any, item: Any) -> dict[str, Any]:
    result = grader.explain(sample, item)
    return {
        "score": result.score,
        "type": "float",
        "reason": result.reason.value,
        "answer": jsonable(result.answer),
        "confidence": result.confidence,
    }


def test_clean_interpreter_cannot_import_biorft(clean: CleanInterpreter) -> None:
    # The runner refuses to start when biorft is importable; check its path holds no checkout or site-packages.
    assert not any("site-packages" in p or p.endswith("/src") for p in clean.sys_path)
    assert clean.versions["rdkit"] is not None


def test_catalogue_covers_every_node_type() -> None:
    types = set()

    def walk(cfg: dict[str, Any]) -> None:
        types.add(cfg["type"])
        for key in ("gate", "grader"):
            if key in cfg:
                walk(cfg[key])
        for part in cfg.get("parts", []):
            walk(part["grader"] if "grader" in part else part)

    for grader in GRADERS.values():
        walk(grader.config)
    assert types == {"label", "set", "number", "molecule", "valid_molecule", "format", "weighted", "gate", "min", "max"}


@pytest.mark.parametrize("key", sorted(GRADERS))
def test_parity(clean: CleanInterpreter, key: str) -> None:
    grader = GRADERS[key]
    kind = KIND_OF[key]

    @given(sample=samples(kind), item=items(kind))
    def check(sample: Any, item: Any) -> None:
        got = clean.grade(key, sample, item)
        assert got == expected(grader, sample, item)

    check()


@given(st.sampled_from(sorted(GRADERS)), st.text(max_size=200))
def test_parity_on_arbitrary_text(clean: CleanInterpreter, key: str, text: str) -> None:
    item = {"target": "BBB+"}
    assert clean.grade(key, {"output_text": text}, item) == expected(GRADERS[key], {"output_text": text}, item)
