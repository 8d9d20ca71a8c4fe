"""Shared test configuration: hypothesis profiles and paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

_PINS_HELP = (
    "also run the OpenAI grader-image pins parity test (tests/graders/test_pins.py): the first run builds an ~900 MB "
    "venv under ~/.cache/biorft from the package registry (a few minutes); later runs reuse it"
)

_PINS_DESELECTED = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--pins", action="store_true", default=False, help=_PINS_HELP)


def _pins_selected(config: pytest.Config) -> bool:
    """``--pins``, ``BIORFT_RUN_PINS=1`` or a ``-m`` expression naming the marker opts in."""
    markexpr = config.getoption("markexpr", default="") or ""
    return bool(config.getoption("--pins")) or os.environ.get("BIORFT_RUN_PINS") == "1" or "pins" in markexpr


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the ``pins`` tests unless asked for: they download ~900 MB from the package registry."""
    if _pins_selected(config):
        return
    pins = [item for item in items if item.get_closest_marker("pins") is not None]
    if pins:
        config.hook.pytest_deselected(items=pins)
        items[:] = [item for item in items if item.get_closest_marker("pins") is None]
        config.stash[_PINS_DESELECTED] = len(pins)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    n = config.stash.get(_PINS_DESELECTED, 0)
    if n:
        terminalreporter.write_line(
            f"{n} grader-image pins tests deselected (opt in with `pytest --pins`; they build an ~900 MB venv "
            "under ~/.cache/biorft from the package registry)"
        )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The curated source data beside the project (`../shared/data`); skips when absent."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not present beside the checkout")
    return path
