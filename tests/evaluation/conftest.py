"""Fixtures shared by the evaluation tests: a small binary task and a started fake endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.evaluation._helpers import TinyDataset, binary_spec, make_dataset, scripted_answer
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def ds() -> TinyDataset:
    return make_dataset(binary_spec(), 24)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(scripted_answer) as f:
        yield f
