"""The built distributions hold what a user needs and nothing else.

The sdist and wheel are built from this checkout with ``python -m build --no-isolation`` (``build`` and
``hatchling`` come with the dev extra; no network), or taken from ``BIORFT_DIST`` (a folder holding one of each),
which ``.ci/run`` sets to the files it then installs into a fresh venv.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from biorft._version import __version__

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "biorft"
MAX_WHEEL_BYTES = 5_000_000  # compressed; 1.3 MB at 0.2.0, most of it the bundled parquet files
MAX_UNPACKED_BYTES = 20_000_000


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("BIORFT_DIST")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    hint = "python -m build failed (pip install -e '.[dev]' installs build and hatchling)"
    assert proc.returncode == 0, f"{hint}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
    return out


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {folder}, found {[p.name for p in found]}"
    return found[0]


@pytest.fixture(scope="module")
def wheel(dist: Path) -> zipfile.ZipFile:
    path = _one(dist, "biorft-*.whl")
    assert path.name == f"biorft-{__version__}-py3-none-any.whl"
    return zipfile.ZipFile(path)


def _package_files() -> set[str]:
    """Every file of the source package, as a wheel path (``biorft/...``), bytecode caches excluded."""
    return {
        "biorft/" + p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_wheel_holds_the_whole_package_with_its_data_and_nothing_else(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    dist_info = f"biorft-{__version__}.dist-info/"
    package = {n for n in names if not n.startswith(dist_info)}
    assert package == _package_files()
    assert "biorft/py.typed" in names
    assert "biorft/datasets/data/NOTICE" in names
    assert "biorft/datasets/data/index.json" in names
    assert any(n.startswith("biorft/datasets/data/genes/") and n.endswith(".parquet") for n in names)
    assert any(n.startswith("biorft/datasets/data/molecules/") and n.endswith(".parquet") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if re.match(r"(tests|examples|benchmarks|docs)/", n)]


def test_wheel_carries_the_licences(wheel: zipfile.ZipFile) -> None:
    licences = {n.split("/licenses/", 1)[1] for n in wheel.namelist() if "/licenses/" in n}
    assert licences == {"LICENSE", "src/biorft/datasets/data/NOTICE"}
    notice = wheel.read("biorft/datasets/data/NOTICE").decode()
    assert notice == (PACKAGE / "datasets" / "data" / "NOTICE").read_text(encoding="utf-8")


def test_wheel_size_is_bounded(wheel: zipfile.ZipFile) -> None:
    assert Path(str(wheel.filename)).stat().st_size < MAX_WHEEL_BYTES
    assert sum(i.file_size for i in wheel.infolist()) < MAX_UNPACKED_BYTES


def test_wheel_metadata_declares_what_the_demo_needs(wheel: zipfile.ZipFile) -> None:
    meta = Parser().parsestr(wheel.read(f"biorft-{__version__}.dist-info/METADATA").decode())
    assert meta["Name"] == "biorft"
    assert meta["Version"] == __version__
    assert meta["Requires-Python"] == ">=3.10"
    core = {re.split(r"[<>=!~ \[;]", r, maxsplit=1)[0] for r in meta.get_all("Requires-Dist") if "extra ==" not in r}
    # the demo (baselines, plot) runs on a plain install; no development tool is a runtime dependency
    assert {"pydantic", "polars", "rdkit", "openai", "numpy", "scikit-learn", "matplotlib"} <= core
    assert not core & {"pytest", "hypothesis", "mypy", "ruff", "build", "twine", "hatchling", "torch", "trl"}
    entry_points = wheel.read(f"biorft-{__version__}.dist-info/entry_points.txt").decode()
    assert "biorft = biorft.cli:_entry" in entry_points


def test_sdist_builds_the_same_project(dist: Path) -> None:
    path = _one(dist, "biorft-*.tar.gz")
    assert path.name == f"biorft-{__version__}.tar.gz"
    with tarfile.open(path) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    # what the test suite reads besides the package: running the tests from an unpacked sdist works
    for needed in ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "mkdocs.yml", "src/biorft/py.typed"):
        assert needed in names
    for needed in (".ci/run", ".ci/smoke.py", ".ci/release_check.py", ".github/workflows/release.yml"):
        assert needed in names
    assert "src/biorft/datasets/data/NOTICE" in names
    assert {f"src/{p}" for p in _package_files()} <= names
    assert not [n for n in names if re.match(r"(\.venv|site|biorft-demo|dist)/", n) or "__pycache__" in n]
