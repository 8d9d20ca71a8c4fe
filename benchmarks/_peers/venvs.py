"""Cached virtual environments for the peer libraries (never biorft dependencies).

Each peer environment lives in ``~/.cache/biorft/peer-venvs/<name>-<hash>`` where the hash covers the requirement
list and the Python version, so changing a pin makes a new environment and an unchanged one is reused. A finished
environment carries a ``.ok`` marker holding the versions of its key modules; a failed install leaves ``.failed``
with the reason (reused until ``--reinstall``, so a peer that cannot be installed costs minutes once, not every run).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CACHE = Path(os.environ.get("BIORFT_PEER_VENVS", Path.home() / ".cache" / "biorft" / "peer-venvs"))


@dataclass(frozen=True)
class PeerEnv:
    """One environment: what to install (in order: each entry is one ``pip install`` call) and what to report."""

    name: str
    installs: tuple[tuple[str, ...], ...]
    modules: tuple[str, ...]  # import names whose versions are reported (and whose import proves the install)
    dists: dict[str, str] = field(default_factory=dict)  # module -> distribution name when they differ

    @property
    def key(self) -> str:
        text = json.dumps([self.installs, sys.version_info[:2]], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def path(self) -> Path:
        return CACHE / f"{self.name}-{self.key}"

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"


# PyTDC 1.1.15 pins rdkit 2023.9.6 / numpy 1.26 and imports pkg_resources (gone from setuptools 80); DeepChem 2.8.0
# installs beside it. datamol needs a newer rdkit/pandas than PyTDC allows, so it gets its own environment.
# PyTDC pulls torch through accelerate, and so does TRL: torch is pinned first as in .ci/run (torch==2.13.0 is a local
# CPU build on the project's machines; left to itself pip picks a CUDA build with gigabytes of nvidia wheels).
ENVS = {
    "tdc-deepchem": PeerEnv(
        "tdc-deepchem",
        (("torch==2.13.0",), ("PyTDC==1.1.15", "deepchem==2.8.0", "setuptools<80")),
        ("tdc", "deepchem", "rdkit", "numpy", "pandas"),
        {"tdc": "PyTDC"},
    ),
    "datamol": PeerEnv("datamol", (("datamol==0.13.0",),), ("datamol", "rdkit", "numpy", "pandas")),
    "trl": PeerEnv(
        "trl", (("torch==2.13.0",), ("trl==1.16.0", "math-verify==0.9.0")), ("trl", "math_verify", "transformers")
    ),
}

_VERSIONS = """
import importlib, importlib.metadata as md, json, sys
out = {}
for spec in sys.argv[1:]:
    mod, dist = spec.split("=")
    importlib.import_module(mod)
    if mod == "rdkit":
        from rdkit import rdBase
        out[mod] = rdBase.rdkitVersion
    else:
        out[mod] = md.version(dist)
print(json.dumps(out))
"""


@dataclass
class EnvStatus:
    """Where an environment stands: ``python`` is set when usable, else ``error`` says why."""

    env: PeerEnv
    python: Path | None
    versions: dict[str, str]
    error: str | None
    install_seconds: float | None = None


def _versions(env: PeerEnv) -> dict[str, str]:
    args = [f"{m}={env.dists.get(m, m)}" for m in env.modules]
    proc = subprocess.run([str(env.python), "-c", _VERSIONS, *args], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(_tail(proc.stderr or proc.stdout))
    versions: dict[str, str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return versions


def _tail(text: str, n: int = 3) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip() and "is ignored" not in ln]
    return " / ".join(lines[-n:])[:400] or "no output"


def ensure(env: PeerEnv, *, reinstall: bool = False, log: bool = True) -> EnvStatus:
    """Create (once) and check the environment; never raises for install problems, it reports them."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{env.name}-{env.key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two benchmark runs never build the same environment at once
        ok, failed = env.path / ".ok", env.path / ".failed"
        if reinstall and env.path.exists():
            shutil.rmtree(env.path)
        if ok.is_file():
            return EnvStatus(env, env.python, json.loads(ok.read_text()), None)
        if failed.is_file():
            return EnvStatus(env, None, {}, failed.read_text().strip() + " (cached failure; --reinstall retries)")
        if env.path.exists():
            shutil.rmtree(env.path)  # a half-built environment from an interrupted run
        if log:
            print(f"[peers] installing {env.name} into {env.path} (once; minutes) ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            subprocess.run([sys.executable, "-m", "venv", str(env.path)], check=True, capture_output=True)
            with (env.path / "install.log").open("w") as out:
                for reqs in env.installs:
                    cmd = [str(env.python), "-m", "pip", "install", "--disable-pip-version-check", *reqs]
                    proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=3600)
                    if proc.returncode != 0:
                        text = (env.path / "install.log").read_text()
                        raise RuntimeError(f"pip install {' '.join(reqs)} failed: {_tail(text)}")
            versions = _versions(env)
        except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
            reason = str(exc) or type(exc).__name__
            env.path.mkdir(parents=True, exist_ok=True)
            failed.write_text(reason)
            return EnvStatus(env, None, {}, reason)
        ok.write_text(json.dumps(versions))
        return EnvStatus(env, env.python, versions, None, time.perf_counter() - t0)
