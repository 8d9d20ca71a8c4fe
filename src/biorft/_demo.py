"""The offline end-to-end demo behind ``biorft demo``."""

from __future__ import annotations

from pathlib import Path

from biorft._version import __version__


def run_demo(out: Path) -> None:
    """Run the demo and write its outputs under ``out``.

    Args:
        out: Output folder, created if missing.
    """
    out.mkdir(parents=True, exist_ok=True)
    print(f"biorft {__version__} demo: writing to {out}/")
