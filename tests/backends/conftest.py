"""Fixtures for the OpenAI RFT backend tests: a fake server, real SDK clients, an export folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from tests.backends._rft_helpers import Sleeps, make_client, write_export
from tests.fakes._rft import RFTState, rft_state
from tests.fakes.openai_server import FakeOpenAI

from biorft.backends.openai_rft import OpenAIRFT, RetryPolicy


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def state(fake: FakeOpenAI) -> RFTState:
    return rft_state(fake)


@pytest.fixture
def client(fake: FakeOpenAI) -> openai.OpenAI:
    return make_client("openai", fake)


@pytest.fixture(params=["openai", "azure"])
def any_client(request: pytest.FixtureRequest, fake: FakeOpenAI) -> openai.OpenAI:
    """Both client classes the backend must work with (Azure OpenAI serves the same RFT API)."""
    return make_client(request.param, fake)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def rft(client: openai.OpenAI, tmp_path: Path, sleeps: Sleeps) -> OpenAIRFT:
    return OpenAIRFT(client, state_path=tmp_path / "state" / "openai_files.json", retry=RetryPolicy(sleep=sleeps))


@pytest.fixture
def rft_any(any_client: openai.OpenAI, tmp_path: Path, sleeps: Sleeps) -> OpenAIRFT:
    return OpenAIRFT(any_client, state_path=tmp_path / "state" / "openai_files.json", retry=RetryPolicy(sleep=sleeps))


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    return write_export(tmp_path / "export")
