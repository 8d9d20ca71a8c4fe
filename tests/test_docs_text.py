"""The package's docstrings and the docs render as written: no Sphinx roles, no citations of files outside the repo.

mkdocstrings renders Google-style docstrings as Markdown; a Sphinx role (``:class:`X```) shows up raw in the API
reference, so cross-references are written as autorefs links (``[X][biorft.module.X]``). The docs ship without
the project's private design notes, so neither docstrings nor pages may send a reader to them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "src" / "biorft").rglob("*.py"))
PAGES = sorted((ROOT / "docs").rglob("*.md"))
# Code comments in tests, examples and benchmarks point at the docs too, never at files a reader does not have.
OTHER = [
    *sorted(
        p
        for d in ("tests", "examples", "benchmarks")
        for p in (ROOT / d).rglob("*.py")
        if p.name != Path(__file__).name
    ),
    ROOT / "README.md",
    ROOT / "CHANGELOG.md",
]

SPHINX_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|exc|data|obj|const|ref|doc):`[^`]+`")
OUTSIDE_CITATION = re.compile(
    r"RFT_FACTS|ARCHITECTURE\.md|shared/design|\bissue\s*#?\d+|Contract additions", re.IGNORECASE
)


def _offences(pattern: re.Pattern[str], files: list[Path]) -> list[str]:
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = pattern.search(line)
            if match:
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r}")
    return found


def test_patterns_catch_what_they_are_meant_to() -> None:
    assert SPHINX_ROLE.search("see :class:`~biorft.datasets.TaskDataset` and")
    assert SPHINX_ROLE.search(":func:`evaluate`")
    assert SPHINX_ROLE.search(":meth:`OpenAIRFT.submit`")
    assert not SPHINX_ROLE.search("see [TaskDataset][biorft.datasets.TaskDataset]")
    assert OUTSIDE_CITATION.search("the limits (RFT_FACTS)")
    assert OUTSIDE_CITATION.search("as ARCHITECTURE.md says")
    assert OUTSIDE_CITATION.search("see issue 3")
    assert not OUTSIDE_CITATION.search("a tissue 3 mm thick")


def test_there_is_something_to_check() -> None:
    assert len(SOURCES) > 50
    assert len(PAGES) > 10


@pytest.mark.parametrize("files", [SOURCES, PAGES], ids=["src", "docs"])
def test_no_sphinx_roles(files: list[Path]) -> None:
    offences = _offences(SPHINX_ROLE, files)
    assert not offences, "write cross-references as [Name][biorft.module.Name]:\n" + "\n".join(offences)


@pytest.mark.parametrize("files", [SOURCES, PAGES, OTHER], ids=["src", "docs", "tests-examples-benchmarks"])
def test_no_citations_of_files_outside_the_repository(files: list[Path]) -> None:
    offences = _offences(OUTSIDE_CITATION, files)
    assert not offences, "cite public sources or the docs pages instead:\n" + "\n".join(offences)
