"""Ctrl-C on ``biorft eval`` (a real subprocess, a real SIGINT): exit 130 within 2 s, the cache flushed and valid."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.evaluation._helpers import entity_of, scripted_answer
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).parents[2]
FAST_ENTITIES = {f"GENE{i}" for i in range(4)}


def slow_after_four(body: dict[str, Any]) -> str:
    if entity_of(body) not in FAST_ENTITIES:
        time.sleep(30)  # requests in flight when Ctrl-C comes: they must not delay the exit
    return scripted_answer(body)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_first_ctrl_c_exits_130_within_two_seconds_with_the_cache_flushed(tmp_path) -> None:
    out = tmp_path / "run"
    with FakeOpenAI(slow_after_four) as fake:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        env.pop("OPENAI_API_KEY", None)
        args = [
            sys.executable,
            "-m",
            "biorft.cli",
            "eval",
            "--task",
            "tests.evaluation._helpers:cli_dataset",
            "--grader",
            "tests.evaluation._helpers:TinyGrader",
            "--split",
            "all",
            "--model",
            "m",
            "--base-url",
            fake.base_url,
            "--out",
            str(out),
            "--concurrency",
            "4",
            "--no-progress",
        ]
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            cache = out / "cache.jsonl"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if cache.exists() and len(cache.read_text().splitlines()) >= 4 and fake.count("/v1/chat") >= 8:
                    break
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.05)
            else:
                pytest.fail("the run never got going")
            t0 = time.monotonic()
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=10)
            elapsed = time.monotonic() - t0
        finally:
            if proc.poll() is None:
                proc.kill()
        _, err = proc.communicate()
    assert code == 130, err
    assert elapsed < 2.0
    assert "interrupted" in err
    lines = cache.read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == [f"e{i:04d}" for i in range(4)]
    assert not (out / "report.json").exists()  # no report of a run that did not finish
