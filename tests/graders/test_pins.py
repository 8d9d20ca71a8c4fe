"""Exported graders score identically under the OpenAI grader image's package pins (docs/concepts/openai_sandbox.md).

The image (``image_tag`` 2025-05-08) ships rdkit 2024.9.6 and numpy 2.2.4 among others. This test builds a venv with
exactly those pins once (cached under ``~/.cache/biorft/pins-venv-<hash>``; the first build downloads from the
package registry and takes a few minutes, later runs take seconds), runs every exported grader there on a fixed
corpus and compares score, reason, answer and confidence with the in-process grader running the local RDKit.

The full pin list is tried first; if some pin cannot be installed the test falls back to the pins the exported
sources import (rdkit, numpy) and says so. It skips only when the package registry cannot be reached.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.graders.catalogue import BBB, GENES, KIND_OF, SMILES, catalogue
from tests.graders.clean import CleanInterpreter, jsonable
from tests.graders.test_parity import expected
from tests.graders.test_standardiser import RAWS

pytestmark = pytest.mark.pins

# docs/concepts/openai_sandbox.md, "The grader image and its packages".
IMAGE_PINS = (
    "numpy==2.2.4",
    "scipy==1.15.2",
    "sympy==1.13.3",
    "pandas==2.2.3",
    "rapidfuzz==3.10.1",
    "scikit-learn==1.6.1",
    "rouge-score==0.1.2",
    "deepdiff==8.4.2",
    "jsonschema==4.23.0",
    "pydantic==2.10.6",
    "pyyaml==6.0.2",
    "nltk==3.9.1",
    "sqlparse==0.5.3",
    "rdkit==2024.9.6",
    "scikit-bio==0.6.3",
    "ast-grep-py==0.36.2",
)
IMPORTED_PINS = ("numpy==2.2.4", "rdkit==2024.9.6")  # what exported sources import (rdkit needs numpy)
_UNREACHABLE = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Max retries exceeded",
    "ConnectTimeout",
    "ReadTimeoutError",
    "Connection refused",
    "ProxyError",
)


def _pip(python: Path, *args: str, timeout: int = 1500) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _unreachable(output: str) -> bool:
    return any(marker in output for marker in _UNREACHABLE)


def _build_venv() -> tuple[Path, tuple[str, ...], str]:
    """The cached pinned venv: (python, pins installed, note about a fallback)."""
    key = hashlib.sha256(json.dumps([IMAGE_PINS, sys.version_info[:2]]).encode()).hexdigest()[:12]
    root = Path(os.environ.get("BIORFT_CACHE", Path.home() / ".cache" / "biorft")) / f"pins-venv-{key}"
    marker = root / "biorft-pins.json"
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"pins-venv-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file():
            done = json.loads(marker.read_text())
            return root / "bin" / "python", tuple(done["pins"]), done["note"]
        if root.exists():
            subprocess.run(["rm", "-rf", str(root)], check=True)
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(root)], check=True, capture_output=True)
        python = root / "bin" / "python"
        full = _pip(python, "install", "-q", *IMAGE_PINS)
        pins, note = IMAGE_PINS, ""
        if full.returncode != 0:
            if _unreachable(full.stderr):
                pytest.skip(f"package registry unreachable, cannot build the pinned venv: {full.stderr[-300:]}")
            subset = _pip(python, "install", "-q", *IMPORTED_PINS)
            if subset.returncode != 0:
                if _unreachable(subset.stderr):
                    pytest.skip(f"package registry unreachable, cannot build the pinned venv: {subset.stderr[-300:]}")
                pytest.fail(f"cannot install {IMPORTED_PINS} into {root}:\n{subset.stderr[-3000:]}")
            pins = IMPORTED_PINS
            note = f"the full image pin list did not install, so only {IMPORTED_PINS} are tested: {full.stderr[-500:]}"
        marker.write_text(json.dumps({"pins": list(pins), "note": note}))
        return python, pins, note


@pytest.fixture(scope="module")
def pinned() -> Iterator[CleanInterpreter]:
    python, _pins, note = _build_venv()
    if note:
        warnings.warn(note, stacklevel=1)
    interpreter = CleanInterpreter(str(python), isolate_site=False)
    yield interpreter
    interpreter.close()


def corpus(kind: str) -> list[tuple[Any, dict[str, Any]]]:
    """A fixed corpus of (sample, item) pairs for one answer kind."""
    forms = ["Answer: {}", "Thinking about it.\n<answer>{}</answer>", '{{"answer": "{}", "confidence": 0.7}}', "{}"]
    if kind in ("bbb", "genes", "multiclass"):
        vocab = {"bbb": BBB, "genes": GENES, "multiclass": ("low", "medium", "high", "very high")}[kind]
        answers = [
            *vocab,
            "permeable",
            "Dosage-Sensitive",
            "both",
            f"{vocab[0]} or {vocab[1]}",
            "It is " + vocab[0],
            "",
        ]
        return [({"output_text": f.format(a)}, {"target": t}) for a in answers for f in forms for t in vocab[:2]]
    if kind == "set":
        answers = ["NR-AR", "NR-AR, SR-p53", "none", "junk, SR-MMP", "NR-AhR and SR-p53"]
        targets = [{"target": ["NR-AR"]}, {"target": [], "known_labels": ["NR-AR"]}, {"target": ["SR-p53", "NR-AR"]}]
        return [({"output_text": f.format(a)}, t) for a in answers for f in forms for t in targets]
    if kind in ("number", "positive"):
        answers = ["1.5", "-2.25 log(mol/L)", "3.2e-4", "1,234.5", "\u22120.5", "nan", "1e999", "2-3", "12 nM", "0"]
        targets = [1.5, 0.001, 1000.0] if kind == "positive" else [1.5, -2.0, 0.0]
        return [
            ({"output_text": f.format(a)}, {"target": t, "alt": 1.2}) for a in answers for f in forms for t in targets
        ]
    targets = [s for s in SMILES[:16]]
    return [({"output_text": f"Reasoning.\nAnswer: {a}"}, {"target": t}) for a in SMILES for t in targets]


def test_pinned_venv_has_the_image_versions(pinned: CleanInterpreter) -> None:
    assert pinned.versions == {"rdkit": "2024.09.6", "numpy": "2.2.4"}
    assert not any("wt-" in p or p.endswith("/src") for p in pinned.sys_path)


@pytest.mark.parametrize("key", sorted(KIND_OF))
def test_exported_graders_score_identically_under_image_pins(pinned: CleanInterpreter, key: str) -> None:
    grader = catalogue()[key]
    pinned.load(key, grader.to_source())
    mismatches = []
    cases = corpus(KIND_OF[key])
    for sample, item in cases:
        got = pinned.grade(key, jsonable(sample), jsonable(item))
        want = expected(grader, sample, item)
        if got != want:
            mismatches.append((sample, item, got, want))
    assert not mismatches, f"{len(mismatches)}/{len(cases)} differ, e.g. {mismatches[:3]}"


def test_image_rdkit_keeps_the_dataset_parent(pinned: CleanInterpreter) -> None:
    """Under rdkit 2024.9.6 the exported molecule grader scores the dataset's canonical SMILES (made here) against
    the raw SMILES as 1.0, and decides every other pair of the standardiser panel as the local grader does."""
    from biorft import chem
    from biorft.graders import MoleculeGrader

    grader = MoleculeGrader()
    pinned.load("standardiser", grader.to_source())
    for raw in RAWS:
        canonical = chem.standardize_smiles(raw).smiles
        for answer, target in ((canonical, raw), (raw, canonical)):
            got = pinned.grade("standardiser", {"output_text": f"Answer: {answer}"}, {"target": target})
            assert got["score"] == 1.0, (answer, target, got)
        for other in RAWS:
            sample, item = {"output_text": f"Answer: {raw}"}, {"target": other}
            assert pinned.grade("standardiser", sample, item) == expected(grader, sample, item), (raw, other)
