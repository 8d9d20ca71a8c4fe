from __future__ import annotations

import importlib
import subprocess
import sys
from importlib import resources

import biorft
import biorft.errors as errors


def test_version_matches_metadata() -> None:
    from importlib.metadata import version

    assert biorft.__version__ == version("biorft")


def test_py_typed_shipped() -> None:
    assert resources.files("biorft").joinpath("py.typed").is_file()


def test_all_is_sorted_and_explicit() -> None:
    assert biorft.__all__[0] == "__version__"
    assert list(biorft.__all__[1:]) == sorted(biorft.__all__[1:])


def test_error_hierarchy() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        root = errors.BiorftWarning if issubclass(cls, Warning) else errors.BiorftError
        assert issubclass(cls, root), name
    err = errors.MissingDependencyError("trl", extra="trl", feature="GRPO")
    assert "pip install 'biorft[trl]'" in str(err)
    assert isinstance(err, ImportError)


def test_unknown_attribute() -> None:
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        biorft.nope


def test_import_is_lazy() -> None:
    code = (
        "import sys, biorft; heavy = [m for m in ('rdkit', 'polars', 'openai', 'numpy', 'matplotlib', 'sklearn',"
        " 'torch') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"import biorft pulled in heavy modules: {out}"


def test_every_public_module_imports() -> None:
    for name in ("biorft.schema", "biorft.errors", "biorft.cli"):
        importlib.import_module(name)
