"""Run exported grader sources in an interpreter where biorft cannot be imported.

`CleanInterpreter` starts `python -I -S` (no site-packages, no user site, no PYTHON* variables, no cwd on
sys.path) and gives it only what exported graders may use: symlinks to the installed RDKit (and numpy) in a private
folder. It proves, before serving, that `biorft` is not importable there. For the OpenAI image's pinned venv the
same runner runs under that venv's python with `-I` (its site-packages hold the pins, never biorft).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

RUNNER = r"""
import importlib.util, json, sys
sys.path[:0] = DEPS
if importlib.util.find_spec("biorft") is not None:
    raise SystemExit("biorft is importable in the clean interpreter")
versions = {}
for name in ("rdkit", "numpy"):
    try:
        module = __import__(name)
        versions[name] = module.__version__
    except ImportError:
        versions[name] = None
print(json.dumps({"ready": True, "biorft": None, "versions": versions, "path": sys.path}), flush=True)
graders = {}
for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "load":
        namespace = {"__name__": "exported_" + request["key"]}
        exec(compile(request["source"], request["key"] + ".py", "exec"), namespace)
        graders[request["key"]] = namespace
        reply = {"ok": True}
    else:
        namespace = graders[request["key"]]
        score = namespace["grade"](request["sample"], request["item"])
        outcome = namespace["explain"](request["sample"], request["item"])
        reply = {"score": score, "type": type(score).__name__, "reason": outcome["reason"],
                 "answer": outcome["answer"], "confidence": outcome["confidence"]}
    print(json.dumps(reply, default=repr), flush=True)
"""


def _deps_dir() -> Path:
    """A folder of symlinks to RDKit and numpy (and their bundled libraries) only."""
    folder = Path(tempfile.mkdtemp(prefix="biorft-clean-deps-"))
    for name in ("rdkit", "numpy"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        package = Path(spec.origin).parent
        for entry in (package, package.parent / f"{name}.libs"):
            if entry.exists():
                (folder / entry.name).symlink_to(entry, target_is_directory=True)
    return folder


class CleanInterpreter:
    """A persistent interpreter that loads exported grader sources and grades (sample, item) pairs."""

    def __init__(self, python: str, *, isolate_site: bool = True, deps: list[str] | None = None) -> None:
        self._workdir = tempfile.mkdtemp(prefix="biorft-clean-")
        self._cleanup = [self._workdir]
        if deps is None:
            deps = [str(_deps_dir())] if isolate_site else []
            self._cleanup += deps
        flags = ["-I", "-S"] if isolate_site else ["-I"]
        code = f"DEPS = {deps!r}\n{RUNNER}"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
        self._proc = subprocess.Popen(
            [python, *flags, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=self._workdir,
            env=env,
        )
        hello = self._read()
        self.versions: dict[str, str | None] = hello["versions"]
        self.sys_path: list[str] = hello["path"]
        self._loaded: set[str] = set()

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            assert self._proc.stderr is not None
            raise RuntimeError(f"clean interpreter died: {self._proc.stderr.read()[-4000:]}")
        result: dict[str, Any] = json.loads(line)
        return result

    def _send(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        return self._read()

    def load(self, key: str, source: str) -> None:
        if key not in self._loaded:
            self._send({"op": "load", "key": key, "source": source})
            self._loaded.add(key)

    def grade(self, key: str, sample: Any, item: Any) -> dict[str, Any]:
        return self._send({"op": "grade", "key": key, "sample": sample, "item": item})

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait(timeout=30)
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()
        for folder in self._cleanup:
            shutil.rmtree(folder, ignore_errors=True)


def jsonable(value: Any) -> Any:
    """`value` as the clean interpreter reports it (through JSON, non-JSON values as repr)."""
    return json.loads(json.dumps(value, default=repr))
