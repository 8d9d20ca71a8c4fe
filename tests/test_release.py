"""The release path: the tag check, the workflow that publishes to PyPI, and the docs page describing it."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from biorft._version import __version__

REPO = Path(__file__).resolve().parents[1]


def release_check() -> Any:
    spec = importlib.util.spec_from_file_location("release_check", REPO / ".ci" / "release_check.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    (tmp_path / "src" / "biorft").mkdir(parents=True)
    shutil.copy(REPO / "src" / "biorft" / "_version.py", tmp_path / "src" / "biorft" / "_version.py")
    shutil.copy(REPO / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    return tmp_path


def test_the_current_version_can_be_tagged() -> None:
    assert release_check().problems(f"v{__version__}") == []


def test_a_tag_that_is_not_the_version_is_refused() -> None:
    (problem,) = release_check().problems("v99.0.0")
    assert f"does not match the package version {__version__!r}" in problem


def test_the_version_needs_its_changelog_section_below_unreleased(repo_copy: Path) -> None:
    check = release_check()
    changelog = repo_copy / "CHANGELOG.md"
    text = changelog.read_text()
    assert text.index("## Unreleased") < text.index(f"## {__version__} ")
    changelog.write_text(text.replace(f"## {__version__} ", "## 0.0.1 "))
    assert check.problems(f"v{__version__}", repo_copy) == [
        f"CHANGELOG.md has no '## {__version__}' section: move the Unreleased lines into one"
    ]
    heading = text.split(f"\n## {__version__} ")[1].split("\n", 1)[0]
    changelog.write_text(f"# Changelog\n\n## {__version__} {heading}\n\n- a: b\n\n## Unreleased\n")
    assert check.problems(f"v{__version__}", repo_copy) == [
        f"CHANGELOG.md: '## Unreleased' must come before '## {__version__}'"
    ]
    changelog.write_text(f"# Changelog\n\n## Unreleased\n\n- x\n\n## {__version__} - 2026-11-29\n\n## 0.1.0\n\n- a\n")
    assert check.problems(f"v{__version__}", repo_copy) == [
        f"CHANGELOG.md: the '## {__version__}' section lists no change"
    ]


def test_release_workflow_publishes_the_tested_dists_with_trusted_publishing() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    trigger = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert trigger == {"push": {"tags": ["v*.*.*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    checks, publish = workflow["jobs"]["checks"], workflow["jobs"]["publish"]

    runs = [step.get("run", "") for step in checks["steps"]]
    assert any(".ci/release_check.py" in r and "GITHUB_REF_NAME" in r for r in runs)
    (ci_step,) = [step for step in checks["steps"] if step.get("run") == "bash .ci/run"]
    assert ci_step["env"]["BIORFT_DIST_OUT"] == "dist"
    assert runs.index("bash .ci/run") > next(i for i, r in enumerate(runs) if "release_check" in r)
    upload = [s for s in checks["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert upload[0]["with"]["path"] == "dist/"

    assert publish["needs"] == "checks"
    assert publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}
    uses = [step.get("uses", "") for step in publish["steps"]]
    assert uses[-1] == "pypa/gh-action-pypi-publish@release/v1"
    assert not any("password" in str(step.get("with", {})) for step in publish["steps"]), "no API token"


def test_the_release_page_is_in_the_docs_nav() -> None:
    nav_text = "nav:\n" + (REPO / "mkdocs.yml").read_text().split("\nnav:\n", 1)[1]  # the rest has python tags
    nav = yaml.safe_load(nav_text)["nav"]
    assert {"Releasing": "release.md"} in nav
    page = (REPO / "docs" / "release.md").read_text()
    assert "release_check.py v" in page
    assert "environment `pypi`" in page
