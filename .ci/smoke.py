"""Smoke test of an installed biorft (the built wheel, no extras), run by .ci/run from outside the checkout.

It fails when biorft is imported from a source tree instead of site-packages, then walks the public API on every
bundled task (load, split, leakage check, grader, export, baselines, evaluation against a local OpenAI-compatible
endpoint, comparison and plot) and runs the ``python`` code blocks of the Markdown files named on the command line
(the README's and the quickstart's examples, as a user copies them).

Run: python smoke.py [README.md docs/quickstart.md ...]   (in an empty folder, with the wheel installed)
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from typing import Any


def answer_text(target: Any) -> str:
    """The reference answer as a model would write it."""
    if isinstance(target, list):
        return ", ".join(target) or "none"
    return str(target)


@contextmanager
def local_endpoint(answers: dict[str, str]) -> Iterator[str]:
    """A minimal chat-completions endpoint on 127.0.0.1 answering each user prompt from ``answers``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text = f"Answer: {answers.get(body['messages'][-1]['content'], 'unknown')}"
            payload = json.dumps(
                {
                    "id": "chatcmpl-smoke",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def check_installation() -> None:
    """The installed biorft comes from site-packages, with its version, py.typed, NOTICE and every public name."""
    import biorft as br

    location = Path(br.__file__).resolve()
    assert "site-packages" in location.parts, f"biorft imported from {location}, not from an installed wheel"
    assert not (Path.cwd() / "src" / "biorft").exists(), "run the smoke test outside the checkout"
    assert br.__version__ == metadata.version("biorft"), (br.__version__, metadata.version("biorft"))
    assert (location.parent / "py.typed").is_file(), "py.typed is missing from the wheel"
    assert (location.parent / "datasets" / "data" / "NOTICE").is_file(), "the bundled data's NOTICE is missing"
    missing = [name for name in br.__all__ if not hasattr(br, name)]
    assert not missing, f"public names that do not resolve: {missing}"
    print(f"biorft {br.__version__} from {location.parent}")


def check_tasks(out: Path) -> None:
    """Every bundled task through the public API, from loading to a plotted comparison."""
    import biorft as br
    from biorft.baselines import run_baselines

    infos = br.list_tasks()
    assert {str(i.domain) for i in infos} >= {"genes", "molecules"}, infos
    reports = []
    for info in infos:
        ds = br.load_task(info.name)
        assert len(ds) > 0, info.name
        # the group split the demo uses: whole scaffolds (molecules) or gene families per part
        splits = ds.split("scaffold" if str(ds.spec.domain) == "molecules" else "family", seed=0)
        splits.check_leakage()
        grader = br.grader_for(ds.spec)
        test = splits.test.head(40)
        examples = list(test.examples())
        for ex in examples[:5]:
            right = {"output_text": f"Reasoning.\nAnswer: {answer_text(ex.item['target'])}"}
            assert grader(right, ex.item) == 1.0, (info.name, ex.id, grader.explain(right, ex.item))
            assert grader({"output_text": "I cannot tell."}, ex.item) == 0.0, (info.name, ex.id)
        json.dumps(grader.to_openai())
        folder = out / info.name.replace("/", "__")
        br.export.openai_rft(splits, folder / "rft")
        br.export.trl(splits, folder / "trl")
        br.export.verl(splits, folder / "verl")
        for name in ("train.jsonl", "valid.jsonl", "test.jsonl", "grader.json"):
            assert (folder / "rft" / name).stat().st_size > 0, (info.name, name)

        small = ds.subset(ds.ids[:300]).split("random", seed=0) if len(ds) > 300 else splits
        task_reports = run_baselines(small, n_boot=50)
        with local_endpoint({ex.messages[-1]["content"]: answer_text(ex.item["target"]) for ex in examples}) as url:
            model = br.evaluate(test, "scripted", base_url=url, cache=folder / "cache.jsonl", n_boot=50, progress=False)
        assert model.metrics["mean_reward"].value == 1.0, (info.name, model.summary())
        reports += [model, *task_reports]
        print(f"  {info.name}: {len(ds)} examples, split {'/'.join(str(len(p)) for _, p in splits)}; {model.summary()}")
    comparison = br.compare(reports, n_boot=50)
    assert comparison.plot(out / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    model.save(out / "report")
    assert (out / "report" / "report.png").is_file()


def run_markdown_examples(paths: list[str], out: Path) -> None:
    """Run each ``python`` code block of each Markdown file in a fresh namespace and an empty folder."""
    import os

    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
        assert blocks, f"{path}: no python code block"
        for i, block in enumerate(blocks, 1):
            folder = out / f"{Path(path).stem}-{i}"
            folder.mkdir(parents=True)
            here = Path.cwd()
            os.chdir(folder)
            try:
                exec(compile(block, f"{path} (python block {i})", "exec"), {"__name__": "__main__"})
            finally:
                os.chdir(here)
        print(f"  {path}: {len(blocks)} python block(s) ran")


def main(argv: list[str]) -> int:
    """Run every check; outputs go to ./smoke-out."""
    out = Path.cwd() / "smoke-out"
    out.mkdir(exist_ok=True)
    check_installation()
    check_tasks(out)
    run_markdown_examples(argv, out / "markdown")
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
